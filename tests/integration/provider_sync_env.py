"""A production and a raw database for provider_sync tests, and ways to run it.

The daemon's login role is a member of ``p88_sync`` and ``p88_roster`` only:
neither owner nor superuser nor BYPASSRLS, as the deployment makes it, so every
write in these tests passes the partner_isolation policies.
"""

from __future__ import annotations

import itertools
import os
import secrets
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2

from tests.conftest import REPO, fresh_database, query
from tests.integration.test_roster_from_event import production_database

OWNER = "p88_sync_owner"
LOGIN = "p88_sync_daemon"
PARTNERS = ((1, "Fast Finish Timing", "fast-finish"), (2, "Other Timing Co", "other-timing"))
PROVIDERS = ((1, "ChronoTrack", "chronotrack"), (2, "RunSignUp", "runsignup"),
             (3, "Race Roster", "raceroster"))  # fmt: skip
_numbers = itertools.count(1)


def as_role(dsn: str, superuser: str, role: str) -> str:
    return dsn.replace(f"user={superuser}", f"user={role}")


@dataclass
class SyncWorld:
    prod_owner: str  # the tables' owner (what the CLI runs as, like ops)
    prod_su: str  # superuser: inspects everything
    prod_daemon: str  # the daemon's login role
    raw_su: str
    raw_daemon: str
    key_file: Path
    log_dir: Path
    procs: list[subprocess.Popen] = field(default_factory=list)

    def env(self, daemon: bool = False, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            P88_PROD_DSN=self.prod_daemon if daemon else self.prod_owner,
            P88_RAW_DSN=self.raw_daemon if daemon else self.raw_su,
            P88_TIMEZONE="UTC",
            P88_SYNC_KEY_FILE=str(self.key_file),
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    def cli(self, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "project88.cli", *args],
            cwd=REPO, env=self.env(**env), input=stdin, capture_output=True, text=True,
            check=False, timeout=180,
        )  # fmt: skip

    def set_credentials(self, partner: int, provider: str, fields: dict[str, str]) -> None:
        import json

        done = self.cli("sync", "credentials", "set", "--partner", str(partner),
                        "--provider", provider, stdin=json.dumps(fields))  # fmt: skip
        assert done.returncode == 0, done.stderr

    def daemon(self, name: str = "sync", **env: str) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 (kept by the process)
        proc = subprocess.Popen(
            [sys.executable, "-m", "daemons.provider_sync"],
            cwd=REPO, env=self.env(daemon=True, P88_SYNC_POLL_SECONDS="0.2", **env),
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.procs.append(proc)
        return proc

    def log(self, name: str = "sync") -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()

    def su(self, sql: str, params: object = None) -> list[tuple]:
        return query(self.prod_su, sql, params)


def make_world(pg, tmp_path: Path) -> SyncWorld:
    prod_owner, prod_su = production_database(pg, owner=OWNER)
    admin = psycopg2.connect(pg.dsn("postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"SELECT 1 FROM pg_roles WHERE rolname = '{LOGIN}'")
        if cur.fetchone() is None:
            cur.execute(f"CREATE ROLE {LOGIN} LOGIN NOBYPASSRLS IN ROLE p88_sync, p88_roster")
    admin.close()
    for pid, name, slug in PARTNERS:
        query(prod_su, "INSERT INTO timing_partners (id, name, slug) VALUES (%s, %s, %s)",
              (pid, name, slug))  # fmt: skip
    # The migration holds the three providers; a fake answers at once, so there is no
    # need to spread requests over the hour (a test of the limit sets its own).
    assert [r[0] for r in query(prod_su, "SELECT slug FROM providers ORDER BY id")] == [
        slug for _id, _name, slug in PROVIDERS
    ]
    query(prod_su, "UPDATE providers SET rate_limit_per_hour = 3600000")
    raw_su = fresh_database(pg)
    key = tmp_path / f"sync-key-{next(_numbers)}"
    key.write_text(secrets.token_urlsafe(32) + "\n")
    key.chmod(0o600)
    return SyncWorld(
        prod_owner=prod_owner, prod_su=prod_su,
        prod_daemon=as_role(prod_su, pg.superuser, LOGIN), raw_su=raw_su,
        raw_daemon=as_role(raw_su, pg.superuser, LOGIN), key_file=key, log_dir=tmp_path,
    )  # fmt: skip
