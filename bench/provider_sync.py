"""bench/provider_sync: RunSignUp participants through the real sync path, beside COPY.

One run, one throwaway cluster, a local fake RunSignUp (tests/fakes, in this
process, HTTP over loopback) holding ``--participants`` registrations of one
race, split over its two events, registered a minute apart. The production
database is migrated as a non-superuser owner; the sync writes as a login role
in ``p88_sync`` (not BYPASSRLS), so every row passes row-level security, as
deployed. Each job goes the way the daemon and ``project88 sync run`` take it:
``runner.enqueue``, then timed from ``runner.claim`` to the outcome of
``runner.execute`` (credentials unsealed, pages fetched, one transaction per
page, sync_history and the queue row written).

1. first sync of ``participants`` for the race, into an empty table;
2. the same job again: nothing changed, and its cursors say so (what the
   daemon's next run costs);
3. a full re-read, nothing changed: cursors deleted first, so every row is
   fetched and upserted again and the upsert skips them all (idempotence);
4. baseline: the rows the sync stored, read back, the table truncated, and the
   same rows ``COPY``-ed into the same table (its indexes and constraints; as
   the superuser, as COPY FROM is refused under row-level security).

rows/s is participants / seconds, whatever a phase fetched ("fetched": the rows
the provider sent, bib/chip list and race included). Before each phase: VACUUM
ANALYZE and CHECKPOINT (so the first sync meets an empty, analyzed table). The
provider's rate limit is lifted (providers.rate_limit_per_hour) so the code is
measured, not the limit. Where a sync's time goes: HTTP (the request, and the
fake building its answer), the database (statements and commits, round trips
included; the slowest statements named) and the rest, the sync's own Python
(JSON decoding, rows, JSON for the upserts). Every figure comes from this run.

Usage: python bench/provider_sync.py [--participants 50000] [--page-size 2500] [--repeat 1]
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import psycopg2.extensions
import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from daemons.common import migrate  # noqa: E402
from daemons.provider_sync import fetch, runner, secretbox  # noqa: E402
from daemons.provider_sync.adapters import runsignup as rsu  # noqa: E402
from daemons.provider_sync.adapters.base import Request, Response  # noqa: E402
from daemons.provider_sync.settings import SyncSettings  # noqa: E402
from daemons.provider_sync.store import sql  # noqa: E402
from project88.pgcluster import Cluster  # noqa: E402
from tests.fakes.fake_runsignup import FakeRunSignUp  # noqa: E402

GROUP_ROLES = ("nlq_reader", "web_anon", "p88_sync")  # as tests/conftest.py makes them
OWNER = "p88_sync_owner"  # owns the production tables (migrates them), not a superuser
LOGIN = "p88_sync_daemon"  # the daemon's login: p88_sync (+ p88_roster), NOBYPASSRLS
PARTNER = 1
RUNSIGNUP = 2  # providers.id
TEMPLATE = "p88bench_prod_template"
UNLIMITED_PER_HOUR = 1_000_000_000  # providers.rate_limit_per_hour: 3.6 µs between requests
DEFAULT_PER_HOUR = 3600  # the migration's default for every provider
COLUMNS = (
    "registration_id, runsignup_race_id, timing_partner_id, bib, chip, first_name, last_name,"
    " sex, age, city, state, email, phone, registered_at, amount_paid, last_modified"
)


# --- where the time goes ------------------------------------------------------------


# The sync's statements by text (daemons/provider_sync/sql/*.sql), to name them.
STATEMENTS = {
    sql(path.stem): path.stem for path in (Path(runner.__file__).parent / "sql").glob("*.sql")
}


@dataclass
class Clock:
    http: float = 0.0
    db: float = 0.0
    statements: dict[str, list[float]] = field(default_factory=dict)  # name -> [count, s]

    def reset(self) -> None:
        self.http = self.db = 0.0
        self.statements = {}


CLOCK = Clock()


class TimedCursor(psycopg2.extensions.cursor):
    def execute(self, query, vars=None):
        started = time.perf_counter()
        try:
            return super().execute(query, vars)
        finally:
            took = time.perf_counter() - started
            CLOCK.db += took
            entry = CLOCK.statements.setdefault(STATEMENTS.get(query, "other"), [0, 0.0])
            entry[0] += 1
            entry[1] += took


class TimedConnection(psycopg2.extensions.connection):
    def commit(self):
        started = time.perf_counter()
        try:
            return super().commit()
        finally:
            CLOCK.db += time.perf_counter() - started

    def rollback(self):
        started = time.perf_counter()
        try:
            return super().rollback()
        finally:
            CLOCK.db += time.perf_counter() - started


def daemon_connection(dsn: str) -> psycopg2.extensions.connection:
    """What daemons.common.db.connect opens, with a clock on statements and commits."""
    return psycopg2.connect(
        dsn,
        connection_factory=TimedConnection,
        cursor_factory=TimedCursor,
        application_name="provider-sync",
        connect_timeout=5,
        keepalives=1,
        keepalives_idle=5,
        keepalives_interval=2,
        keepalives_count=3,
    )


def timed_send(session: requests.Session) -> fetch.Send:
    """execute's own Send (fetch.send_with_requests over a Session), with a clock."""
    inner = fetch.send_with_requests(session)

    def send(base_url: str, request: Request, timeout: float) -> Response:
        started = time.perf_counter()
        try:
            return inner(base_url, request, timeout)
        finally:
            CLOCK.http += time.perf_counter() - started

    return send


# --- the world ----------------------------------------------------------------------


def run_sql(dsn: str, *statements: str, params: object = None, autocommit: bool = False) -> list:
    conn = psycopg2.connect(dsn)
    conn.autocommit = autocommit
    try:
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement, params)
            rows = cur.fetchall() if cur.description else []
        if not autocommit:
            conn.commit()
        return rows
    finally:
        conn.close()


def as_role(dsn: str, cluster: Cluster, role: str) -> str:
    return dsn.replace(f"user={cluster.superuser}", f"user={role}")


def prepare(cluster: Cluster, key_file: Path) -> str:
    """Roles, the raw database, and a migrated production template with the
    partners, the providers and partner 1's sealed RunSignUp credentials; returns
    the raw database's DSN for the daemon."""
    postgres = cluster.dsn("postgres")
    for role in GROUP_ROLES:
        run_sql(
            postgres,
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
            f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$",
        )
    run_sql(postgres, f"CREATE ROLE {OWNER} LOGIN")
    cluster.create_database("raw_tag_data")
    migrate.apply(cluster.dsn("raw_tag_data"), "raw_tag_data")  # creates p88_roster
    run_sql(postgres, f"CREATE ROLE {LOGIN} LOGIN NOBYPASSRLS IN ROLE p88_sync, p88_roster")

    cluster.create_database(TEMPLATE)
    su = cluster.dsn(TEMPLATE)
    run_sql(su, f'ALTER DATABASE "{TEMPLATE}" OWNER TO {OWNER}')
    run_sql(su, f"ALTER SCHEMA public OWNER TO {OWNER}")
    owner = as_role(su, cluster, OWNER)
    migrate.apply(owner, "production")
    run_sql(
        su,
        "INSERT INTO timing_partners (id, name, slug) VALUES (1, 'Fast Finish Timing', "
        "'fast-finish'), (2, 'Other Timing Co', 'other-timing')",
        f"UPDATE providers SET rate_limit_per_hour = {UNLIMITED_PER_HOUR}",
    )
    # As `project88 sync credentials set` stores them: sealed here, as the owner.
    fake = FakeRunSignUp()
    sealed = secretbox.seal(
        secretbox.load_box(key_file),
        "runsignup",
        {"api_key": fake.api_key, "api_secret": fake.api_secret},
    )
    conn = psycopg2.connect(owner)
    with conn, conn.cursor() as cur:
        cur.execute(sql("as_partner"), {"partner": PARTNER})
        cur.execute(
            sql("credentials_put"), {"partner": PARTNER, "provider": "runsignup", "sealed": sealed}
        )
    conn.close()
    return as_role(cluster.dsn("raw_tag_data"), cluster, LOGIN)


def fresh_production(cluster: Cluster, n: int) -> str:
    """A copy of the template for one run; returns its superuser DSN."""
    name = f"p88bench_prod_{n}"
    run_sql(
        cluster.dsn("postgres"),
        f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}" OWNER {OWNER}',
        autocommit=True,
    )
    return cluster.dsn(name)


def fill_fake(fake: FakeRunSignUp, participants: int) -> None:
    """``participants`` registrations, alternately in the race's two events, a minute apart."""
    last = fake.clock
    for i in range(participants):
        fake.clock = last - (participants - 1 - i) * 60
        fake.add_participant(fake.event_ids[i % len(fake.event_ids)])


def settle(su_dsn: str) -> None:
    run_sql(su_dsn, "VACUUM (ANALYZE) runsignup_participants", "CHECKPOINT", autocommit=True)


# --- the phases ---------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    rows: int
    seconds: float
    requests: int = 0
    fetched: int = 0
    changed: int = 0
    http: float = 0.0
    db: float = 0.0
    statements: dict[str, list[float]] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.rows / self.seconds


def sync_once(name: str, settings: SyncSettings, fake: FakeRunSignUp, participants: int) -> Phase:
    box = secretbox.load_box(settings.key_file)
    conn = daemon_connection(settings.common.prod_dsn)
    session = requests.Session()
    me = f"bench:{socket.gethostname()}:{os.getpid()}"
    try:
        queued = runner.enqueue(
            conn, PARTNER, "runsignup", "participants", str(fake.race_id), priority=1
        )
        if queued is None:
            raise SystemExit("no runsignup row in providers")
        asked = len(fake.requests)
        CLOCK.reset()
        started = time.perf_counter()
        job = runner.claim(conn, me, settings.lease_seconds, only=queued[0])
        if job is None:
            raise SystemExit(f"job {queued[0]} could not be claimed")
        outcome = runner.execute(
            settings, conn, job, box, me, threading.Event(), send=timed_send(session)
        )
        seconds = time.perf_counter() - started
    finally:
        session.close()
        conn.close()
    if not outcome.ok:
        raise SystemExit(f"{name}: {outcome.line(job)}")
    return Phase(name, participants, seconds, len(fake.requests) - asked,
                 outcome.tally.fetched, outcome.tally.changed, CLOCK.http, CLOCK.db,
                 CLOCK.statements)  # fmt: skip


def copy_baseline(su_dsn: str, participants: int) -> Phase:
    conn = psycopg2.connect(su_dsn)
    stored = io.BytesIO()
    with conn, conn.cursor() as cur:
        cur.copy_expert(
            f"COPY (SELECT {COLUMNS} FROM runsignup_participants ORDER BY registration_id)"
            " TO STDOUT",
            stored,
        )
        cur.execute("TRUNCATE runsignup_participants")
    settle(su_dsn)
    stored.seek(0)
    started = time.perf_counter()
    with conn, conn.cursor() as cur:
        cur.copy_expert(f"COPY runsignup_participants ({COLUMNS}) FROM STDIN", stored)
        copied = cur.rowcount
    seconds = time.perf_counter() - started
    conn.close()
    if copied != participants:
        raise SystemExit(f"COPY wrote {copied} rows, not {participants}")
    return Phase("baseline: COPY, same rows, same table", copied, seconds)


def stored_count(su_dsn: str) -> int:
    return run_sql(su_dsn, "SELECT count(*) FROM runsignup_participants")[0][0]


def one_run(
    cluster: Cluster, n: int, env: dict[str, str], fake: FakeRunSignUp, participants: int
) -> list[Phase]:
    su = fresh_production(cluster, n)
    settings = SyncSettings.from_env({**env, "P88_PROD_DSN": as_role(su, cluster, LOGIN)})
    settle(su)
    asked = len(fake.requests)
    first = sync_once("first sync (empty table)", settings, fake, participants)
    sizes = {q.get("results_per_page") for path, q in fake.requests[asked:]
             if path.endswith("/participants")}  # fmt: skip
    if sizes != {env["P88_SYNC_PAGE_SIZE"]}:
        print(f"warning: the sync asked for pages of {', '.join(sorted(map(str, sizes)))}, "
              f"not {env['P88_SYNC_PAGE_SIZE']}")  # fmt: skip
    if (count := stored_count(su)) != participants:
        raise SystemExit(f"first sync stored {count} participants, not {participants}")
    settle(su)
    again = sync_once("same job again (cursor: nothing new)", settings, fake, participants)
    run_sql(su, "DELETE FROM sync_cursors")
    settle(su)
    full = sync_once("full re-read, nothing changed", settings, fake, participants)
    if full.changed:
        raise SystemExit(f"the re-read of unchanged rows changed {full.changed} rows")
    settle(su)
    return [first, again, full, copy_baseline(su, participants)]


def report(phases: list[Phase]) -> None:
    copy = phases[-1]
    print(f"{'phase':40}{'rows':>9}{'seconds':>9}{'rows/s':>10}{'/ COPY':>8}"
          f"{'requests':>10}{'fetched':>9}{'changed':>9}")  # fmt: skip
    for p in phases:
        extra = "" if p is copy else f"{p.requests:>10,}{p.fetched:>9,}{p.changed:>9,}"
        print(f"{p.name:40}{p.rows:>9,}{p.seconds:>9.2f}{p.rate:>10,.0f}"
              f"{p.rate / copy.rate:>8.3f}{extra}")  # fmt: skip
    print()
    print(f"{'where a sync spends its time':40}{'HTTP':>9}{'sync Python':>13}{'database':>10}"
          "   slowest statements, seconds (count)")  # fmt: skip
    for p in phases[:-1]:
        rest = p.seconds - p.http - p.db
        slowest = sorted(p.statements.items(), key=lambda kv: -kv[1][1])[:2]
        named = ", ".join(f"{name} {sec:.2f} ({n:.0f})" for name, (n, sec) in slowest)
        print(f"{'  ' + p.name:40}{p.http / p.seconds:>9.0%}{rest / p.seconds:>13.0%}"
              f"{p.db / p.seconds:>10.0%}   {named}")  # fmt: skip


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--participants",
        type=int,
        default=50_000,
        help="RunSignUp registrations in the race, over its two events",
    )
    parser.add_argument(
        "--page-size",
        type=int,
        default=rsu.MAX_PER_PAGE,
        help=f"participants per page (P88_SYNC_PAGE_SIZE), 1..{rsu.MAX_PER_PAGE}",
    )
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs, each on a fresh copy of the database")  # fmt: skip
    args = parser.parse_args()
    if not 1 <= args.page_size <= rsu.MAX_PER_PAGE:
        parser.error(f"--page-size must be 1..{rsu.MAX_PER_PAGE} (RunSignUp's most)")
    if args.participants < 1 or args.repeat < 1:
        parser.error("--participants and --repeat must be at least 1")

    workdir = Path(tempfile.mkdtemp(prefix="p88bench-sync-", dir="/tmp"))
    workdir.chmod(0o755)  # the PostgreSQL server user must reach its folder inside
    key_file = workdir / "sync-key"
    key_file.write_text(secrets.token_urlsafe(32) + "\n")
    key_file.chmod(0o600)
    cluster = Cluster(workdir / "pg")
    fake = FakeRunSignUp()
    try:
        cluster.start()
        raw_daemon = prepare(cluster, key_file)
        started = time.perf_counter()
        fill_fake(fake, args.participants)
        filled = time.perf_counter() - started
        fake.start()
        env = {
            "P88_RAW_DSN": raw_daemon,
            "P88_TIMEZONE": "UTC",
            "P88_SYNC_RUNSIGNUP_URL": fake.base_url,
            "P88_SYNC_KEY_FILE": str(key_file),
            "P88_SYNC_PAGE_SIZE": str(args.page_size),
        }
        print(
            f"bench/provider_sync on {os.cpu_count()} cores; {args.participants:,} RunSignUp "
            f"participants in {len(fake.event_ids)} events (fake filled in {filled:.1f} s, "
            f"served from this process); pages of {args.page_size:,}; "
            f"{args.repeat} run{'s' if args.repeat > 1 else ''}"
        )
        runs = []
        for n in range(1, args.repeat + 1):
            phases = one_run(cluster, n, env, fake, args.participants)
            runs.append(phases)
            print()
            if args.repeat > 1:
                print(f"run {n}")
            report(phases)
        if args.repeat > 1:
            print()
            print(f"over {args.repeat} runs: median rows/s (range), median / COPY")
            for i, p in enumerate(runs[0]):
                rates = [r[i].rate for r in runs]
                ratios = [r[i].rate / r[-1].rate for r in runs]
                spread = f"({min(rates):,.0f}-{max(rates):,.0f})"
                print(f"  {p.name:40}{statistics.median(rates):>10,.0f} {spread:>17}"
                      f"{statistics.median(ratios):>8.3f}")  # fmt: skip
        first = runs[-1][0]
        print()
        print(
            f"rate limit lifted for the bench (providers.rate_limit_per_hour = "
            f"{UNLIMITED_PER_HOUR:,}); at the default {DEFAULT_PER_HOUR:,} requests/hour the "
            f"first sync's {first.requests} requests alone would take at least "
            f"{(first.requests - 1) * 3600 / DEFAULT_PER_HOUR:.0f} s"
        )
        return 0
    finally:
        fake.stop()
        cluster.destroy()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
