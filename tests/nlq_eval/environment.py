"""The world a run needs: databases with demo data, API keys, live reads, the service.

The service is started by ``tests/integration/nlq_service.py``'s ``start_service``
(the one place that knows its environment variables, the partner scope key
included); the databases are prepared here rather than by ``bench/nlq.py``'s
``prepare``, which creates one admin key only and imports the service's
parser, which the harness must not depend on.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg2

from project88.pgcluster import Cluster
from tests.conftest import REPO
from tests.integration.nlq_service import scope_key, start_service
from tests.integration.test_nlq import KEYS

# Live timing: session 1 as the service's own tests have it (300 reads, a third at
# the finish, 40 tags), session 2 (closed: one session may be active) with three mats.
LIVE_READS = (
    "INSERT INTO timing_sessions (id, session_name, event_name, status) VALUES"
    " (1, 'Session 1', NULL, 'active'), (2, 'Session 2', 'Big River Turkey Trot', 'closed')",
    "INSERT INTO timing_reads (session_id, sequence_number, location_name, tag_code,"
    " read_time, read_date, read_timestamp)"
    " SELECT 1, g, CASE WHEN g % 3 = 0 THEN 'finish' ELSE 'start' END, (g % 40)::text,"
    " '10:00', '2026-11-25', now() FROM generate_series(1, 300) AS g",
    "INSERT INTO timing_reads (session_id, sequence_number, location_name, tag_code,"
    " read_time, read_date, read_timestamp)"
    " SELECT 2, g, CASE WHEN g <= 60 THEN 'start' WHEN g <= 110 THEN 'halfway' ELSE 'finish' END,"
    " (1000 + g % 60)::text, '09:00', '2026-11-26', now() FROM generate_series(1, 150) AS g",
)


def execute(dsn: str, sql: str, params: Any = None, autocommit: bool = False) -> list[tuple]:
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


@dataclass
class Databases:
    scale: float
    prod_dsn: str
    raw_dsn: str
    workdir: Path
    scope_key_file: Path | None = None
    partner_ids: dict[str, int | None] = field(default_factory=dict)  # key name -> partner
    load_seconds: float = 0.0

    def dsn(self, database: str) -> str:
        return self.raw_dsn if database == "raw" else self.prod_dsn


def prepare(cluster: Cluster, scale: float, workdir: Path, prefix: str = "nlqeval") -> Databases:
    """project88_myappdb with demo data at ``scale``, the three test keys, and live reads."""
    from daemons.common import migrate

    tag = f"{prefix}_{scale:g}".replace(".", "_").replace("-", "_")
    prod, raw = f"{tag}_prod", f"{tag}_raw"
    for name in (prod, raw):
        cluster.create_database(name)
    here = workdir / f"scale-{scale:g}"
    here.mkdir(parents=True, exist_ok=True)
    dbs = Databases(scale, cluster.dsn(prod), cluster.dsn(raw), here)
    migrate.apply(dbs.prod_dsn, "production")
    migrate.apply(dbs.raw_dsn, "raw_tag_data")
    dbs.scope_key_file = scope_key(dbs.prod_dsn, here)  # signs the service's partner scope
    started = time.perf_counter()
    log = here / "demo-data.log"
    with open(log, "w") as out:
        done = subprocess.run(
            [sys.executable, "-m", "project88.cli", "demo-data", "--scale", f"{scale:g}"],
            cwd=REPO, env={**os.environ, "P88_PROD_DSN": dbs.prod_dsn}, stdout=out,
            stderr=subprocess.STDOUT, timeout=1800, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"demo-data --scale {scale:g} failed: {log.read_text()[-2000:]}")
    dbs.load_seconds = time.perf_counter() - started
    # The keys of tests/integration/test_nlq.py: an admin, Big River, and the next partner.
    big_river = execute(
        dbs.prod_dsn, "SELECT id FROM timing_partners WHERE name = 'Big River Race Management'"
    )[0][0]
    other = execute(
        dbs.prod_dsn, "SELECT id FROM timing_partners WHERE id <> %s ORDER BY id LIMIT 1",
        (big_river,),
    )[0][0]  # fmt: skip
    dbs.partner_ids = {"admin": None, "big_river": big_river, "other": other}
    digest = {k: hashlib.sha256(v.encode()).hexdigest() for k, v in KEYS.items()}
    execute(
        dbs.prod_dsn,
        "INSERT INTO users (timing_partner_id, email, full_name, role, api_key_sha256) VALUES"
        " (NULL, 'eval-admin@test.example', 'Eval Admin', 'admin', %s),"
        " (%s, 'eval-br@test.example', 'Eval Big River', 'staff', %s),"
        " (%s, 'eval-other@test.example', 'Eval Other', 'staff', %s)",
        (digest["admin"], big_river, digest["big_river"], other, digest["other"]),
    )
    for role in ("nlq_reader", "nlq_admin"):
        execute(dbs.prod_dsn, f"ALTER ROLE {role} LOGIN")
    for statement in LIVE_READS:
        execute(dbs.raw_dsn, statement)
    return dbs


def start(dbs: Databases, name: str, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """``python -m daemons.nlq_http`` on a free port; (process, base URL)."""
    workdir = dbs.workdir / name
    workdir.mkdir(parents=True, exist_ok=True)
    results_db = {"dsn": dbs.prod_dsn, "scope_key_file": dbs.scope_key_file}
    proc, service = start_service(results_db, dbs.raw_dsn, workdir, **env)
    return proc, service["url"]


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(15)


def fingerprint(dsn: str) -> dict[str, tuple[int, int]]:
    """Every table's row count and a checksum of its rows: any write changes one of them."""
    tables = [
        r[0] for r in execute(dsn, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    ]
    out = {}
    for table in sorted(tables):
        count, checksum = execute(
            dsn, f'SELECT count(*), coalesce(sum(hashtext(t::text)::bigint), 0) FROM "{table}" t'
        )[0]
        out[table] = (int(count), int(checksum))
    return out


def changed_tables(
    before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]
) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))
