"""The listener over real sockets against real PostgreSQL: the wire, line by line."""

from __future__ import annotations

import datetime as dt
import re
import time
from zoneinfo import ZoneInfo

import pytest

from daemons.ct_listener.auth import client_secret
from tests.conftest import NotifySocket, query, wait_for
from tests.lineclient import LineClient

NY = ZoneInfo("America/New_York")
SETTINGS = [
    "stream-mode=push",
    "pushmode-ack=true",
    "location=multi",
    "time-format=iso",
    "guntimes=true",
    "newlocations=true",
]


def count(dsn: str, table: str = "timing_reads") -> int:
    return query(dsn, f"SELECT count(*) FROM {table}")[0][0]


def started_client(
    port: int, location: str = "finish", connection_id: str = "ab12" * 10
) -> LineClient:
    """A client past the handshake whose location the server has started."""
    client = LineClient(port)
    client.handshake()
    client.send(f"CT01_33~0~{location}~newlocation~00:00:00.00~0~0~0")
    client.send(f"ack~getconnectionid~{connection_id}", f"ack~getlocations~{location}")
    client.until(lambda line: line.startswith(f"start~{location}~"))
    return client


def test_reference_conversation_line_by_line(raw_dsn, listener_factory):
    listener = listener_factory(raw_dsn, P88_CT_PING_INTERVAL="1").start()
    client = LineClient(listener.port)
    client.send("SimpleClient~0.6.0~CTP01")
    assert client.line() == "Project88Hub~1.0~6"
    assert client.lines(6) == SETTINGS
    assert client.lines(3) == ["getconnectionid", "geteventinfo", "getlocations"]
    client.send("CT01_33~0~finish~newlocation~00:00:00.00~0~0~0")
    client.send(
        "ack~getconnectionid~" + "ab12" * 10,
        "ack~geteventinfo~Hartford Marathon~0~Hartford Marathon",
        "ack~getlocations~finish",
    )
    assert client.line() == "start~finish~1"
    client.send(
        "CT01_33~1~finish~GUNTIME~2025-10-11T08:00:00.00~0~117F37~0",
        "CT01_33~2~finish~1894~2025-10-11T10:24:37.12~1~117F37~2",
    )
    assert client.line(timeout=3) == "ping"  # our keep-alive
    client.send("ack~ping")
    client.send("ping")  # and the client's
    assert client.until(lambda line: line == "ack~ping")
    wait_for(lambda: count(raw_dsn) == 1, what="the read")
    client.close()

    row = query(
        raw_dsn,
        "SELECT sequence_number, location_name, tag_code, read_time, read_date, read_timestamp,"
        " lap_count, reader_id, gator_number, raw_data FROM timing_reads",
    )[0]
    assert row[:5] == (2, "finish", "1894", dt.time(10, 24, 37, 120000), dt.date(2025, 10, 11))
    assert row[5] == dt.datetime(2025, 10, 11, 10, 24, 37, 120000, tzinfo=NY)
    assert row[6:] == (1, "117F37", 2, "CT01_33~2~finish~1894~2025-10-11T10:24:37.12~1~117F37~2")
    gun = query(raw_dsn, "SELECT sequence_number, gun_timestamp FROM timing_gun_times")
    assert gun == [(1, dt.datetime(2025, 10, 11, 8, 0, tzinfo=NY))]
    assert query(raw_dsn, "SELECT location_name, reader_id FROM timing_locations") == [
        ("finish", "117F37")
    ]
    ((name, status),) = query(raw_dsn, "SELECT session_name, status FROM timing_sessions")
    assert re.fullmatch(r"Session_\d{8}_\d{6}", name) and status == "active"

    def logged():
        rows = query(raw_dsn, "SELECT client_ip::text, disconnected_at, session_info,"
                              " message_count FROM connection_log")  # fmt: skip
        return rows if rows and rows[0][1] is not None else None

    ((ip, _, info, messages),) = wait_for(logged, what="connection_log row")
    assert ip == "127.0.0.1/32" or ip == "127.0.0.1"
    assert info["program"] == "SimpleClient" and info["version"] == "0.6.0"
    assert info["event"]["name"] == "Hartford Marathon"
    assert info["locations"] == ["finish"]
    assert info["connection_id"] == "ab12" * 10
    assert messages >= 6


def test_an_open_connection_shows_its_lines_so_far(raw_dsn, listener_factory):
    # P88_STATUS_INTERVAL is 1 s in the tests: the count follows within a couple.
    listener = listener_factory(raw_dsn).start()
    client = started_client(listener.port)
    client.send(*(f"CT01_33~{n}~finish~{100 + n}~10:24:{n:02d}.00~1~117F37~1" for n in (1, 2, 3)))

    def live() -> int | None:
        rows = query(raw_dsn, "SELECT message_count FROM connection_log"
                              " WHERE disconnected_at IS NULL")  # fmt: skip
        return rows[0][0] if rows and rows[0][0] else None

    lines = wait_for(live, timeout=10, what="a live line count")
    assert lines >= 6  # greeting, acks and the three reads
    client.close()


@pytest.mark.parametrize(
    ("time_text", "expected_local"),
    [
        ("2025-10-11T10:24:37.12", dt.datetime(2025, 10, 11, 10, 24, 37, 120000)),
        ("1760178277.12", dt.datetime(2025, 10, 11, 10, 24, 37, 120000)),  # unix: wall clock
    ],
)
def test_time_formats_with_a_date(raw_dsn, listener_factory, time_text, expected_local):
    listener = listener_factory(raw_dsn).start()
    client = started_client(listener.port)
    client.send(f"CT01_33~1~finish~77~{time_text}~3~0F2A38~4")
    wait_for(lambda: count(raw_dsn) == 1, what="the read")
    stamp, local_date, local_time, lap, gator = query(
        raw_dsn, "SELECT read_timestamp, read_date, read_time, lap_count, gator_number"
                 " FROM timing_reads")[0]  # fmt: skip
    assert stamp == expected_local.replace(tzinfo=NY)
    assert (local_date, local_time) == (expected_local.date(), expected_local.time())
    assert (lap, gator) == (3, 4)


def test_normal_time_uses_the_session_date_and_ct01_13(raw_dsn, listener_factory):
    listener = listener_factory(raw_dsn).start()
    client = started_client(listener.port)
    session_start = query(raw_dsn, "SELECT start_time FROM timing_sessions")[0][0]
    client.send("CT01_13,1,finish,9478,14:02:15.31,0,0F2A38,1",
                "CT01_33~2~finish~9479~25:00:00.00~0~0F2A38~1")  # fmt: skip
    wait_for(lambda: count(raw_dsn) == 2, what="both reads")
    rows = query(raw_dsn, "SELECT tag_code, read_timestamp FROM timing_reads ORDER BY 1")
    day = session_start.astimezone(NY).date()
    start_local = session_start.astimezone(NY).replace(tzinfo=None)
    first = dt.datetime.combine(day, dt.time(14, 2, 15, 310000))
    if first < start_local - dt.timedelta(hours=6):  # the documented midnight rollover
        first += dt.timedelta(days=1)
    assert rows[0] == ("9478", first.replace(tzinfo=NY))
    assert rows[1][1].astimezone(NY).replace(tzinfo=None) >= dt.datetime.combine(
        day + dt.timedelta(days=1), dt.time(1)
    )


def test_reconnect_resumes_after_the_mark_and_gaps_are_asked_again(raw_dsn, listener_factory):
    listener = listener_factory(raw_dsn).start()
    client = started_client(listener.port)
    assert client.received[-1] == "start~finish~1"
    client.send(*[f"CT01_33~{n}~finish~{100 + n}~2025-10-11T10:00:0{n}.00~1~117F37~1"
                  for n in (1, 2, 4)])  # fmt: skip
    assert client.until(lambda line: line.startswith("start~")) == "start~finish~3"
    client.send(*[f"CT01_33~{n}~finish~{100 + n}~2025-10-11T10:00:0{n}.00~1~117F37~1"
                  for n in (3, 4, 5)])  # fmt: skip
    wait_for(lambda: count(raw_dsn) == 5, what="five reads")
    client.close()

    again = started_client(listener.port)
    assert again.received[-1] == "start~finish~6"
    again.close()
    seqs = query(raw_dsn, "SELECT sequence_number FROM timing_reads ORDER BY 1")
    assert [s for (s,) in seqs] == [1, 2, 3, 4, 5]
    assert count(raw_dsn, "timing_read_conflicts") == 0


def test_same_key_different_content_is_kept_once_and_recorded(raw_dsn, listener_factory):
    listener = listener_factory(raw_dsn).start()
    client = started_client(listener.port)
    client.send("CT01_33~1~finish~1001~2025-10-11T10:00:00.00~1~117F37~1")
    wait_for(lambda: count(raw_dsn) == 1, what="first read")
    # The client's buffer changed under the same number (and an exact resend).
    client.send("CT01_33~1~finish~2002~2025-10-11T10:00:09.00~1~117F37~1",
                "CT01_33~1~finish~1001~2025-10-11T10:00:00.00~1~117F37~1")  # fmt: skip
    wait_for(lambda: count(raw_dsn, "timing_read_conflicts") == 1, what="conflict")
    assert query(raw_dsn, "SELECT tag_code FROM timing_reads") == [("1001",)]
    kept, offered = query(raw_dsn, "SELECT kept_raw_data, offered_raw_data"
                                   " FROM timing_read_conflicts")[0]  # fmt: skip
    assert "~1001~" in kept and "~2002~" in offered


def test_hostile_and_malformed_lines_never_cost_good_reads(raw_dsn, listener_factory):
    listener = listener_factory(raw_dsn).start()
    client = started_client(listener.port)

    def good(n: int) -> str:
        return f"CT01_33~{n}~finish~{n}~2025-10-11T10:00:00.00~1~117F37~1"

    client.send(good(1))
    client.send("complete garbage", "CT01_33~x~finish~1~2025-10-11T10:00:00.00~1~1~1")
    client.send_raw(b"A" * 100_000 + b"\r\n")  # 100 KB line
    client.send(good(2))
    client.send_raw(b"CT01_33~3~finish~12\x0034~2025-10-11T10:00:00.00~1~117F37~1\r\n")  # NUL
    client.send("CT01_33~3~finish~';DROP TABLE timing_reads;--~2025-10-11T10:00:00.00~1~1~1")
    client.send("CT01_33~4~finish~');--~2025-10-11T10:00:00.00~1~117F37~1")  # short: opaque text
    client.send_raw(b"CT01_33~5~finish~\xff\xfe~2025-10-11T10:00:00.00~1~117F37~1\r\n")
    client.send("CT01_33~6~finish~66~2025-13-45T10:00:00.00~1~117F37~1")  # impossible date
    client.send("CT01_33~7~finish~77~2025-10-11T10:00:00.00~70000~117F37~1")  # lap too big
    client.send("CT01_33~8~finish~88~2025-10-11T10:00:00.00~1~1234567~1")  # reader too long
    client.send("CT01_33~9~finish~1~2~3", good(10), good(5), good(6), good(7), good(8), good(9))
    client.send("CT01_33~11~finish~\\N~2025-10-11T10:00:00.00~1~117F37~1")  # COPY's NULL marker
    client.send("ping")
    assert client.until(lambda line: line == "ack~ping")  # still talking to us
    wait_for(lambda: count(raw_dsn) >= 10, what="good reads")
    time.sleep(0.3)
    tags = [t for (t,) in query(raw_dsn, "SELECT tag_code FROM timing_reads ORDER BY id")]
    assert "');--" in tags and "\\N" in tags  # stored verbatim, harmlessly
    assert count(raw_dsn) == 10  # 1, 2, 4, 5..11
    rejected = dict(query(raw_dsn, "SELECT sequence_number, reason FROM timing_rejected_reads"))
    assert set(rejected) == {3, 6, 7, 8}
    assert "tag" in rejected[3] and "date" in rejected[6]
    log = listener.log()
    for reason in ("line longer than 1024 bytes", "NUL", "not valid UTF-8", "unknown command",
                   "is not a number", "expected 8 fields"):  # fmt: skip
        assert reason in log, reason
    client.close()


@pytest.mark.parametrize("method", ["plaintext", "hmac-sha1", "hmac-md5", "seed-sha1", "seed-md5"])
def test_authentication_each_method(raw_dsn, listener_factory, tmp_path, method):
    creds = tmp_path / "ct-auth"
    creds.write_text("# timing crews\nchrono:s3cret-for-tests\n")
    listener = listener_factory(raw_dsn, P88_CT_AUTH=method, P88_CT_AUTH_FILE=str(creds)).start()

    ok = LineClient(listener.port)
    settings = dict(line.split("=", 1) for line in ok.handshake()[1:])
    assert settings["authentication"] == method
    seed = settings["authentication-seed"]
    assert re.fullmatch(r"[0-9a-f]{32}", seed)
    ok.send("CT01_33~1~finish~1~2025-10-11T10:00:00.00~1~117F37~1")  # before authorising
    ok.send(f"authorize~chrono~{client_secret(method, 's3cret-for-tests', seed)}")
    assert ok.until(lambda line: line.startswith(("ack~authorize", "err~"))) == "ack~authorize"
    ok.send("CT01_33~0~finish~newlocation~00:00:00.00~0~0~0")
    assert ok.until(lambda line: line.startswith("start~")) == "start~finish~1"
    ok.send("CT01_33~1~finish~1~2025-10-11T10:00:00.00~1~117F37~1")
    wait_for(lambda: count(raw_dsn) == 1, what="authorised read")

    bad = LineClient(listener.port)
    seed = dict(line.split("=", 1) for line in bad.handshake()[1:])["authentication-seed"]
    bad.send(f"authorize~chrono~{client_secret(method, 'wrong-password', seed)}")
    assert bad.until(lambda line: line.startswith(("ack~", "err~"))).startswith("err~authorize~")
    assert bad.closed_by_server()
    assert "authorization failed" in listener.log()
    ok.close()


def test_unknown_user_is_refused(raw_dsn, listener_factory, tmp_path):
    creds = tmp_path / "ct-auth"
    creds.write_text("chrono:pw\n")
    listener = listener_factory(raw_dsn, P88_CT_AUTH="plaintext", P88_CT_AUTH_FILE=str(creds))
    client = LineClient(listener.start().port)
    client.handshake()
    client.send("authorize~mallory~pw")
    assert client.line().startswith("err~authorize~")
    assert client.closed_by_server()


@pytest.mark.parametrize(
    "authorize", [b"authorize~chrono~pw\xff", b"authorize~chrono", b"authorize~chrono~wrong"]
)
def test_a_failed_login_is_answered_and_opens_no_session(
    raw_dsn, listener_factory, tmp_path, authorize
):
    creds = tmp_path / "ct-auth"
    creds.write_text("chrono:pw\n")
    listener = listener_factory(raw_dsn, P88_CT_AUTH="plaintext", P88_CT_AUTH_FILE=str(creds))
    client = LineClient(listener.start().port)
    client.handshake()
    client.send("CT01_33~0~finish~newlocation~00:00:00.00~0~0~0")
    client.send_raw(authorize + b"\r\n")
    assert client.until(lambda line: line.startswith("err~")).startswith("err~authorize~")
    assert client.closed_by_server()
    wait_for(lambda: query(raw_dsn, "SELECT count(*) FROM connection_log")[0][0] == 1,
             what="the connection_log row")  # fmt: skip
    assert query(raw_dsn, "SELECT count(*) FROM timing_sessions")[0][0] == 0
    assert query(raw_dsn, "SELECT count(*) FROM timing_reads")[0][0] == 0


def test_repeated_failed_logins_are_answered_ever_more_slowly(raw_dsn, listener_factory, tmp_path):
    creds = tmp_path / "ct-auth"
    creds.write_text("chrono:pw\n")
    listener = listener_factory(raw_dsn, P88_CT_AUTH="plaintext", P88_CT_AUTH_FILE=str(creds))
    port = listener.start().port
    waits = []
    for _ in range(3):
        client = LineClient(port, timeout=10)
        client.handshake()
        started = time.monotonic()
        client.send("authorize~chrono~guess")
        assert client.line().startswith("err~authorize~")
        waits.append(time.monotonic() - started)
        assert client.closed_by_server()
    assert 0.4 < waits[0] < waits[1] < waits[2], waits  # 0.5 s, 1 s, 2 s
    assert "failures_from_address=3" in listener.log()
    good = LineClient(port, timeout=10)
    good.handshake()
    good.send("authorize~chrono~pw")
    assert good.until(lambda line: line.startswith(("ack~", "err~"))) == "ack~authorize"


def test_an_unauthenticated_flood_of_announcements_is_cut_short(
    raw_dsn, listener_factory, tmp_path
):
    creds = tmp_path / "ct-auth"
    creds.write_text("chrono:pw\n")
    listener = listener_factory(raw_dsn, P88_CT_AUTH="plaintext", P88_CT_AUTH_FILE=str(creds))
    client = LineClient(listener.start().port)
    client.handshake()
    name = "m" * 95  # with its number, up to the 100 characters a location may have
    client.send(*(f"CT01_33~0~{name}{n}~newlocation~00:00:00.00~0~0~0" for n in range(5000)))
    reply = client.until(lambda line: line.startswith("err~"))
    assert reply == "err~protocol~too many locations before authorization"
    assert client.closed_by_server()
    closed = "SELECT count(*) FROM connection_log WHERE disconnected_at IS NOT NULL"
    wait_for(lambda: query(raw_dsn, closed)[0][0] == 1, what="the closed connection")
    ((size,),) = query(raw_dsn, "SELECT max(length(session_info::text)) FROM connection_log")
    assert size < 4000


def test_authentication_without_credentials_refuses_to_start(raw_dsn, listener_factory):
    listener = listener_factory(raw_dsn, P88_CT_AUTH="hmac-sha1")
    listener.start(wait=False)
    assert listener.proc.wait(15) == 2
    assert "P88_CT_AUTH requires credentials" in listener.log()


def test_allow_list_refuses_other_sources(raw_dsn, listener_factory):
    listener = listener_factory(raw_dsn, P88_CT_ALLOW="10.0.0.0/8").start()
    client = LineClient(listener.port)
    assert client.closed_by_server()
    assert "reason=allow_list" in listener.log()


def test_connection_caps(raw_dsn, listener_factory):
    listener = listener_factory(
        raw_dsn, P88_CT_MAX_PER_ADDRESS="2", P88_CT_MAX_CONNECTIONS="3"
    ).start()
    first, second = LineClient(listener.port), LineClient(listener.port)
    first.handshake()
    second.handshake()
    third = LineClient(listener.port)
    third.send("SimpleClient~0.6.0~CTP01")  # counted once it may send reads
    assert third.until(lambda line: line.startswith("err~")) == "err~connect~too many connections"
    assert third.closed_by_server()
    assert "reason=address_cap" in listener.log()
    first.close()
    wait_for(lambda: "client disconnected" in listener.log(), what="disconnect")
    fourth = LineClient(listener.port)
    assert fourth.handshake()[0].startswith("Project88Hub~")


def test_overall_connection_cap(raw_dsn, listener_factory):
    listener = listener_factory(raw_dsn, P88_CT_MAX_CONNECTIONS="1").start()
    first = LineClient(listener.port)
    first.handshake()
    second = LineClient(listener.port)
    second.send("SimpleClient~0.6.0~CTP01")
    assert second.until(lambda line: line.startswith("err~")) == "err~connect~too many connections"
    assert "reason=connection_cap" in listener.log()


def test_strangers_cannot_lock_a_controller_out(raw_dsn, listener_factory, tmp_path):
    """Connections that never log in have a budget of their own, per address and in all."""
    creds = tmp_path / "ct-auth"
    creds.write_text("chrono:pw\n")
    listener = listener_factory(
        raw_dsn, P88_CT_AUTH="plaintext", P88_CT_AUTH_FILE=str(creds),
        P88_CT_MAX_PENDING="3", P88_CT_MAX_PENDING_PER_ADDRESS="2", P88_CT_MAX_CONNECTIONS="2",
    ).start()  # fmt: skip
    idle = [LineClient(listener.port, source="127.0.0.2") for _ in range(2)]
    refused = LineClient(listener.port, source="127.0.0.2")  # its address has had its share
    assert refused.line() == "err~connect~too many connections"
    assert "reason=pending_address_cap" in listener.log()
    idle.append(LineClient(listener.port, source="127.0.0.3"))  # all pending slots taken
    wait_for(lambda: listener.log().count("client connected") >= 3, what="three strangers")
    # The first controller displaces the oldest stranger; once it has logged in it no longer
    # holds a pending slot, so the second finds one free.
    for site in ("127.0.0.4", "127.0.0.5"):
        controller = LineClient(listener.port, source=site)
        controller.handshake()
        controller.send("authorize~chrono~pw")
        assert controller.until(lambda line: line.startswith(("ack~", "err~"))) == "ack~authorize"
    assert idle[0].line() == "err~connect~too many connections"  # the oldest stranger went
    assert listener.log().count("pending connections full") == 1


def test_bad_greeting_is_refused_with_a_short_error(raw_dsn, listener_factory):
    listener = listener_factory(raw_dsn).start()
    client = LineClient(listener.port)
    client.send("SimpleClient~0.6.0~CTP02")
    assert client.line().startswith("err~greeting~")
    assert client.closed_by_server()
    assert "bad greeting" in listener.log()


def test_silent_client_is_dropped_after_the_idle_timeout(raw_dsn, listener_factory):
    listener = listener_factory(raw_dsn, P88_CT_IDLE_TIMEOUT="2").start()
    client = LineClient(listener.port)
    client.handshake()
    started = time.monotonic()
    assert client.closed_by_server(timeout=10)
    assert 1.5 < time.monotonic() - started < 6
    assert "idle for 2 s" in listener.log()


def test_sigterm_flushes_the_pending_batch(raw_dsn, listener_factory):
    listener = listener_factory(raw_dsn, P88_CT_BATCH_DELAY_MS="60000",
                                P88_CT_BATCH_SIZE="100000").start()  # fmt: skip
    client = started_client(listener.port)
    client.send(*[f"CT01_33~{n}~finish~{n}~2025-10-11T10:00:00.00~1~117F37~1"
                  for n in range(1, 51)])  # fmt: skip
    client.send("ping")
    client.until(lambda line: line == "ack~ping")  # the reads were received
    assert count(raw_dsn) == 0  # still batched
    assert listener.terminate() == 0
    assert count(raw_dsn) == 50


def test_sd_notify_ready_status_and_watchdog(raw_dsn, listener_factory, tmp_path):
    notify = NotifySocket(tmp_path / "notify.sock")
    listener = listener_factory(raw_dsn, NOTIFY_SOCKET=str(notify.path), WATCHDOG_USEC="1000000")
    listener.start()
    lines = notify.collect({"READY=1", "WATCHDOG=1", "STATUS"})
    assert {"READY=1", "WATCHDOG=1"} <= set(lines)
    status = [line for line in lines if line.startswith("STATUS=")]
    assert status and all("clients=" in s and "reads/s=" in s and "last_read=" in s
                          for s in status)  # fmt: skip
    listener.terminate()
    notify.close()


def test_a_read_the_database_refuses_is_kept_aside_and_the_batch_survives(
    raw_dsn, listener_factory
):
    # Stand-in for any row-level refusal (a constraint added later, a bad trigger).
    query(
        raw_dsn,
        "CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF NEW.tag_code = 'BOOM' THEN RAISE EXCEPTION 'refused by policy'; END IF;"
        " RETURN NEW; END $$;"
        " CREATE TRIGGER refuse_boom BEFORE INSERT ON timing_reads"
        " FOR EACH ROW EXECUTE FUNCTION refuse_boom()",
    )
    listener = listener_factory(raw_dsn, P88_CT_BATCH_DELAY_MS="200").start()
    client = started_client(listener.port)
    client.send(
        *[
            f"CT01_33~{n}~finish~{'BOOM' if n == 3 else n}~2025-10-11T10:00:00.00~1~117F37~1"
            for n in range(1, 6)
        ]
    )
    wait_for(lambda: count(raw_dsn) == 4, what="the four acceptable reads")
    dead = listener.spool_dir / "dead-letters.jsonl"
    wait_for(dead.exists, what="dead letter")
    assert "~BOOM~" in dead.read_text() and "refused by policy" in dead.read_text()
    assert "read could not be stored" in listener.log()
    client.close()
