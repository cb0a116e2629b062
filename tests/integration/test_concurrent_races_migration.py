"""Migration 0011 (concurrent races) on a database with today's schema and data.

The database is built by ``project88 migrate`` from the migrations up to 0010,
filled the way one race at a time fills it, then migrated to the end by the
same command. Its data stays, and so does its meaning: the active session is
still where a controller without a routed login sends its reads, a session
without a time zone still reads the listener's, the roster still names every
session's runners.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg2
import psycopg2.errors
import pytest

from tests.conftest import REPO, SseReader, query, wait_for
from tests.lineclient import LineClient

NY = ZoneInfo("America/New_York")
BEFORE = "0010_roster_sources"
_names = itertools.count(1)


def migrate(dsn: str, sql_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, P88_RAW_DSN=dsn, P88_TIMEZONE="America/New_York")
    if sql_dir is not None:
        env["P88_SQL_DIR"] = str(sql_dir)
    return subprocess.run(
        [sys.executable, "-m", "project88.cli", "migrate", "--database", "raw"],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.fixture
def old_database(pg, tmp_path: Path) -> str:
    """A database with the schema of migrations 0001-0010 and one race's data."""
    old_sql = tmp_path / "sql" / "raw_tag_data"
    old_sql.mkdir(parents=True)
    for path in sorted((REPO / "sql" / "raw_tag_data").glob("*.sql")):
        if path.stem <= BEFORE:
            shutil.copy(path, old_sql / path.name)
    name = f"migrate_0011_{os.getpid()}_{next(_names)}"
    pg.create_database(name)
    dsn = pg.dsn(name)
    done = migrate(dsn, tmp_path / "sql")
    assert done.returncode == 0, done.stderr
    assert "0010_roster_sources" in done.stdout and "0011" not in done.stdout
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO timing_sessions (id, session_name, event_name, status, time_zone)"
            " VALUES (1, 'Session_old', 'Old Race', 'closed', 'America/Chicago'),"
            "        (2, 'Session_today', 'Hartford', 'active', NULL)"
        )
        cur.execute("SELECT setval('timing_sessions_id_seq', 2)")
        cur.execute(
            "INSERT INTO timing_reads (session_id, sequence_number, location_name, tag_code,"
            " read_time, read_date, read_timestamp, raw_data) VALUES"
            " (1, 1, 'finish', '7', '09:00', '2025-05-01', '2025-05-01 09:00-05', 'x'),"
            " (2, 1, 'finish', '101', '10:00', '2025-10-11', '2025-10-11 10:00-04', 'y')"
        )
        cur.execute(
            "INSERT INTO race_roster (bib, first_name, last_name, tag_code) VALUES"
            " ('101', 'Alice', 'Old', NULL), ('102', 'Bo', 'Chip', 'M12')"
        )
    conn.close()
    return dsn


def test_migration_keeps_the_data_and_its_meaning(old_database):
    dsn = old_database
    before = {
        table: query(dsn, f"SELECT * FROM {table} ORDER BY 1")
        for table in ("timing_reads", "timing_locations", "connection_log")
    }
    done = migrate(dsn)
    assert done.returncode == 0, done.stderr
    assert "0011_concurrent_races" in done.stdout
    for table, rows in before.items():
        assert query(dsn, f"SELECT * FROM {table} ORDER BY 1") == rows, table
    # Every session kept, none routed to a login: today's are automatic sessions.
    assert query(
        dsn,
        "SELECT id, session_name, event_name, status, time_zone, login, slug, timing_partner_id"
        " FROM timing_sessions ORDER BY id",
    ) == [
        (1, "Session_old", "Old Race", "closed", "America/Chicago", None, None, None),
        (2, "Session_today", "Hartford", "active", None, None, None, None),
    ]
    # The roster is the shared one (no session), every runner as it was.
    assert query(
        dsn, "SELECT bib, first_name, tag_code, session_id, roster_key FROM race_roster ORDER BY 1"
    ) == [("101", "Alice", None, None, 0), ("102", "Bo", "M12", None, 0)]

    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        # Still one automatic session at a time...
        with pytest.raises(psycopg2.errors.UniqueViolation):
            cur.execute("INSERT INTO timing_sessions (session_name) VALUES ('second automatic')")
        # ...but races routed by login beside it, one active session per login and slug.
        cur.execute(
            "INSERT INTO timing_sessions (session_name, login, slug)"
            " VALUES ('Boulder', 'boulder', 'boulder-10k') RETURNING id"
        )
        (boulder,) = cur.fetchone()
        with pytest.raises(psycopg2.errors.UniqueViolation):
            cur.execute("INSERT INTO timing_sessions (session_name, login) VALUES ('x', 'boulder')")
        with pytest.raises(psycopg2.errors.UniqueViolation):
            cur.execute(
                "INSERT INTO timing_sessions (session_name, slug) VALUES ('x', 'boulder-10k')"
            )
        with pytest.raises(psycopg2.errors.CheckViolation):
            cur.execute("INSERT INTO timing_sessions (session_name, slug) VALUES ('x', 'Bad Slug')")
        # The same bib in another race's roster is another runner; twice in one roster, no.
        cur.execute(
            "INSERT INTO race_roster (session_id, bib, first_name) VALUES (%s, '101', 'Bob')",
            (boulder,),
        )
        with pytest.raises(psycopg2.errors.UniqueViolation):
            cur.execute("INSERT INTO race_roster (bib, first_name) VALUES ('101', 'Again')")
    conn.close()


def test_a_migrated_database_times_its_race_as_before(
    old_database, listener_factory, display_factory
):
    """A controller with no login lands in the session that was active before the migration;
    its times read in the listener's zone, and the display names the shared roster's runner."""
    dsn = old_database
    assert migrate(dsn).returncode == 0
    listener = listener_factory(dsn).start()
    display = display_factory(dsn).start()
    client = LineClient(listener.port)
    client.handshake()
    client.send("CT01_33~0~finish~newlocation~00:00:00.00~0~0~0")
    client.send("ack~getconnectionid~" + "cd34" * 10, "ack~getlocations~finish")
    client.until(lambda line: line.startswith("start~finish~"))
    client.send("CT01_33~2~finish~M12~2025-10-11T10:05:00.00~1~117F37~1")
    wait_for(lambda: query(dsn, "SELECT count(*) FROM timing_reads")[0][0] == 3, what="the read")
    client.close()
    (session, when), *_ = query(
        dsn, "SELECT session_id, read_timestamp FROM timing_reads WHERE tag_code = 'M12'"
    )
    assert session == 2
    assert when == dt.datetime(2025, 10, 11, 10, 5, tzinfo=NY)
    stream = SseReader(f"{display.url}/api/timing/stream?session_id=2",
                       headers={"Last-Event-ID": "0"})  # fmt: skip
    reads = {data["tag_code"]: data for _id, data in stream.take(2)}
    stream.close()
    assert reads["M12"]["bib"] == "102" and reads["M12"]["runner"]["first_name"] == "Bo"
    assert reads["101"]["runner"]["first_name"] == "Alice"
