"""The ``project88`` admin command against a real database."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg2

from tests.conftest import REPO, query


def project88(*args: str, dsn: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, P88_RAW_DSN=dsn, P88_PROD_DSN=dsn, P88_TIMEZONE="UTC")
    return subprocess.run(
        [sys.executable, "-m", "project88.cli", *args],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_migrate_is_idempotent(pg):
    conn = psycopg2.connect(pg.dsn("postgres"))
    conn.autocommit = True
    conn.cursor().execute("CREATE DATABASE cli_migrate")
    conn.close()
    dsn = pg.dsn("cli_migrate")
    first = project88("migrate", "--database", "raw", dsn=dsn)
    assert first.returncode == 0, first.stderr
    every = len(list((REPO / "sql" / "raw_tag_data").glob("*.sql")))
    assert f"applied {every} migration(s)" in first.stdout
    second = project88("migrate", "--database", "raw", dsn=dsn)
    assert second.returncode == 0 and "already up to date" in second.stdout
    tables = {t for (t,) in query(dsn, "SELECT tablename FROM pg_tables WHERE schemaname='public'")}
    assert {"timing_sessions", "timing_locations", "timing_reads", "connection_log",
            "timing_reads_archive", "timing_gun_times", "race_roster"} <= tables  # fmt: skip
    indexes = {i for (i,) in query(dsn, "SELECT indexname FROM pg_indexes")}
    assert {"idx_timing_reads_session_location", "idx_timing_reads_tag_time",
            "idx_timing_reads_timestamp", "idx_timing_reads_location_name"} <= indexes  # fmt: skip
    # Each daemon's group role (0007_service_roles): what it may do, and no more.
    privileges = dict(query(dsn, """
        SELECT r, string_agg(t || ':' || p, ' ' ORDER BY t, p) FROM
          unnest(ARRAY['p88_ingest', 'p88_display', 'p88_archive']) AS r,
          unnest(ARRAY['timing_reads', 'timing_reads_archive', 'race_roster']) AS t,
          unnest(ARRAY['SELECT', 'INSERT', 'DELETE']) AS p
        WHERE has_table_privilege(r, t, p) GROUP BY r"""))  # fmt: skip
    assert privileges == {
        "p88_ingest": "race_roster:SELECT timing_reads:INSERT timing_reads:SELECT"
        " timing_reads_archive:SELECT",
        "p88_display": "race_roster:SELECT timing_reads:SELECT",
        "p88_archive": "race_roster:SELECT timing_reads:DELETE timing_reads:INSERT"
        " timing_reads:SELECT timing_reads_archive:DELETE timing_reads_archive:INSERT"
        " timing_reads_archive:SELECT",
    }


def test_session_new_list_close(raw_dsn):
    opened = project88(
        "session", "new", "--name", "Hartford 2025", "--event", "Hartford", dsn=raw_dsn
    )
    # stdout is the new id alone (scripts read it); what happened is told on stderr.
    assert opened.returncode == 0 and opened.stdout == "1\n"
    assert "opened session 1 (Hartford 2025)" in opened.stderr
    again = project88("session", "new", dsn=raw_dsn)
    assert again.stdout == "2\n"
    assert "closed session 1" in again.stderr and "opened session 2" in again.stderr
    listing = project88("session", "list", dsn=raw_dsn)
    assert "Hartford 2025 / Hartford" in listing.stdout
    assert query(raw_dsn, "SELECT id FROM timing_sessions WHERE status = 'active'") == [(2,)]
    closed = project88("session", "close", dsn=raw_dsn)
    assert closed.returncode == 0 and "closed session 2" in closed.stdout
    nothing = project88("session", "close", dsn=raw_dsn)
    assert nothing.returncode == 1 and "no active session" in nothing.stderr


def test_archive_function_keeps_working_as_documented(raw_dsn):
    query(raw_dsn, "INSERT INTO timing_sessions (session_name) VALUES ('s')")
    query(
        raw_dsn,
        "INSERT INTO timing_reads (session_id, sequence_number, location_name, tag_code,"
        " read_time, read_timestamp) VALUES"
        " (1, 1, 'finish', 'old', '08:00', now() - interval '31 days'),"
        " (1, 2, 'finish', 'new', '08:00', now() - interval '1 day')",
    )
    assert query(raw_dsn, "SELECT archive_old_timing_data()") == [(1,)]
    assert query(raw_dsn, "SELECT tag_code FROM timing_reads") == [("new",)]
    assert query(raw_dsn, "SELECT tag_code FROM timing_reads_archive") == [("old",)]
    (info,) = query(raw_dsn, "SELECT session_info FROM connection_log")[0]
    assert info == {"action": "archive", "archived_count": 1}


def test_bad_database_gives_a_clear_error(pg):
    result = project88("session", "list", dsn=pg.dsn("no_such_database"))
    assert result.returncode == 1 and "database error" in result.stderr
