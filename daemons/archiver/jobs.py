"""The archiver's jobs: archive old reads, back up, close idle sessions.

Each job takes its settings, a ``stop`` event (SIGTERM) and returns a
``RunResult``; ``runlog`` keeps it in ``archiver_runs`` from its start. The scheduler in
``__main__`` and ``--run-once`` call the same functions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg2
import psycopg2.extensions

from daemons.common import db
from daemons.common.logs import kv

from . import backups, runlog
from .schedule import Outcome
from .settings import ArchiverSettings

log = logging.getLogger("archiver")
PACKAGE = "daemons.archiver"


def sql(name: str) -> str:
    return db.load_sql(PACKAGE, name)


@dataclass
class RunResult:
    job: str
    outcome: Outcome
    started_at: dt.datetime
    seconds: float = 0.0
    summary: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        return kv(
            job=self.job, outcome=self.outcome.label, seconds=f"{self.seconds:.1f}", **self.summary
        )


@contextlib.contextmanager
def connection(settings: ArchiverSettings) -> Iterator[psycopg2.extensions.connection]:
    conn = db.connect(settings.common.raw_dsn, "archiver")
    try:
        yield conn
    finally:
        conn.close()


# -- archive -------------------------------------------------------------------------------
def archive(
    settings: ArchiverSettings, stop: threading.Event, now: dt.datetime | None = None
) -> RunResult:
    """Move reads older than the retention to the archive, one short transaction per batch.

    The advisory lock makes a second archiver (started by mistake) skip
    instead of competing. Between batches the run yields to the listener and
    checks the time budget and ``stop``: a batch in flight always finishes (or
    rolls back) as a whole, so a row is never half-moved.
    """
    started_at = now or dt.datetime.now(dt.UTC)
    cutoff = started_at - dt.timedelta(days=settings.common.retention_days)
    clock = time.monotonic()
    result = RunResult("archive", Outcome.DONE, started_at)
    moved = batches = 0
    with connection(settings) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql("try_lock"))
            if not cur.fetchone()[0]:
                result.outcome = Outcome.SKIPPED
                result.summary = {"reason": "another archiver holds the lock"}
                return result
            try:
                while True:
                    with conn:  # one transaction per batch
                        cur.execute(
                            sql("archive_batch"),
                            {"cutoff": cutoff, "batch_size": settings.batch_size},
                        )
                        count = int(cur.fetchone()[0])
                    moved += count
                    batches += 1 if count else 0
                    if count < settings.batch_size:
                        break
                    if stop.is_set() or time.monotonic() - clock > settings.budget:
                        cur.execute(sql("archive_remaining"), {"cutoff": cutoff})
                        if cur.fetchone()[0]:
                            result.outcome = Outcome.PARTIAL
                        break
                    if settings.batch_pause:
                        stop.wait(settings.batch_pause)
                with conn:
                    cur.execute(sql("archive_logged"), {"count": moved})
                    payload = json.dumps({"archived_count": moved, "cutoff": cutoff.isoformat()})
                    cur.execute(sql("archive_announce"), {"payload": payload})
            finally:
                cur.execute(sql("unlock"))
    result.seconds = time.monotonic() - clock
    result.summary = {
        "moved": moved,
        "batches": batches,
        "cutoff": cutoff.isoformat(),
        "rows_per_s": round(moved / result.seconds) if result.seconds else 0,
    }
    if result.outcome is Outcome.PARTIAL:
        result.summary["reason"] = "stopped" if stop.is_set() else "time budget used up"
    return result


# -- backups -------------------------------------------------------------------------------
def backup(
    settings: ArchiverSettings, stop: threading.Event, now: dt.datetime | None = None
) -> RunResult:
    """``pg_dump`` of each configured database, then the retention count."""
    started_at = now or dt.datetime.now(dt.UTC)
    clock = time.monotonic()
    local = started_at.astimezone(db_zone(settings))
    result = RunResult("backup", Outcome.DONE, started_at)
    written, removed, failures = [], [], []
    for database, dsn in settings.backup_databases:
        target = settings.backup_dir / backups.file_name(database, local)
        try:
            size = backups.dump(settings.pg_dump, dsn, target, stop)
        except (backups.BackupFailed, OSError) as exc:
            failures.append(f"{database}: {exc}")
            log.error("backup failed %s", kv(database=database, error=str(exc)[:500]))
            continue
        written.append(f"{target.name} ({size} bytes)")
        log.info("backup written %s", kv(database=database, file=target, bytes=size))
        for name in backups.expired(
            sorted(p.name for p in settings.backup_dir.iterdir()), database, settings.backup_keep
        ):
            (settings.backup_dir / name).unlink(missing_ok=True)
            removed.append(name)
    result.seconds = time.monotonic() - clock
    result.summary = {"written": written, "removed": removed}
    if failures:
        result.outcome = Outcome.FAILED
        result.summary["failures"] = failures
    return result


def db_zone(settings: ArchiverSettings) -> dt.tzinfo:
    from daemons.common.config import zone

    return zone(settings.common.timezone)


# -- sessions ------------------------------------------------------------------------------
def close_sessions(
    settings: ArchiverSettings, stop: threading.Event, now: dt.datetime | None = None
) -> RunResult:
    """Close active sessions that have had no read for the idle interval."""
    started_at = now or dt.datetime.now(dt.UTC)
    clock = time.monotonic()
    with connection(settings) as conn, conn, conn.cursor() as cur:
        cur.execute(sql("close_idle_sessions"), {"idle": f"{settings.session_idle_hours} hours"})
        closed = cur.fetchall()
    for session_id, name in closed:
        log.info(
            "session closed, idle %s",
            kv(id=session_id, name=name, idle_hours=settings.session_idle_hours),
        )
    return RunResult(
        "close-sessions",
        Outcome.DONE,
        started_at,
        time.monotonic() - clock,
        {"closed": [session_id for session_id, _ in closed]},
    )


JOBS = {"archive": archive, "backup": backup, "close-sessions": close_sessions}


def run(settings: ArchiverSettings, job: str, stop: threading.Event) -> RunResult:
    """Run one job, never raising: a failure is a FAILED result, logged loudly and recorded."""
    started_at = dt.datetime.now(dt.UTC)
    record = runlog.started(settings, job, started_at)
    try:
        result = JOBS[job](settings, stop, started_at)
    except (psycopg2.Error, OSError) as exc:
        message = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        result = RunResult(job, Outcome.FAILED, started_at, summary={"error": message})
    level = logging.ERROR if result.outcome is Outcome.FAILED else logging.INFO
    log.log(level, "run finished %s", result.line())
    runlog.ended(settings, record, result)
    return result


def last_runs(settings: ArchiverSettings) -> dict[str, dt.datetime]:
    with connection(settings) as conn, conn, conn.cursor() as cur:
        cur.execute(sql("last_runs"))
        return dict(cur.fetchall())
