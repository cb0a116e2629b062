"""The sans-I/O protocol core: bytes and clock in, events out."""

import pytest

from daemons.ct_listener import auth, ctp01, times
from daemons.ct_listener.ctp01 import (
    BadLine,
    Close,
    GapDetected,
    LineRejected,
    NeedStart,
    NewLocation,
    RejectedRead,
    Send,
    ServerConnection,
    ServerSettings,
    Store,
    TagRead,
)


def sent(events):
    return [e.line for e in events if isinstance(e, Send)]


def of(events, kind):
    return [e for e in events if isinstance(e, kind)]


def feed(conn, *lines, now=0.0, ending=b"\r\n"):
    return conn.receive_data(b"".join(line.encode() + ending for line in lines), now)


def ready(settings=None, locations=("finish",), mark=0):
    conn = ServerConnection(settings or ServerSettings(), now=0.0, seed="abcd")
    feed(conn, "SimpleClient~0.6.0~CTP01")
    for location in locations:
        feed(conn, f"CT01_33~0~{location}~newlocation~00:00:00.00~0~0~0")
        conn.start_location(location, mark + 1)
    return conn


# -- line parsing --------------------------------------------------------------------------


def test_the_documented_example_reads_in_protocol_order():
    read = ctp01.parse_read_line("CT01_33~1~start~9478~14:02:15.31~0~0F2A38~1")
    assert isinstance(read, TagRead)
    assert (read.seq, read.location, read.tag, read.lap, read.reader_id, read.gator) == (
        1, "start", "9478", 0, "0F2A38", 1)  # fmt: skip
    assert read.time == times.parse("14:02:15.31")
    assert not read.is_gun


def test_ct01_13_is_the_same_fields_with_commas():
    read = ctp01.parse_read_line("CT01_13,7,finish,M12,2025-10-11T10:00:00.00,2,117F37,4")
    assert isinstance(read, TagRead) and (read.seq, read.tag, read.lap, read.gator) == (
        7,
        "M12",
        2,
        4,
    )


@pytest.mark.parametrize("line_format", ["CT01_13", "ct01_13"])
def test_ct01_13_with_tildes_is_a_read(line_format):
    # Some clients send CT01_13 with CT01_33's separators (ctp01.md §3, field 0).
    read = ctp01.parse_read_line(f"{line_format}~7~finish~M12~10:00:00.00~2~117F37~4")
    assert isinstance(read, TagRead) and (read.seq, read.location, read.tag) == (7, "finish", "M12")
    conn = ready()
    events = feed(conn, "CT01_13~1~finish~1894~10:00:00.00~1~117F37~2")
    assert [e.item.seq for e in of(events, Store)] == [1] and not of(events, LineRejected)


def test_mixed_separators_are_not_a_read():
    assert isinstance(ctp01.parse_read_line("CT01_13~7,finish~M12~10:00:00.00~2~1~4"), BadLine)


@pytest.mark.parametrize("tag", ["GUNTIME", "guntime", "GunTime"])
def test_gun_times_in_any_case(tag):
    read = ctp01.parse_read_line(f"CT01_33~1~start~{tag}~08:00:00.00~0~117F37~0")
    assert isinstance(read, TagRead) and read.is_gun


@pytest.mark.parametrize("tag", ["newlocation", "NEWLOCATION", "NewLocation"])
def test_newlocation_markers_in_any_case_and_any_sequence(tag):
    assert ctp01.parse_read_line(f"CT01_33~17~split~{tag}~08:00:01.00~0~0~0") == NewLocation(
        "split"
    )


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("CT01_33~1~start~9478~14:02:15.31~0~0F2A38", "expected 8 fields"),
        ("CT01_33~one~start~9478~14:02:15.31~0~0F2A38~1", "not a number"),
        ("CT01_33~0~start~9478~14:02:15.31~0~0F2A38~1", "out of range"),
        ("CT01_33~99999999999~start~9478~14:02:15.31~0~0F2A38~1", "out of range"),
        ("CT01_33~1~~9478~14:02:15.31~0~0F2A38~1", "invalid location"),
        ("CT02_33~1~start~9478~14:02:15.31~0~0F2A38~1", "not a CT01"),
    ],
)
def test_lines_without_a_usable_key_are_bad_lines(line, reason):
    parsed = ctp01.parse_read_line(line)
    assert isinstance(parsed, BadLine) and reason in parsed.reason


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("CT01_33~5~start~123456789~14:02:15.31~0~0F2A38~1", "tag"),
        ("CT01_33~5~start~~14:02:15.31~0~0F2A38~1", "tag"),
        ("CT01_33~5~start~9478~14:99:15.31~0~0F2A38~1", "clock"),
        ("CT01_33~5~start~9478~14:02:15.31~65536~0F2A38~1", "lap"),
        ("CT01_33~5~start~9478~14:02:15.31~-1~0F2A38~1", "lap"),
        ("CT01_33~5~start~9478~14:02:15.31~0~0F2A38AB~1", "reader"),
        ("CT01_33~5~start~9478~14:02:15.31~0~0F2A38~x", "gator"),
    ],
)
def test_keyed_lines_with_bad_fields_are_rejected_reads(line, reason):
    parsed = ctp01.parse_read_line(line)
    assert isinstance(parsed, RejectedRead) and (parsed.seq, parsed.location) == (5, "start")
    assert reason in parsed.reason and parsed.raw == line


def test_control_characters_are_escaped_in_stored_raw_text():
    parsed = ctp01.parse_read_line("CT01_33~5~start~12\x0734~14:02:15.31~0~0F2A38~1")
    assert isinstance(parsed, RejectedRead) and "\\x07" in parsed.raw


# -- handshake -----------------------------------------------------------------------------


def test_handshake_sends_header_and_settings_then_asks_for_event_and_locations():
    conn = ServerConnection(ServerSettings(time_format="msecs"), now=0.0)
    events = feed(conn, "SimpleClient~0.6.0~CTP01")
    assert sent(events) == [
        "Project88Hub~1.0~6", "stream-mode=push", "pushmode-ack=true", "location=multi",
        "time-format=msecs", "guntimes=true", "newlocations=true", "getconnectionid",
        "geteventinfo", "getlocations",
    ]  # fmt: skip
    assert conn.phase is ctp01.Phase.READY


@pytest.mark.parametrize("greeting", ["SimpleClient~0.6.0", "SimpleClient~0.6.0~CTP02", "hello"])
def test_a_bad_greeting_gets_a_short_error_and_close(greeting):
    conn = ServerConnection(ServerSettings(), now=0.0)
    events = feed(conn, greeting)
    assert sent(events)[0].startswith("err~greeting~") and of(events, Close)
    assert feed(conn, "SimpleClient~0.6.0~CTP01") == []


def test_the_greeting_program_and_version_are_escaped_like_the_user():
    conn = ServerConnection(ServerSettings(), now=0.0)
    events = feed(conn, "Simple\x1b[2JClient\x07~0.6\r.0~CTP01")
    (hello,) = of(events, ctp01.Handshaken)
    assert hello.program.isprintable() and "\\x1b" in hello.program
    assert hello.version.isprintable()


def test_locations_from_announcements_and_getlocations_are_started_once():
    conn = ServerConnection(ServerSettings(), now=0.0)
    feed(conn, "SimpleClient~0.6.0~CTP01")
    events = feed(conn, "CT01_33~0~start~newlocation~00:00:00.00~0~0~0",
                  "ack~getlocations~start~finish")  # fmt: skip
    assert of(events, NeedStart) == [NeedStart("start"), NeedStart("finish")]
    assert sent(conn.start_location("finish", 42)) == ["start~finish~42"]
    assert of(feed(conn, "CT01_33~0~finish~newlocation~00:00:00.00~0~0~0"), NeedStart) == []


def test_bare_lf_and_split_packets():
    conn = ready()
    events = conn.receive_data(b"CT01_33~1~finish~1~10:00:00.00~1~1~1\nCT01_33~2~fin", 0.0)
    events += conn.receive_data(b"ish~2~10:00:00.00~1~1~1\r\n", 0.0)
    assert [e.item.seq for e in of(events, Store)] == [1, 2]


# -- authentication ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["plaintext", "hmac-sha1", "hmac-md5", "seed-sha1", "seed-md5"])
def test_authorization_gate(method):
    settings = ServerSettings(auth_method=method, credentials={"crew": "pw"})
    conn = ServerConnection(settings, now=0.0, seed="5eed")
    events = feed(conn, "SimpleClient~0.6.0~CTP01")
    assert f"authentication={method}" in sent(events) and "authentication-seed=5eed" in sent(events)
    events = feed(conn, "CT01_33~0~finish~newlocation~00:00:00.00~0~0~0",
                  "CT01_33~1~finish~1~10:00:00.00~1~1~1")  # fmt: skip
    assert not of(events, Store) and not of(events, NeedStart)
    assert of(events, LineRejected)[0].reason == "read before authorization"
    events = feed(conn, f"authorize~crew~{auth.client_secret(method, 'pw', '5eed')}")
    assert sent(events)[:4] == ["ack~authorize", "getconnectionid", "geteventinfo", "getlocations"]
    assert of(events, NeedStart) == [NeedStart("finish")]  # seen before authorising


def test_failed_authorization_closes():
    conn = ServerConnection(ServerSettings(auth_method="plaintext", credentials={"a": "b"}), now=0)
    feed(conn, "SimpleClient~0.6.0~CTP01")
    events = feed(conn, "authorize~a~wrong")
    assert sent(events) == ["err~authorize~authorization failed"] and of(events, Close)


@pytest.mark.parametrize(
    "line",
    [b"authorize~a~b\xff\xfe", b"AUTHORIZE~\xc3(~b", b"authorize~a", b"authorize~a~b~c",
     b"authorize", b"authorize~a~b\x00"],
)  # fmt: skip
def test_an_unreadable_authorize_line_is_refused_like_a_wrong_password(line):
    # SimpleClient waits 5 s for an answer it never gets, then retries: it must hear err~authorize.
    conn = ServerConnection(ServerSettings(auth_method="plaintext", credentials={"a": "b"}), now=0)
    feed(conn, "SimpleClient~0.6.0~CTP01")
    events = conn.receive_data(line + b"\r\n", 0.0)
    assert sent(events) == ["err~authorize~authorization failed"] and of(events, Close)
    assert [e.ok for e in of(events, ctp01.Authenticated)] == [False]


def test_before_login_only_a_few_locations_may_be_announced():
    conn = ServerConnection(ServerSettings(auth_method="plaintext", credentials={"a": "b"}), now=0)
    feed(conn, "SimpleClient~0.6.0~CTP01")
    announce = [f"CT01_33~0~mat{n}~newlocation~00:00:00.00~0~0~0" for n in range(9)]
    assert not of(feed(conn, *announce[:8]), Close)
    events = feed(conn, announce[8])
    assert sent(events) == ["err~protocol~too many locations before authorization"]
    assert of(events, Close) and len(conn.locations) == 8


def test_before_login_only_a_few_lines_may_be_sent():
    conn = ServerConnection(ServerSettings(auth_method="plaintext", credentials={"a": "b"}), now=0)
    feed(conn, "SimpleClient~0.6.0~CTP01")
    events = feed(conn, *["ping"] * 120)
    assert sent(events)[-1] == "err~protocol~too many lines before authorization"
    assert of(events, Close) and sent(events).count("ack~ping") == 99  # greeting + 99 = 100


def test_after_login_the_line_budget_no_longer_applies():
    conn = ready(ServerSettings(max_lines_before_login=4))
    assert not of(feed(conn, *["ping"] * 100), Close)


# -- reads, gaps, rejects ------------------------------------------------------------------


def test_a_gap_is_asked_for_once_then_retried_then_abandoned():
    conn = ready(ServerSettings(gap_retry=5, gap_attempts=2, ping_interval=1000))
    events = feed(conn, *(f"CT01_33~{n}~finish~{n}~10:00:00.00~1~1~1" for n in (1, 2, 5, 6)))
    assert sent(events) == ["start~finish~3"]
    assert of(events, GapDetected) == [GapDetected("finish", 3, 5)]
    assert sent(conn.tick(4.0)) == []
    assert sent(conn.tick(5.5)) == ["start~finish~3"]
    events = conn.tick(11.0)
    assert sent(events) == [] and of(events, GapDetected)[0].gave_up
    # after giving up, reads continue from the highest seen without new alarms
    assert sent(feed(conn, "CT01_33~7~finish~7~10:00:00.00~1~1~1")) == []


def test_a_filled_gap_stops_the_questions():
    conn = ready(ServerSettings(ping_interval=1000))
    feed(conn, *(f"CT01_33~{n}~finish~{n}~10:00:00.00~1~1~1" for n in (1, 3)))
    feed(conn, *(f"CT01_33~{n}~finish~{n}~10:00:00.00~1~1~1" for n in (2, 3, 4)))
    assert sent(conn.tick(30.0 - 1)) == []


def test_oversized_lines_are_dropped_and_the_stream_resynchronises():
    conn = ready()
    events = conn.receive_data(b"X" * 5000, 0.0)
    events += conn.receive_data(b"Y" * 5000 + b"\r\nCT01_33~1~finish~1~10:00:00.00~1~1~1\r\n", 0.0)
    assert [e.reason for e in of(events, LineRejected)] == ["line longer than 1024 bytes"]
    assert len(of(events, Store)) == 1


def test_a_line_just_over_the_limit_in_one_packet():
    conn = ready()
    events = conn.receive_data(b"Z" * 1025 + b"\n", 0.0)
    assert [e.reason for e in of(events, LineRejected)] == ["line longer than 1024 bytes"]


def test_a_flood_of_garbage_ends_the_connection():
    conn = ready(ServerSettings(max_bad_lines=50))
    events = feed(conn, *["nonsense"] * 60)
    assert of(events, Close) and sent(events)[-1] == "err~protocol~too many invalid lines"
    assert len(of(events, LineRejected)) == 50


def test_pings_idle_timeout_and_handshake_timeout():
    conn = ready(ServerSettings(ping_interval=12, idle_timeout=30))
    assert sent(conn.tick(12.0)) == ["ping"]
    feed(conn, "ack~ping", now=20.0)
    assert not of(conn.tick(49.0), Close)
    assert of(conn.tick(51.0), Close)
    silent = ServerConnection(ServerSettings(handshake_timeout=10), now=0.0)
    assert sent(silent.tick(11.0)) == ["err~protocol~handshake timeout"]


def test_client_pings_and_errors():
    conn = ready()
    assert sent(feed(conn, "ping")) == ["ack~ping"]
    events = feed(conn, "err~start~invalid start sequence number requested")
    assert of(events, ctp01.ClientError) == [
        ctp01.ClientError("start", "invalid start sequence number requested")
    ]
