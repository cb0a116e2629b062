"""Two races timed at once (issue 15 §1), end to end over real sockets.

Hartford (New York time) and Boulder (Denver time) each have a session opened
with ``project88 session new --login``, a roster of their own with the same
bibs, and a controller that logs in with the race's CTP01 user. Both
controllers are connected together and interleave reads with the same
location and sequence numbers at the same wall-clock time. Every read must land
in its own race's session, at its own zone's instant, and the display's APIs
and stream at each race's address must name that race's runner.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from daemons.ct_listener.auth import client_secret
from tests.conftest import SseReader, query, wait_for
from tests.integration.test_cli import project88
from tests.integration.test_display_operator_auth import OPERATOR, operator_env
from tests.integration.test_session_cli import new_race
from tests.lineclient import LineClient

NY = ZoneInfo("America/New_York")
DENVER = ZoneInfo("America/Denver")
PASSWORDS = {"hartford": "pw-hartford", "boulder": "pw-boulder", "stranger": "pw-stranger"}


def logged_in(port: int, user: str, connection_id: str) -> LineClient:
    """A controller logged in as ``user`` whose location 'finish' the server started."""
    client = LineClient(port)
    settings = dict(line.split("=", 1) for line in client.handshake()[1:])
    secret = client_secret("plaintext", PASSWORDS[user], settings["authentication-seed"])
    client.send(f"authorize~{user}~{secret}")
    assert client.until(lambda line: line.startswith(("ack~authorize", "err~"))) == "ack~authorize"
    client.send("CT01_33~0~finish~newlocation~00:00:00.00~0~0~0")
    client.send(f"ack~getconnectionid~{connection_id}", "ack~getlocations~finish")
    assert client.until(lambda line: line.startswith("start~finish~")) == "start~finish~1"
    return client


def read(seq: int, tag: str, clock: str) -> str:
    return f"CT01_33~{seq}~finish~{tag}~2025-10-11T{clock}~1~117F37~1"


def test_two_races_at_once_with_overlapping_bibs_and_different_zones(
    raw_dsn, listener_factory, display_factory, tmp_path: Path
):
    hartford = new_race(raw_dsn, "--event", "Hartford Marathon", "--login", "hartford",
                        "--timezone", "America/New_York")  # fmt: skip
    boulder = new_race(raw_dsn, "--event", "Boulder 10K", "--login", "boulder",
                       "--timezone", "America/Denver")  # fmt: skip
    rosters = {
        hartford: "bib,first_name,last_name\n101,Alice,Hart\n102,Hal,Ford\n",
        boulder: "bib,first_name,last_name\n101,Bob,Boulder\n103,Bea,Flat\n",
    }
    for session, text in rosters.items():
        csv = tmp_path / f"roster-{session}.csv"
        csv.write_text(text)
        done = project88("roster", "import", "--session", str(session), str(csv), dsn=raw_dsn)
        assert done.returncode == 0, done.stderr
    creds = tmp_path / "ct-auth"
    creds.write_text("".join(f"{user}:{pw}\n" for user, pw in PASSWORDS.items()))
    listener = listener_factory(raw_dsn, P88_CT_AUTH="plaintext", P88_CT_AUTH_FILE=str(creds),
                                P88_TIMEZONE="America/New_York").start()  # fmt: skip
    display = display_factory(raw_dsn, **operator_env(tmp_path)).start()

    # Both connected at once; same location, same sequence numbers, same wall clock.
    east = logged_in(listener.port, "hartford", "ea" * 20)
    west = logged_in(listener.port, "boulder", "0e" * 20)
    east.send(read(1, "101", "10:00:01.00"))
    west.send(read(1, "101", "10:00:01.00"))
    west.send(read(2, "103", "10:00:02.50"))
    east.send(read(2, "102", "10:00:02.50"))
    # A login no race is routed to: its read is stored all the same, in the automatic session.
    stranger = logged_in(listener.port, "stranger", "5a" * 20)
    stranger.send(read(1, "101", "10:00:03.00"))
    wait_for(lambda: query(raw_dsn, "SELECT count(*) FROM timing_reads")[0][0] == 5, 10,
             what="all five reads")  # fmt: skip
    for client in (east, west, stranger):
        client.close()

    stored = query(
        raw_dsn,
        "SELECT session_id, sequence_number, tag_code, read_time, read_timestamp"
        " FROM timing_reads ORDER BY session_id, sequence_number",
    )
    (automatic,) = {row[0] for row in stored} - {hartford, boulder}
    at = dt.time
    assert stored == [
        (hartford, 1, "101", at(10, 0, 1), dt.datetime(2025, 10, 11, 10, 0, 1, tzinfo=NY)),
        (hartford, 2, "102", at(10, 0, 2, 500000),
         dt.datetime(2025, 10, 11, 10, 0, 2, 500000, tzinfo=NY)),
        (boulder, 1, "101", at(10, 0, 1), dt.datetime(2025, 10, 11, 10, 0, 1, tzinfo=DENVER)),
        (boulder, 2, "103", at(10, 0, 2, 500000),
         dt.datetime(2025, 10, 11, 10, 0, 2, 500000, tzinfo=DENVER)),
        (automatic, 1, "101", at(10, 0, 3), dt.datetime(2025, 10, 11, 10, 0, 3, tzinfo=NY)),
    ]  # fmt: skip
    assert "login routed to no session, reads go to the automatic one login=stranger" in (
        listener.log()
    )
    logged = query(raw_dsn, "SELECT session_info->'auth'->>'user', session_info->>"
                   "'timing_session_id' FROM connection_log ORDER BY id")  # fmt: skip
    assert logged == [("hartford", str(hartford)), ("boulder", str(boulder)),
                      ("stranger", str(automatic))]  # fmt: skip

    # Each race's address: its reads alone, at its own offset, with its own runners.
    def recent(slug: str) -> list[dict]:
        answer = requests.get(f"{display.url}/e/{slug}/api/timing/recent-reads", timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()["reads"]

    east_reads = recent("hartford-marathon")
    assert [(r["session_id"], r["tag_code"]) for r in east_reads] == [
        (hartford, "102"), (hartford, "101")
    ]  # fmt: skip
    assert east_reads[1]["read_timestamp"] == "2025-10-11T10:00:01-04:00"
    west_reads = recent("boulder-10k")
    assert [r["tag_code"] for r in west_reads] == ["103", "101"]
    assert west_reads[1]["read_timestamp"] == "2025-10-11T10:00:01-06:00"

    def crossings(slug: str) -> dict[str, dict]:
        stream = SseReader(f"{display.url}/e/{slug}/api/timing/stream?session_id={automatic}",
                           headers={"Last-Event-ID": "0"})  # fmt: skip
        try:
            return {data["tag_code"]: data for _id, data in stream.take(2)}
        finally:
            stream.close()

    east_crossings = crossings("hartford-marathon")  # the slug wins over a session_id given
    assert {t: (c["session_id"], c["runner"]["first_name"]) for t, c in east_crossings.items()} == {
        "101": (hartford, "Alice"), "102": (hartford, "Hal")
    }  # fmt: skip
    assert east_crossings["101"]["read_timestamp"] == "2025-10-11T10:00:01-04:00"
    west_crossings = crossings("boulder-10k")
    assert {t: (c["session_id"], c["runner"]["first_name"]) for t, c in west_crossings.items()} == {
        "101": (boulder, "Bob"), "103": (boulder, "Bea")
    }  # fmt: skip
    assert west_crossings["101"]["read_timestamp"] == "2025-10-11T10:00:01-06:00"

    # The other APIs and the page, per race.
    sessions = requests.get(f"{display.url}/e/boulder-10k/api/timing/sessions", timeout=10).json()
    assert [(s["id"], s["login"], s["time_zone"], s["slug"]) for s in sessions["sessions"]] == [
        (boulder, "boulder", "America/Denver", "boulder-10k")
    ]
    status = requests.get(
        f"{display.url}/e/boulder-10k/api/timing/database-status", timeout=10, auth=OPERATOR
    )
    assert status.status_code == 200, status.text
    assert status.json()["current_session"]["id"] == boulder
    stats = wait_for(lambda: _stats(display.url, "hartford-marathon"), what="per-race stats")
    assert stats["overall"]["total_reads"] == 2
    page = requests.get(f"{display.url}/e/boulder-10k/?location=finish", timeout=10)
    assert page.status_code == 200
    assert "Boulder 10K" in page.text and '"timeZone": "America/Denver"' in page.text
    assert f"/e/boulder-10k/api/timing/stream?session_id={boulder}" in page.text


def _stats(url: str, slug: str) -> dict | None:
    body = requests.get(f"{url}/e/{slug}/api/timing/stats", timeout=10).json()
    return body if body.get("overall", {}).get("total_reads") == 2 else None


def test_race_addresses_refuse_bad_and_unknown_slugs(raw_dsn, display_factory):
    new_race(raw_dsn, "--event", "Hartford Marathon", "--login", "hartford")
    display = display_factory(raw_dsn).start()
    get = lambda path: requests.get(display.url + path, timeout=10, allow_redirects=False)  # noqa: E731
    unknown = get("/e/no-such-race/api/timing/recent-reads")
    assert unknown.status_code == 404
    assert unknown.json()["error"].startswith("no race at /e/no-such-race/")
    assert get("/e/no-such-race/").status_code == 404
    bad = get("/e/Bad_Slug/")
    assert bad.status_code == 400 and "is not a race address" in bad.text
    moved = get("/e/hartford-marathon?location=finish")
    assert moved.status_code == 301
    assert moved.headers["Location"] == "/e/hartford-marathon/?location=finish"
    assert get("/e/hartford-marathon/").status_code == 200
    assert "unknown race address slug=no-such-race" in display.log()
