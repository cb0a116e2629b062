"""Live timing questions are isolated per timing company too.

A session belongs to its race's partner (timing_sessions.timing_partner_id, migration
0011). A partner key's questions about tag reads and sessions see that partner's
sessions only; a session with no partner (the automatic one) is an admin's alone.
Reads-per-session and the active session are answered without a session number.
"""

from __future__ import annotations

import pytest

from tests.conftest import fresh_database, query
from tests.integration.nlq_service import start_service
from tests.integration.test_nlq import KEYS, ask, results_db  # noqa: F401 - a fixture

READS = {1: 300, 2: 30, 3: 20}  # session -> reads


@pytest.fixture(scope="module")
def live_db(pg, results_db):  # noqa: F811 - the fixture imported above
    dsn = fresh_database(pg)
    query(
        dsn,
        "INSERT INTO timing_sessions (id, session_name, status, timing_partner_id) VALUES"
        " (1, 'Automatic', 'closed', NULL), (2, 'Big River 10K', 'closed', %s),"
        " (3, 'Other 5K', 'active', %s)",
        (results_db["big_river"], results_db["other"]),
    )
    for session, reads in READS.items():
        query(
            dsn,
            "INSERT INTO timing_reads (session_id, sequence_number, location_name, tag_code,"
            " read_time, read_date, read_timestamp)"
            " SELECT %s, g, CASE WHEN g %% 2 = 0 THEN 'finish' ELSE 'start' END, g::text,"
            " '10:00', '2026-11-25', now() FROM generate_series(1, %s) AS g",
            (session, reads),
        )
    return dsn


@pytest.fixture(scope="module")
def service(results_db, live_db, tmp_path_factory):  # noqa: F811
    workdir = tmp_path_factory.mktemp("nlq-live")
    proc, svc = start_service(results_db, live_db, workdir, P88_NLQ_LLM="off")
    yield svc
    proc.terminate()
    proc.wait(15)


def rows(service, question, key):
    response = ask(service, question, key)
    assert response.status_code == 200, response.text
    body = response.json()
    return body["columns"], body["rows"]


def test_a_partner_counts_the_reads_of_its_own_session(service):
    _, got = rows(service, "how many reads in session 2", "big_river")
    assert got == [[READS[2]]]


@pytest.mark.parametrize("session", [1, 3])  # no partner; another partner's
def test_a_partner_sees_no_read_of_a_session_not_its_own(service, session):
    _, got = rows(service, f"how many reads in session {session}", "big_river")
    assert got in ([], [[0]])


def test_an_admin_sees_every_session(service):
    _, got = rows(service, "how many reads in session 1", "admin")
    assert got == [[READS[1]]]
    columns, listed = rows(service, "list the timing sessions", "admin")
    assert [row[columns.index("session_id")] for row in listed] == [1, 2, 3]


def test_a_partner_lists_only_its_own_sessions(service):
    columns, listed = rows(service, "list the timing sessions", "big_river")
    assert [row[columns.index("session_id")] for row in listed] == [2]


def test_reads_per_session_without_a_session_number(service):
    columns, got = rows(service, "reads per session", "admin")
    counts = {row[columns.index("session_id")]: row[columns.index("tag_reads")] for row in got}
    assert counts == READS
    columns, got = rows(service, "reads per session", "other")
    assert [row[columns.index("session_id")] for row in got] == [3]


def test_the_active_session_reads_by_location(service):
    question = "In the session that is active right now, how many reads has each location had?"
    columns, got = rows(service, question, "admin")
    by_location = {row[columns.index("location")]: row[columns.index("tag_reads")] for row in got}
    assert by_location == {"finish": 10, "start": 10}
