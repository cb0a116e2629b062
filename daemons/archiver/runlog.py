"""``archiver_runs``: a run is on record from its start, and a vanished run is marked.

A run's row is written as ``running`` before the work and updated when it ends. Its
connection holds a session advisory lock on the row for the whole run, so when the
process dies mid-run PostgreSQL releases the lock, and the next archiver to start marks
the row ``interrupted`` (a second archiver started by mistake leaves a live run alone).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import psycopg2
import psycopg2.extensions

from daemons.common import db
from daemons.common.logs import kv

from .schedule import Outcome
from .settings import ArchiverSettings

if TYPE_CHECKING:
    from .jobs import RunResult

log = logging.getLogger("archiver")
PACKAGE = "daemons.archiver"


@dataclass
class RunRecord:
    """A started run's row and the connection that holds its lock."""

    run_id: int | None
    conn: psycopg2.extensions.connection | None


def started(settings: ArchiverSettings, job: str, started_at: dt.datetime) -> RunRecord:
    """Record the run as running; with the database away, the end is recorded instead."""
    try:
        conn = db.connect(settings.common.raw_dsn, "archiver-run")
    except psycopg2.Error as exc:
        log.warning("run start not recorded %s", kv(job=job, error=str(exc).strip()[:200]))
        return RunRecord(None, None)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(db.load_sql(PACKAGE, "run_started"), {"job": job, "started_at": started_at})
            return RunRecord(int(cur.fetchone()[0]), conn)
    except psycopg2.Error as exc:
        conn.close()
        log.warning("run start not recorded %s", kv(job=job, error=str(exc).strip()[:200]))
        return RunRecord(None, None)


def ended(settings: ArchiverSettings, record: RunRecord, result: RunResult) -> None:
    """Update the run's row (or write it whole) and let go of its lock."""
    values = {
        "id": record.run_id,
        "job": result.job,
        "started_at": result.started_at,
        "outcome": result.outcome.label,
        "summary": json.dumps(result.summary),
    }
    try:
        if record.conn is not None and not record.conn.closed:
            with record.conn.cursor() as cur:
                cur.execute(db.load_sql(PACKAGE, "run_ended"), values)
            return
        if result.outcome is Outcome.SKIPPED:
            return  # the archiver that holds the lock records its own run
        conn = db.connect(settings.common.raw_dsn, "archiver")
        try:
            with conn, conn.cursor() as cur:
                cur.execute(db.load_sql(PACKAGE, "run_recorded"), values)
        finally:
            conn.close()
    except psycopg2.Error as exc:
        log.error("run not recorded %s", kv(job=result.job, error=str(exc).strip()[:200]))
    finally:
        if record.conn is not None:
            record.conn.close()  # ends the session: its lock goes with it


def mark_interrupted(settings: ArchiverSettings) -> int:
    """At start: runs whose archiver vanished mid-run become ``interrupted``; their count."""
    try:
        conn = db.connect(settings.common.raw_dsn, "archiver")
        try:
            with conn, conn.cursor() as cur:
                cur.execute(db.load_sql(PACKAGE, "runs_interrupted"))
                rows = cur.fetchall()
        finally:
            conn.close()
    except psycopg2.Error as exc:
        log.warning("cannot check for interrupted runs %s", kv(error=str(exc).strip()[:200]))
        return 0
    for run_id, job, started_at in rows:
        log.error(
            "run interrupted %s",
            kv(job=job, id=run_id, started_at=started_at.isoformat(),
               reason="the archiver stopped before the run ended"),
        )  # fmt: skip
    return len(rows)
