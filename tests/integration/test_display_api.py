"""display_http's JSON APIs and pages against a real PostgreSQL with known data."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import pytest
import requests

from tests.conftest import query, wait_for
from tests.integration.test_display_operator_auth import OPERATOR, operator_env

NY = dt.timezone(dt.timedelta(hours=-4))


def seed(dsn: str) -> dict[str, int]:
    """Two sessions, three timing points, six reads, a roster runner."""
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute("INSERT INTO timing_sessions (session_name, event_name, status)"
                    " VALUES ('Old race', 'Spring 5K', 'closed') RETURNING id")  # fmt: skip
        old = cur.fetchone()[0]
        cur.execute("INSERT INTO timing_sessions (session_name, event_name) VALUES"
                    " ('Session_20251011_070000', 'Hartford Marathon') RETURNING id")  # fmt: skip
        live = cur.fetchone()[0]
        ids = {}
        for session, name, description in ((old, "finish", None), (live, "start", "Start line"),
                                           (live, "finish", "Finish arch")):  # fmt: skip
            cur.execute("INSERT INTO timing_locations (session_id, location_name, description,"
                        " reader_id) VALUES (%s, %s, %s, '117F37') RETURNING id",
                        (session, name, description))  # fmt: skip
            ids[(session, name)] = cur.fetchone()[0]
        reads = [  # session, location, seq, tag, local time
            (old, "finish", 1, "900", "09:00:00"),
            (live, "start", 1, "101", "07:00:01.25"),
            (live, "start", 2, "102", "07:00:02"),
            (live, "finish", 1, "101", "09:58:03.5"),
            (live, "finish", 2, "102", "10:01:00"),
            (live, "finish", 3, "101", "10:02:00"),
        ]
        for session, location, seq, tag, clock in reads:
            cur.execute(
                "INSERT INTO timing_reads (session_id, location_id, sequence_number,"
                " location_name, tag_code, read_time, read_date, read_timestamp, raw_data)"
                " VALUES (%s, %s, %s, %s, %s, %s, '2025-10-11',"
                " ('2025-10-11 ' || %s)::timestamp AT TIME ZONE 'America/New_York', %s)",
                (session, ids[(session, location)], seq, location, tag, clock, clock,
                 f"CT01_33~{seq}~{location}~{tag}~2025-10-11T{clock}~1~117F37~1"),
            )  # fmt: skip
        cur.execute("INSERT INTO race_roster (bib, first_name, last_name, city, state)"
                    " VALUES ('101', 'Ann', 'Lee', 'Boston', 'MA')")  # fmt: skip
    conn.close()
    return {"old": old, "live": live}


@pytest.fixture
def seeded(raw_dsn, display_factory, tmp_path):
    sessions = seed(raw_dsn)
    display = display_factory(raw_dsn, **operator_env(tmp_path)).start()
    return display, sessions, raw_dsn


def get(display, path, **kwargs):
    # /status and database-status are operator views (test_display_operator_auth.py).
    if path.startswith(("/status", "/api/timing/database-status")):
        kwargs.setdefault("auth", OPERATOR)
    return requests.get(display.url + path, timeout=10, **kwargs)


def test_database_status(seeded):
    display, sessions, _ = seeded
    body = get(display, "/api/timing/database-status").json()
    assert set(body) == {"database_enabled", "connected", "current_session",
                         "database_version", "error"}  # fmt: skip
    assert body["database_enabled"] is True and body["connected"] is True
    assert body["error"] is None
    assert body["database_version"].startswith("15.")
    assert body["current_session"]["id"] == sessions["live"]
    assert body["current_session"]["session_name"] == "Session_20251011_070000"
    assert body["current_session"]["event_name"] == "Hartford Marathon"


def test_stats_overall_and_by_location(seeded):
    display, sessions, _ = seeded
    response = get(display, "/api/timing/stats")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["success"] is True
    assert set(body) == {"success", "overall", "by_location", "generated_at"}
    assert body["overall"] == {
        "total_reads": 6, "unique_tags": 3, "total_locations": 2,
        "first_read": "2025-10-11T07:00:01.250000-04:00",
        "last_read": "2025-10-11T10:02:00-04:00",
    }  # fmt: skip
    assert body["by_location"] == [
        {"location_name": "finish", "read_count": 4, "unique_tags": 3,
         "last_read": "2025-10-11T10:02:00-04:00"},
        {"location_name": "start", "read_count": 2, "unique_tags": 2,
         "last_read": "2025-10-11T07:00:02-04:00"},
    ]  # fmt: skip
    assert dt.datetime.fromisoformat(body["generated_at"]).tzinfo is not None
    live = get(display, f"/api/timing/stats?session_id={sessions['live']}&location=finish").json()
    assert live["overall"]["total_reads"] == 3
    assert live["overall"]["unique_tags"] == 2
    assert [loc["location_name"] for loc in live["by_location"]] == ["finish"]


def test_stats_follow_new_reads(seeded):
    display, sessions, dsn = seeded
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO timing_reads (session_id, sequence_number, location_name, tag_code,"
            " read_time, read_date, read_timestamp) VALUES (%s, 4, 'finish', '103', '10:05:00',"
            " '2025-10-11', '2025-10-11 10:05:00-04')", (sessions["live"],))  # fmt: skip
        cur.execute("SELECT pg_notify('timing_reads', '{}')")
    conn.close()
    wait_for(lambda: get(display, "/api/timing/stats").json()["overall"]["total_reads"] == 7,
             5, what="stats to count the new read")  # fmt: skip
    body = get(display, "/api/timing/stats").json()
    assert body["overall"]["unique_tags"] == 4
    assert body["overall"]["last_read"] == "2025-10-11T10:05:00-04:00"


def test_recent_reads_shape_order_and_values(seeded):
    display, _, _ = seeded
    body = get(display, "/api/timing/recent-reads?limit=2").json()
    assert body["success"] is True and set(body) == {"success", "reads", "timestamp"}
    first, second = body["reads"]
    assert set(first) == {"id", "session_id", "location_name", "tag_code", "read_time",
                          "read_timestamp", "session_name", "location_description",
                          "seconds_ago", "raw_data"}  # fmt: skip
    assert first["id"] > second["id"]  # newest first
    assert first["tag_code"] == "101" and first["location_name"] == "finish"
    assert first["read_time"] == "10:02:00"
    assert first["read_timestamp"] == "2025-10-11T10:02:00-04:00"
    assert first["session_name"] == "Session_20251011_070000"
    assert first["location_description"] == "Finish arch"
    assert first["raw_data"] == "CT01_33~3~finish~101~2025-10-11T10:02:00~1~117F37~1"
    assert first["seconds_ago"] > 3600 * 24
    default = get(display, "/api/timing/recent-reads").json()["reads"]
    assert len(default) == 6


def test_recent_reads_filters_and_since_paging(seeded):
    display, sessions, _ = seeded
    start = get(display, f"/api/timing/recent-reads?session_id={sessions['live']}"
                         "&location=start").json()["reads"]  # fmt: skip
    assert [r["tag_code"] for r in start] == ["102", "101"]
    page1 = get(display, "/api/timing/recent-reads?since=0&limit=4").json()["reads"]
    ids = [r["id"] for r in page1]
    assert ids == sorted(ids) and len(ids) == 4  # oldest first when paging forward
    page2 = get(display, f"/api/timing/recent-reads?since={ids[-1]}&limit=4").json()["reads"]
    assert len(page2) == 2 and page2[0]["id"] > ids[-1]
    everything = {r["id"] for r in page1 + page2}
    assert len(everything) == 6
    assert get(display, f"/api/timing/recent-reads?since={max(everything)}").json()["reads"] == []


def test_sessions(seeded):
    display, sessions, _ = seeded
    body = get(display, "/api/timing/sessions").json()
    assert body["success"] is True
    live, old = body["sessions"]
    # The documented fields, and what concurrent races add (issue 15 §1).
    assert set(live) == {"id", "session_name", "event_name", "status", "created_at",
                         "total_reads", "login", "time_zone", "slug"}  # fmt: skip
    assert (live["id"], live["status"], live["total_reads"]) == (sessions["live"], "active", 5)
    assert (old["id"], old["status"], old["total_reads"]) == (sessions["old"], "closed", 1)
    assert dt.datetime.fromisoformat(live["created_at"]).utcoffset() is not None
    closed = get(display, "/api/timing/sessions?status=closed").json()["sessions"]
    assert [s["id"] for s in closed] == [sessions["old"]]


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/timing/recent-reads?limit=abc", "limit"),
        ("/api/timing/recent-reads?limit=0", "limit"),
        ("/api/timing/recent-reads?limit=100000", "limit"),
        ("/api/timing/recent-reads?limit=1e3", "limit"),
        ("/api/timing/recent-reads?since=-1", "since"),
        ("/api/timing/recent-reads?session_id=x", "session_id"),
        ("/api/timing/recent-reads?location=" + "x" * 200, "location"),
        ("/api/timing/recent-reads?location=a%00b", "location"),
        ("/api/timing/stats?session_id=1;DROP%20TABLE%20timing_reads", "session_id"),
        ("/api/timing/sessions?limit=-5", "limit"),
        ("/api/timing/stream?last_event_id=abc", "last_event_id"),
        ("/api/timing/recent-reads?location=%ff%fe", "location"),
        ("/api/timing/stream?location=fin%c3%28", "location"),
        ("/api/timing/stats?%ff=1", "?"),
    ],
)
def test_bad_parameters_get_a_json_400(seeded, path, parameter):
    display, _, dsn = seeded
    response = get(display, path)
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False
    assert body["parameter"] == parameter
    assert parameter in body["error"]
    assert "Traceback" not in response.text
    assert query(dsn, "SELECT count(*) FROM timing_reads")[0][0] == 6


def test_a_page_asked_with_a_non_utf8_parameter_is_a_400_page(seeded):
    display, _, _ = seeded
    response = get(display, "/?location=%ff")
    assert response.status_code == 400 and "not valid UTF-8" in response.text
    assert "Traceback" not in response.text


def test_unknown_api_paths_are_json_404(seeded):
    display, _, _ = seeded
    response = get(display, "/api/timing/nope")
    assert response.status_code == 404 and response.json()["success"] is False
    assert get(display, "/no-such-page").status_code == 404


def test_display_page_theme_and_prefix(seeded):
    display, _, _ = seeded
    page = get(display, "/?location=finish&title=Hartford%20Marathon&bg=%23112233&hold=3")
    assert page.status_code == 200
    html = page.text
    assert "<title>Hartford Marathon</title>" in html
    assert "--bg: #112233" in html
    assert '"streamUrl": "/api/timing/stream?location=finish"' in html
    assert '"holdMs": 3000' in html
    assert "Welcome to Race Display" in html
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in html
    prefixed = get(display, "/?location=finish", headers={"X-Forwarded-Prefix": "/race-display"})
    assert 'href="/race-display/static/display.css"' in prefixed.text
    assert '"streamUrl": "/race-display/api/timing/stream?location=finish"' in prefixed.text
    assert get(display, "/static/display.js").status_code == 200


def test_display_page_escapes_and_rejects_hostile_theme(seeded):
    display, _, _ = seeded
    page = get(display, "/?title=%3Cscript%3Ealert(1)%3C/script%3E")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text
    bad = get(display, "/?bg=red;}body{background:url(x)")
    assert bad.status_code == 400 and "bg" in bad.text
    assert get(display, "/?logo=javascript:alert(1)").status_code == 400
    assert get(display, "/", headers={"X-Forwarded-Prefix": "/x y"}).status_code == 400


def test_status_page(seeded):
    display, sessions, _ = seeded
    html = get(display, "/status").text
    assert "Timing status" in html
    assert "Session_20251011_070000" in html and "Hartford Marathon" in html
    assert "Finish arch" in html
    assert '<svg id="per-minute"' in html
    other = get(display, f"/status?session_id={sessions['old']}").text
    assert 'class="chosen"' in other


def test_database_down_and_back(own_cluster, display_factory, tmp_path):
    cluster, dsn = own_cluster
    seed(dsn)
    display = display_factory(dsn, **operator_env(tmp_path)).start()
    assert get(display, "/api/timing/stats").status_code == 200
    cluster.stop("fast")
    status = get(display, "/api/timing/database-status")
    assert status.status_code == 200
    body = status.json()
    assert body["connected"] is False and body["error"]
    for path in ("/api/timing/recent-reads", "/api/timing/sessions"):
        response = get(display, path)
        assert response.status_code == 503, path
        assert response.json()["success"] is False
        assert "database unavailable" in response.json()["error"]
    assert get(display, "/status").status_code == 200  # the operator still gets a page
    assert display.proc.poll() is None
    cluster.start()
    wait_for(lambda: get(display, "/api/timing/database-status").json()["connected"], 10,
             interval=0.3, what="display to reconnect")  # fmt: skip
    wait_for(lambda: get(display, "/api/timing/recent-reads").status_code == 200, 10,
             interval=0.3, what="reads to be served again")  # fmt: skip
    assert len(get(display, "/api/timing/recent-reads").json()["reads"]) == 6


def test_the_first_request_after_a_database_restart_is_answered(own_cluster, display_factory):
    """Pooled connections from before the restart are dropped unseen, not used for a 503."""
    cluster, dsn = own_cluster
    seed(dsn)
    display = display_factory(dsn).start()
    paths = ["/api/timing/recent-reads", "/api/timing/sessions", "/api/timing/stats"] * 4
    with ThreadPoolExecutor(len(paths)) as pool:  # several connections in the pool
        assert {r.status_code for r in pool.map(lambda p: get(display, p), paths)} == {200}
        cluster.stop("fast")
        cluster.start()
        statuses = [r.status_code for r in pool.map(lambda p: get(display, p), paths)]
    assert statuses == [200] * len(paths)


def test_a_database_restart_under_load_costs_only_the_outage(own_cluster, display_factory):
    """Requests keep coming (8 threads) while PostgreSQL restarts: every request that
    starts once the database is back is answered 200; during the outage, a JSON 503."""
    cluster, dsn = own_cluster
    seed(dsn)
    display = display_factory(dsn).start()
    answers: list[tuple[float, int, str]] = []  # (started at, status, content type)
    stop = threading.Event()

    def keep_asking(path: str) -> None:
        with requests.Session() as http:
            while not stop.is_set():
                started = time.monotonic()
                reply = http.get(display.url + path, timeout=30)
                answers.append((started, reply.status_code, reply.headers["Content-Type"]))

    paths = ["/api/timing/recent-reads", "/api/timing/sessions", "/api/timing/stats"]
    threads = [threading.Thread(target=keep_asking, args=(paths[i % 3],)) for i in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    cluster.stop("fast")
    time.sleep(2)
    cluster.start()
    back_at = time.monotonic()
    time.sleep(3)
    stop.set()
    for thread in threads:
        thread.join(30)
    after = [status for started, status, _ in answers if started >= back_at]
    assert len(after) > 50 and set(after) == {200}, Counter(after)
    assert {status for _, status, _ in answers} <= {200, 503}
    assert all(kind.startswith("application/json") for _, _, kind in answers)


def test_stats_rebuilt_when_the_archiver_announces_a_run(seeded):
    display, sessions, dsn = seeded
    assert get(display, "/api/timing/stats").json()["overall"]["total_reads"] == 6
    query(dsn, "DELETE FROM timing_reads WHERE session_id = %s", (sessions["old"],))
    query(dsn, "SELECT pg_notify('timing_archive', '{}')")
    wait_for(lambda: get(display, "/api/timing/stats").json()["overall"]["total_reads"] == 5, 10,
             interval=0.2, what="statistics rebuilt without the archived reads")  # fmt: skip
    assert get(display, "/api/timing/sessions").json()["sessions"][1]["total_reads"] == 0
    assert "statistics rebuilt" in display.log()


def test_the_icon_is_served(seeded):
    display, _, _ = seeded
    answer = requests.get(f"{display.url}/favicon.ico", timeout=5)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("image/svg")
