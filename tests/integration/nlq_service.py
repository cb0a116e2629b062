"""Helpers for tests that run the real nlq_http: its process, the scope key, a small database.

``start_service`` is what every such test uses (test_nlq.py, test_nlq_scope.py,
test_nlq_safety.py); ``small_results_db`` is two partners' worth of hand-made
rows, for tests that need to know every row rather than the synthetic dataset.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

from daemons.common import migrate
from project88 import scopekey
from project88.pgcluster import Cluster, free_port
from tests.conftest import REPO, query, wait_for

PARTNER_A, PARTNER_B = 1, 2
SMALL_KEYS = {
    "admin": "p88_small_admin_key_0123456789",
    "a": "p88_small_partner_a_key_01234",
    "b": "p88_small_partner_b_key_01234",
}


def sha(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def scope_key(dsn: str, workdir: Path) -> Path:
    """A fresh partner scope key, stored in the database and in a file for the service."""
    path = workdir / "scope-key"
    scopekey.new_key_file(path)
    assert scopekey.store(dsn, path.read_bytes().strip())
    return path


def small_results_db(cluster: Cluster, name: str, workdir: Path) -> dict[str, Any]:
    """A migrated project88_myappdb: partners A and B, one marathon each (A's in 2024 is the
    Hartford Marathon), finishers with known names, API keys, the scope key."""
    cluster.create_database(name)
    dsn = cluster.dsn(name)
    migrate.apply(dsn, "production")
    statements = [
        "INSERT INTO timing_partners (id, name, slug) VALUES"
        " (1, 'Alpha Timing', 'alpha'), (2, 'Beta Timing', 'beta')",
        "INSERT INTO ct_events (id, timing_partner_id, name, event_date) VALUES"
        " (10, 1, 'Hartford Marathon', '2024-10-12'), (20, 2, 'Beta City Marathon', '2024-05-05')",
        "INSERT INTO ct_races (id, event_id, timing_partner_id, name, distance_km) VALUES"
        " (11, 10, 1, 'Marathon', 42.195), (21, 20, 2, 'Marathon', 42.195)",
    ]
    for sql in statements:
        query(dsn, sql)
    runners = [  # (id, race, event, partner, first, last, sex, age, city, chip time)
        (101, 11, 10, 1, "Ann", "Able", "F", 31, "Hartford", "2:55:01"),
        (102, 11, 10, 1, "Bob", "Baker", "M", 44, "-Springfield", "3:10:12"),
        (201, 21, 20, 2, "Cy", "Beta", "M", 38, "Beta City", "2:59:59"),
        (202, 21, 20, 2, "Di", "Beta", "F", 52, "Beta City", "3:30:00"),
    ]
    for rid, race, event, partner, first, last, sex, age, city, chip in runners:
        query(
            dsn,
            "INSERT INTO ct_participants (id, race_id, event_id, timing_partner_id, bib,"
            " first_name, last_name, sex, age, city) VALUES (%s, %s, %s, %s, %s, %s, %s, %s,"
            " %s, %s)",
            (rid, race, event, partner, str(rid), first, last, sex, age, city),
        )
        query(
            dsn,
            "INSERT INTO ct_results (id, participant_id, race_id, event_id, timing_partner_id,"
            " chip_time, overall_place) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (rid, rid, race, event, partner, chip, rid % 100),
        )
    query(
        dsn,
        "INSERT INTO users (timing_partner_id, email, full_name, role, api_key_sha256) VALUES"
        " (NULL, 'admin@small.example', 'Admin', 'admin', %s),"
        " (1, 'a@small.example', 'A Staff', 'staff', %s),"
        " (2, 'b@small.example', 'B Staff', 'staff', %s)",
        (sha(SMALL_KEYS["admin"]), sha(SMALL_KEYS["a"]), sha(SMALL_KEYS["b"])),
    )
    query(dsn, "ALTER ROLE nlq_reader LOGIN")
    query(dsn, "ALTER ROLE nlq_admin LOGIN")
    return {"dsn": dsn, "scope_key_file": scope_key(dsn, workdir)}


def service_env(results_db: dict[str, Any], live_db: str, workdir: Path, **extra: str) -> dict:
    return {
        **os.environ,
        "P88_PROD_DSN": results_db["dsn"],
        "P88_NLQ_DSN": results_db["dsn"] + " user=nlq_reader",
        "P88_NLQ_RAW_DSN": live_db + " user=nlq_reader",
        "P88_NLQ_ADMIN_DSN": results_db["dsn"] + " user=nlq_admin",
        "P88_NLQ_SCOPE_KEY_FILE": str(results_db["scope_key_file"]),
        "P88_NLQ_PORT": str(free_port()),
        "P88_TIMEZONE": "America/New_York",
        "LLM_USER_PATH": str(workdir / "llm"),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def spawn(env: dict[str, str], workdir: Path) -> subprocess.Popen:
    log = open(workdir / "nlq.log", "w")  # noqa: SIM115 - handed to the child
    return subprocess.Popen(
        [sys.executable, "-m", "daemons.nlq_http"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def start_service(results_db, live_db, workdir, **extra):
    """nlq_http answering on a free port: (process, {url, log, **results_db})."""
    env = service_env(results_db, live_db, workdir, **extra)
    proc = spawn(env, workdir)
    url = f"http://127.0.0.1:{env['P88_NLQ_PORT']}"

    def up() -> bool:
        assert proc.poll() is None, (workdir / "nlq.log").read_text()
        try:
            return requests.get(url + "/", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    wait_for(up, 30, interval=0.2, what="nlq_http to answer")
    return proc, {"url": url, "log": workdir / "nlq.log", **results_db}
