"""bench/nlq: latency of the documented example questions through nlq_http, beside the SQL alone.

Everything runs on this machine, one scale at a time (``--scales``, default
0.1 and 1): a throwaway PostgreSQL cluster with project88_myappdb (the
production migrations, then ``project88 demo-data --scale S``: 8.15 million
results at scale 1) and raw_tag_data (one timing session of a few hundred
reads for the live-timing question), ``VACUUM ANALYZE``, and the service
(``python -m daemons.nlq_http``, LLM off: the rules path) as its own process.

Each of the 15 example questions (``daemons.nlq_http.examples``) is asked
over one keep-alive HTTP connection (``POST /api/v1/nl-query``) with an admin
API key, or with ``--caller partner`` a Big River Race Management staff key
(partner 1: row-level security and its signed scope on every results table):
3 warm-up rounds, then ``--rounds`` rounds over all questions; the time is
request sent -> whole answer received. Every answer must come from the rules
engine, or the run stops (tests/unit/test_rules_examples.py holds each
question's exact query).

Baseline, same run, interleaved round by round: the same SQL with the same
parameters, compiled here by the service's own parser and compiler for the
same caller (and checked equal to what ``POST /api/v1/nl-explain`` says the
service runs), through one psycopg2 connection as the role the service uses for
that caller (``nlq_admin`` or ``nlq_reader`` on the results, ``nlq_reader`` on
raw reads), with the statements the service's runner sends around it (``BEGIN
READ ONLY`` and the scope nonce, the signed scope and its check, ``SET LOCAL
statement_timeout``, fetch of limit + 1 rows, ``ROLLBACK``). The difference is
the service's own overhead: HTTP, JSON, parsing the question, compiling, the
guard, formatting rows. The partner scope key is generated per run
(``project88 scope-key``'s code) and handed to the service as a file.

A question whose p95 misses the target gets its plan printed
(``EXPLAIN (ANALYZE, BUFFERS)``, as the baseline runs it); ``--explain N``
prints the N slowest questions' plans whatever their times. In the plans the
row-level security policy's condition is shown as ``<partner_isolation>``.

Usage: python bench/nlq.py [--scales 0.1,1] [--rounds 20] [--explain N] [--caller partner]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg2
import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.stats import percentile, summary  # noqa: E402
from daemons.common import db, migrate  # noqa: E402
from daemons.nlq_http import runner  # noqa: E402
from daemons.nlq_http.compiler import Compiled, Tenant, compile_query  # noqa: E402
from daemons.nlq_http.engine import _jsonable  # noqa: E402
from daemons.nlq_http.examples import EXAMPLES  # noqa: E402
from daemons.nlq_http.rules import Vocabulary, parse  # noqa: E402
from daemons.nlq_http.scope import ScopeKey  # noqa: E402
from project88 import scopekey  # noqa: E402
from project88.pgcluster import Cluster, free_port  # noqa: E402

TARGET_P95_MS = 150.0
WARMUP_ROUNDS = 3
MAX_ROWS = 1000  # the service's default P88_NLQ_MAX_ROWS
TIMEOUT_MS = 5000  # the service's default P88_NLQ_STATEMENT_TIMEOUT_MS
ADMIN = Tenant(None, admin=True)
PARTNER_NAME = "Big River Race Management"  # demo-data's partner 1, with active events
# The service's own connections (daemons/nlq_http/__main__.py).
SESSION_OPTIONS = "-c default_transaction_read_only=on"
LIVE_SESSION_READS = 300
POLICY = re.compile(  # the partner_isolation policy as EXPLAIN prints it (0006_signed_...)
    r"\(\((?:timing_partner_id|id) = \$\d+\) OR \$\d+\)"
)
LOADED = re.compile(r"loaded in ([\d.]+) s \(generate \+ COPY ([\d.]+) s, ANALYZE ([\d.]+) s\)")


# -- small helpers ---------------------------------------------------------------------------
def execute(dsn: str, sql: str, params: object = None, autocommit: bool = False) -> list[tuple]:
    conn = psycopg2.connect(dsn)
    conn.autocommit = autocommit
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            rows = cur.fetchall() if cur.description else []
        if not autocommit:
            conn.commit()
        return rows
    finally:
        conn.close()


def short(question: str, width: int = 58) -> str:
    return question if len(question) <= width else question[: width - 3] + "..."


def stop_process(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(15)


# -- one scale's databases ---------------------------------------------------------------------
@dataclass
class Setup:
    scale: float
    prod_dsn: str
    raw_dsn: str
    api_key: str
    scope_key_file: Path
    tenant: Tenant = ADMIN
    load_wall: float = 0.0
    load_copy: float = float("nan")
    load_analyze: float = float("nan")
    vacuum_seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def prepare(cluster: Cluster, scale: float, workdir: Path, caller: str) -> Setup:
    for name in ("project88_myappdb", "raw_tag_data"):
        cluster.create_database(name)
    prod, raw = cluster.dsn("project88_myappdb"), cluster.dsn("raw_tag_data")
    migrate.apply(prod, "production")
    migrate.apply(raw, "raw_tag_data")
    key_file = workdir / f"scope-key-{scale:g}"
    key_file.unlink(missing_ok=True)
    scopekey.new_key_file(key_file)
    scopekey.store(prod, ScopeKey.load(key_file).secret)
    setup = Setup(scale, prod, raw, "p88_bench_" + secrets.token_hex(24), key_file)

    log_path = workdir / f"demo-data-{scale:g}.log"
    started = time.perf_counter()
    with open(log_path, "w") as log:
        done = subprocess.run(
            [sys.executable, "-m", "project88.cli", "demo-data", "--scale", f"{scale:g}"],
            cwd=REPO, env={**os.environ, "P88_PROD_DSN": prod}, stdout=log,
            stderr=subprocess.STDOUT, check=False,
        )  # fmt: skip
    setup.load_wall = time.perf_counter() - started
    output = log_path.read_text(errors="replace")
    if done.returncode != 0:
        raise SystemExit(
            f"demo-data --scale {scale:g} failed ({done.returncode}):\n{output[-2000:]}"
        )
    loaded = LOADED.search(output)
    if loaded:
        setup.load_copy, setup.load_analyze = float(loaded[2]), float(loaded[3])

    # The caller, with a known key (as tests/integration/test_nlq.py's results_db).
    digest = hashlib.sha256(setup.api_key.encode()).hexdigest()
    if caller == "partner":
        ((partner_id,),) = execute(prod, "SELECT id FROM timing_partners WHERE name = %s",
                                   (PARTNER_NAME,))  # fmt: skip
        setup.tenant = Tenant(partner_id, False, PARTNER_NAME)
    execute(prod, "INSERT INTO users (timing_partner_id, email, full_name, role, api_key_sha256)"
                  " VALUES (%s, 'bench@nlq.example', 'Bench Caller', %s, %s)",
            (setup.tenant.partner_id, "admin" if setup.tenant.admin else "staff",
             digest))  # fmt: skip
    execute(prod, "ALTER ROLE nlq_reader LOGIN")
    execute(prod, "ALTER ROLE nlq_admin LOGIN")
    # Timing session 1 with a few hundred reads (as the test's live_db).
    execute(raw, "INSERT INTO timing_sessions (id, session_name) VALUES (1, 'Session 1')")
    execute(
        raw,
        "INSERT INTO timing_reads (session_id, sequence_number, location_name, tag_code,"
        " read_time, read_date, read_timestamp)"
        " SELECT 1, g, CASE WHEN g %% 3 = 0 THEN 'finish' ELSE 'start' END, (g %% 40)::text,"
        " '10:00', '2026-11-25', now() FROM generate_series(1, %s) AS g",
        (LIVE_SESSION_READS,),
    )
    execute(raw, "GRANT SELECT ON timing_reads TO nlq_reader")

    started = time.perf_counter()
    for dsn in (prod, raw):
        execute(dsn, "VACUUM (ANALYZE)", autocommit=True)
        execute(dsn, "CHECKPOINT", autocommit=True)
    setup.vacuum_seconds = time.perf_counter() - started
    for table in ("ct_events", "ct_participants", "ct_results"):
        setup.counts[table] = execute(prod, f"SELECT count(*) FROM {table}")[0][0]
    return setup


# -- the service under test --------------------------------------------------------------------
def start_service(setup: Setup, port: int, log_path: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        P88_PROD_DSN=setup.prod_dsn,
        P88_RAW_DSN=setup.raw_dsn,
        P88_NLQ_DSN=f"{setup.prod_dsn} user=nlq_reader",
        P88_NLQ_RAW_DSN=f"{setup.raw_dsn} user=nlq_reader",
        P88_NLQ_ADMIN_DSN=f"{setup.prod_dsn} user=nlq_admin",
        P88_NLQ_SCOPE_KEY_FILE=str(setup.scope_key_file),
        P88_NLQ_HOST="127.0.0.1",
        P88_NLQ_PORT=str(port),
        P88_NLQ_LLM="off",
        P88_TIMEZONE="America/New_York",
        P88_LOG_LEVEL="WARNING",  # an INFO line per answer would be part of what we measure
        PYTHONUNBUFFERED="1",
    )
    with open(log_path, "ab") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, "-m", "daemons.nlq_http"], cwd=REPO, env=env,
                                stdout=log, stderr=subprocess.STDOUT)  # fmt: skip


def wait_healthy(proc: subprocess.Popen[bytes], base: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"nlq_http exited with {proc.returncode}; see its log")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{base}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise SystemExit(f"nlq_http not healthy after {timeout:g} s")


class Service:
    """One keep-alive connection to the service, as one client asking in turn."""

    def __init__(self, base: str, api_key: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.http.headers["X-API-Key"] = api_key

    def post(self, path: str, question: str) -> tuple[float, dict[str, Any]]:
        ms, body = self.ask(path, question)
        if body is None:
            raise SystemExit(f"{path} {question!r} was refused")
        return ms, body

    def ask(self, path: str, question: str) -> tuple[float, dict[str, Any] | None]:
        """(ms, body); body None for a clear refusal (403/422: not this caller's data)."""
        payload = json.dumps({"question": question})
        started = time.perf_counter()
        answer = self.http.post(f"{self.base}{path}", data=payload, timeout=60,
                                headers={"Content-Type": "application/json"})  # fmt: skip
        content = answer.content
        ms = (time.perf_counter() - started) * 1000
        body = json.loads(content)
        if answer.status_code in (403, 422):
            return ms, None
        if answer.status_code != 200 or not body.get("success"):
            raise SystemExit(
                f"{path} {question!r} answered {answer.status_code}: {content[:300]!r}"
            )
        if body.get("engine") != "rules":
            raise SystemExit(
                f"{question!r} was answered by engine {body.get('engine')!r}, not rules"
            )
        return ms, body

    def close(self) -> None:
        self.http.close()


# -- the baseline: the same SQL, one connection, the runner's statements ---------------------
class Baseline:
    def __init__(self, setup: Setup) -> None:
        self.key = ScopeKey.load(setup.scope_key_file)
        reader = "nlq_admin" if setup.tenant.admin else "nlq_reader"  # engine._pool_for's choice
        self.conns = {
            database: db.connect(f"{dsn} user={role}", "bench-nlq-baseline",
                                 options=SESSION_OPTIONS)
            for database, dsn, role in (("production", setup.prod_dsn, reader),
                                        ("raw", setup.raw_dsn, "nlq_reader"))
        }  # fmt: skip
        for conn in self.conns.values():
            conn.autocommit = True  # as the service's pool: BEGIN is sent explicitly

    def vocabulary(self, tenant: Tenant) -> Vocabulary:
        """What the service's engine loads for this caller (engine.Engine.vocabulary)."""
        with self.conns["production"].cursor() as cur:
            names = []
            for query in ("event_names", "partner_names", "last_names", "cities"):
                runner.begin_as(cur, tenant, self.key)
                cur.execute(runner.sql(query))
                names.append(tuple(row[0] for row in cur.fetchall() if row[0]))
                cur.execute("ROLLBACK")
        return Vocabulary(event_names=names[0], partner_names=names[1],
                          last_names=frozenset(names[2]), cities=frozenset(names[3]))  # fmt: skip

    def run(self, compiled: Compiled, tenant: Tenant, explain: str = "") -> tuple[float, list]:
        """runner.run's statements, without the service around them: (ms, rows)."""
        with self.conns[compiled.database].cursor() as cur:
            started = time.perf_counter()
            try:
                if compiled.database == "production":
                    runner.begin_as(cur, tenant, self.key)
                else:
                    cur.execute(runner.sql("begin_read_only"))
                cur.execute(runner.sql("statement_timeout"), {"milliseconds": TIMEOUT_MS})
                cur.execute(explain + compiled.sql, compiled.params)
                rows = cur.fetchmany(compiled.limit + 1) if not explain else cur.fetchall()
            finally:
                cur.execute("ROLLBACK")
            return (time.perf_counter() - started) * 1000, rows

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()


def compile_here(question: str, vocab: Vocabulary, tenant: Tenant, explained: dict) -> Compiled:
    """The plan the service runs, compiled in this process; fails unless it is the same."""
    understood = parse(question, vocab, dt.date.today())
    if understood.query is None:
        raise SystemExit(f"{question!r}: the rules do not read it here ({understood.refusal})")
    compiled = compile_query(understood.query, tenant, MAX_ROWS)
    params = {k: _jsonable(v) for k, v in compiled.params.items()}
    if compiled.sql != explained["sql"] or params != explained["parameters"]:
        raise SystemExit(
            f"{question!r}: the service runs other SQL than compiled here:\n"
            f"service: {explained['sql']}\n{explained['parameters']}\n"
            f"here:    {compiled.sql}\n{params}"
        )
    return compiled


# -- one scale ---------------------------------------------------------------------------------
def run_scale(args: argparse.Namespace, scale: float, workdir: Path,
              procs: dict[str, subprocess.Popen[bytes] | None]) -> dict[str, Any]:  # fmt: skip
    cluster = Cluster(workdir / f"pg-{scale:g}")
    service = baseline = None
    try:
        cluster.start()
        setup = prepare(cluster, scale, workdir, args.caller)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log_path = workdir / f"nlq-{scale:g}.log"
        started = time.perf_counter()
        procs["service"] = start_service(setup, port, log_path)
        wait_healthy(procs["service"], base)
        ready_seconds = time.perf_counter() - started

        service = Service(base, setup.api_key)
        baseline = Baseline(setup)
        tenant = setup.tenant
        vocab = baseline.vocabulary(tenant)
        questions, refused = [], []
        compiled = {}
        for q in EXAMPLES:
            _, explained = service.ask("/api/v1/nl-explain", q)
            if explained is None and not tenant.admin:  # another partner's event, say
                refused.append(q)
                continue
            if explained is None:
                raise SystemExit(f"{q!r} was refused to an admin")
            questions.append(q)
            compiled[q] = compile_here(q, vocab, tenant, explained)

        http: dict[str, list[float]] = {q: [] for q in questions}
        engine: dict[str, list[float]] = {q: [] for q in questions}
        sql: dict[str, list[float]] = {q: [] for q in questions}
        rows: dict[str, int] = {}
        for round_no in range(WARMUP_ROUNDS + args.rounds):
            measured = round_no >= WARMUP_ROUNDS
            for q in questions:
                ms, body = service.post("/api/v1/nl-query", q)
                if measured:
                    http[q].append(ms)
                    engine[q].append(body["elapsed_ms"])
                rows[q] = body["row_count"]
            for q in questions:
                ms, got = baseline.run(compiled[q], tenant)
                if measured:
                    sql[q].append(ms)
                if min(len(got), compiled[q].limit) != rows[q]:
                    raise SystemExit(f"{q!r}: the service answered {rows[q]} rows, "
                                     f"the baseline {len(got)}")  # fmt: skip

        slowest = sorted(questions, key=lambda q: percentile(http[q], 95), reverse=True)
        wanted = [q for q in slowest if percentile(http[q], 95) >= TARGET_P95_MS]
        wanted += [q for q in slowest[: args.explain] if q not in wanted]
        plans = {}
        for q in wanted:
            _, lines = baseline.run(compiled[q], tenant, "EXPLAIN (ANALYZE, BUFFERS) ")
            plans[q] = [POLICY.sub("<partner_isolation>", line[0]) for line in lines]
        return {
            "setup": setup,
            "ready_seconds": ready_seconds,
            "questions": questions,
            "rows": rows,
            "http": {q: summary(v) for q, v in http.items()},
            "engine": {q: summary(v) for q, v in engine.items()},
            "sql": {q: summary(v) for q, v in sql.items()},
            "all_http": summary([t for v in http.values() for t in v]),
            "all_sql": summary([t for v in sql.values() for t in v]),
            "plans": plans,
            "refused": refused,
            "service_log": log_path,
        }
    finally:
        if service is not None:
            service.close()
        if baseline is not None:
            baseline.close()
        stop_process(procs.get("service"))
        procs["service"] = None
        cluster.destroy()  # before the next scale: scale 1 holds several GB


def print_scale(
    args: argparse.Namespace, r: dict[str, Any]
) -> tuple[dict[str, bool], list[tuple[int, float]]]:
    s: Setup = r["setup"]
    c = s.counts
    print()
    print(f"scale {s.scale:g}: {c['ct_results']:,} results, {c['ct_participants']:,} participants, "
          f"{c['ct_events']:,} events")  # fmt: skip
    print(f"  demo-data load {s.load_wall:.1f} s (its own figures: generate + COPY "
          f"{s.load_copy:.1f} s, ANALYZE {s.load_analyze:.1f} s); VACUUM ANALYZE + "
          f"CHECKPOINT {s.vacuum_seconds:.1f} s; service healthy "
          f"{r['ready_seconds']:.1f} s after start")  # fmt: skip
    who = ("an admin API key (every partner's rows)" if s.tenant.admin else
           f"a {s.tenant.partner_name} API key (its rows, under row-level security)")  # fmt: skip
    print(f"  {args.rounds} rounds x {len(r['questions'])} questions after {WARMUP_ROUNDS} warm-up "
          f"rounds, {who}; every answer from the rules engine")  # fmt: skip
    for q in r["refused"]:
        print(f"  not asked: {q!r} (refused to this caller: not its data)")
    print(f"{'ms':64}{'rows':>6}{'service p50':>12}{'p95':>8}{'engine':>8}"
          f"{'SQL p50':>9}{'p95':>8}{'over':>7}")  # fmt: skip
    for i, q in enumerate(r["questions"], 1):
        h, e, b = r["http"][q], r["engine"][q], r["sql"][q]
        print(f"{i:>2} {short(q):61}{r['rows'][q]:>6}{h['p50']:>12.1f}{h['p95']:>8.1f}"
              f"{e['p50']:>8.1f}{b['p50']:>9.1f}{b['p95']:>8.1f}"
              f"{h['p50'] - b['p50']:>7.1f}")  # fmt: skip
    h, b = r["all_http"], r["all_sql"]
    print(f"{'all questions: service p50 / p95 / max':64}{h['n']:>6}{h['p50']:>12.1f}"
          f"{h['p95']:>8.1f} {h['max']:.1f}")  # fmt: skip
    print(f"{'all questions: baseline SQL p50 / p95 / max':64}{b['n']:>6}{b['p50']:>12.1f}"
          f"{b['p95']:>8.1f} {b['max']:.1f}")  # fmt: skip
    print("  service: request sent -> answer received; engine: the service's own elapsed_ms "
          "(parse, compile, SQL, rows); SQL: the same statements on one psycopg2 connection; "
          "over: service p50 - SQL p50")  # fmt: skip
    for q, lines in r["plans"].items():
        print()
        print(f"  EXPLAIN (ANALYZE, BUFFERS), scale {s.scale:g}: {q}")
        for line in lines:
            print(f"    {line}")
    missed = [(i, r["http"][q]["p95"]) for i, q in enumerate(r["questions"], 1)
              if r["http"][q]["p95"] >= TARGET_P95_MS]  # fmt: skip
    label = f"scale {s.scale:g}"
    return {
        f"{label}: every question p95 < {TARGET_P95_MS:g} ms": not missed,
        f"{label}: overall p95 < {TARGET_P95_MS:g} ms": h["p95"] < TARGET_P95_MS,
    }, missed


def main() -> int:
    # SIGTERM (a timeout, Ctrl-C from a supervisor) must still run the cleanup below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="0.1,1",
                        help="demo-data scales, comma separated (1 = 8.15M results)")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=20, help="measured rounds per question")
    parser.add_argument("--caller", choices=["admin", "partner"], default="admin",
                        help=f"whose API key asks: an admin, or {PARTNER_NAME}'s staff "
                             "(row-level security with the signed scope)")  # fmt: skip
    parser.add_argument("--explain", type=int, default=0, metavar="N",
                        help="print the plans of the N slowest questions (those missing the "
                             "target are always printed)")  # fmt: skip
    args = parser.parse_args()
    scales = [float(s) for s in args.scales.split(",") if s.strip()]

    workdir = Path(tempfile.mkdtemp(prefix="p88bench-nlq-", dir="/tmp"))
    workdir.chmod(0o755)  # the PostgreSQL server user must reach its folder inside
    free_gb = shutil.disk_usage(workdir).free / 1e9
    print(f"bench/nlq on {os.cpu_count()} cores (logs in {workdir}, {free_gb:.0f} GB free); "
          f"scales {', '.join(f'{s:g}' for s in scales)}; {len(EXAMPLES)} example questions, "
          f"{args.rounds} rounds; target p95 < {TARGET_P95_MS:g} ms")  # fmt: skip
    if free_gb < 5 * max(scales) + 1:  # scale 1's cluster takes 3.2 GB
        raise SystemExit(
            f"scale {max(scales):g} needs about {5 * max(scales) + 1:.0f} GB free under /tmp"
        )
    procs: dict[str, subprocess.Popen[bytes] | None] = {"service": None}
    try:
        targets: dict[str, bool] = {}
        details = []
        for scale in scales:
            met, missed = print_scale(args, run_scale(args, scale, workdir, procs))
            targets |= met
            details += [f"scale {scale:g} Q{i} {p95:.0f} ms" for i, p95 in missed]
            sys.stdout.flush()
        print()
        print(
            "targets: "
            + ", ".join(f"{k}: {'met' if v else 'MISSED'}" for k, v in targets.items())
            + (f" ({'; '.join(details)})" if details else "")
        )
        return 0
    finally:
        for proc in procs.values():
            stop_process(proc)


if __name__ == "__main__":
    sys.exit(main())
