"""The live stream end to end: simulated controllers → listener → PostgreSQL → SSE."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time

import psycopg2
import requests

from project88.simulate import build_buffer, run_clients
from tests.conftest import NotifySocket, SseReader, query, wait_for
from tests.integration.test_display_operator_auth import OPERATOR, operator_env
from tests.integration.test_exactly_once import race


def insert_reads(dsn: str, count: int, location: str = "finish", first_seq: int = 1) -> None:
    """Reads written as the listener writes them: rows and NOTIFY in one transaction."""
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT id FROM timing_sessions WHERE status = 'active'")
        row = cur.fetchone()
        if row is None:
            cur.execute("INSERT INTO timing_sessions (session_name) VALUES ('test') RETURNING id")
            row = cur.fetchone()
        for seq in range(first_seq, first_seq + count):
            cur.execute(
                "INSERT INTO timing_reads (session_id, sequence_number, location_name, tag_code,"
                " read_time, read_date, read_timestamp) VALUES (%s, %s, %s, %s, '10:00:00',"
                " '2025-10-11', '2025-10-11 10:00:00-04')",
                (row[0], seq, location, str(seq)),
            )
        cur.execute("SELECT pg_notify('timing_reads', '{}')")
    conn.close()


def test_simulated_race_arrives_on_the_stream_in_order_and_resumes(
    raw_dsn, listener_factory, display_factory
):
    listener = listener_factory(raw_dsn).start()
    display = display_factory(raw_dsn).start()
    roster = subprocess.run(
        [sys.executable, "-m", "project88.cli", "roster", "import", "tools/sample_roster.csv"],
        env={**os.environ, "P88_RAW_DSN": raw_dsn}, capture_output=True, text=True,
    )  # fmt: skip
    assert roster.returncode == 0, roster.stderr
    stream = SseReader(display.url + "/api/timing/stream")
    cfgs = race(listener.port, athletes=30, rate=200)
    expected = sum(
        1 for cfg in cfgs for reads in build_buffer(cfg).values() for r in reads
        if r.tag != "GUNTIME"
    )  # fmt: skip
    asyncio.run(run_clients(cfgs))
    first = stream.take(expected // 2)
    stream.close()
    ids = [int(event_id) for event_id, _ in first]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(data["id"] == int(event_id) for event_id, data in first)
    # The client reconnects as EventSource does: Last-Event-ID = the last id it saw.
    wait_for(lambda: query(raw_dsn, "SELECT count(*) FROM timing_reads")[0][0] == expected,
             30, what="every read stored")  # fmt: skip
    resumed = SseReader(display.url + "/api/timing/stream",
                        headers={"Last-Event-ID": str(ids[-1])})  # fmt: skip
    rest = resumed.take(expected - len(first))
    resumed.close()
    all_ids = ids + [int(event_id) for event_id, _ in rest]
    stored = [row[0] for row in query(raw_dsn, "SELECT id FROM timing_reads ORDER BY id")]
    assert all_ids == stored  # every read exactly once, in commit order
    by_id = {data["id"]: data for _, data in first + rest}
    bib_one = [data for data in by_id.values() if data["tag_code"] == "1"]
    assert bib_one and all(d["runner"]["first_name"] == "José" for d in bib_one)
    assert all(d["runner"] is None for d in by_id.values() if int(d["tag_code"]) > 40)
    row = query(raw_dsn, "SELECT id, location_name, tag_code FROM timing_reads LIMIT 1")[0]
    assert (by_id[row[0]]["location_name"], by_id[row[0]]["tag_code"]) == row[1:]


def test_roster_details_and_location_filter(raw_dsn, display_factory):
    conn = psycopg2.connect(raw_dsn)
    with conn, conn.cursor() as cur:
        cur.execute("INSERT INTO race_roster (bib, first_name, last_name, city, state, division,"
                    " message, tag_code) VALUES ('17', 'Lucía', 'Fernández', 'Miami', 'FL',"
                    " 'F 30-34', 'Go Lucía!', '1017')")  # fmt: skip
    conn.close()
    display = display_factory(raw_dsn).start()
    finish = SseReader(display.url + "/api/timing/stream?location=finish")
    everything = SseReader(display.url + "/api/timing/stream")
    insert_reads(raw_dsn, 1, location="start", first_seq=1)
    conn = psycopg2.connect(raw_dsn)
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO timing_reads (session_id, sequence_number, location_name, tag_code,"
            " read_time, read_date, read_timestamp) SELECT id, 1, 'finish', '1017', '10:00:00',"
            " '2025-10-11', '2025-10-11 10:00:00-04' FROM timing_sessions LIMIT 1")  # fmt: skip
        cur.execute("SELECT pg_notify('timing_reads', '{}')")
    conn.close()
    ((_, crossing),) = finish.take(1)
    assert crossing["location_name"] == "finish"
    assert crossing["bib"] == "17" and crossing["tag_code"] == "1017"
    assert crossing["runner"]["first_name"] == "Lucía"
    assert crossing["runner"]["division"] == "F 30-34"
    assert crossing["read_timestamp"] == "2025-10-11T10:00:00-04:00"
    both = everything.take(2)
    assert [data["location_name"] for _, data in both] == ["start", "finish"]
    assert both[0][1]["runner"] is None and both[0][1]["bib"] == "1"
    finish.close()
    everything.close()


def test_replay_larger_than_the_ring_comes_from_the_database(raw_dsn, display_factory):
    display = display_factory(raw_dsn, P88_DISPLAY_RING_SIZE="100").start()
    live = SseReader(display.url + "/api/timing/stream")
    insert_reads(raw_dsn, 50, first_seq=1)
    ((first_id, _),) = live.take(1)
    live.close()
    for batch in range(5):  # 500 more reads: more than twice the ring
        insert_reads(raw_dsn, 100, first_seq=51 + batch * 100)
    time.sleep(0.5)  # the hub has fetched them all (and trimmed its ring)
    resumed = SseReader(display.url + f"/api/timing/stream?last_event_id={first_id}")
    got = resumed.take(549)
    resumed.close()
    stored = [row[0] for row in query(raw_dsn, "SELECT id FROM timing_reads ORDER BY id")]
    assert [int(i) for i, _ in got] == stored[1:]


def test_a_stream_ends_after_its_maximum_age_and_the_screen_resumes(raw_dsn, display_factory):
    """Old proxy processes must drain after a graceful reload: streams end on their own."""
    display = display_factory(raw_dsn, P88_DISPLAY_STREAM_MAX_AGE="1",
                              P88_DISPLAY_HEARTBEAT="0.2").start()  # fmt: skip
    insert_reads(raw_dsn, 3)
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", display.port), timeout=5) as sock:
        sock.sendall(b"GET /api/timing/stream?last_event_id=0 HTTP/1.1\r\nHost: x\r\n\r\n")
        received = b""
        while chunk := sock.recv(4096):
            received += chunk
            if b"0\r\n\r\n" in received:  # the chunked body's end
                break
    assert 0.7 < time.monotonic() - started < 3
    assert received.count(b"event: read") == 3
    assert b"retry: 250\n\nevent: recycle" in received
    last_id = int(received.split(b"id: ")[-1].split(b"\n")[0])
    insert_reads(raw_dsn, 2, first_seq=4)
    resumed = SseReader(display.url + f"/api/timing/stream?last_event_id={last_id}")
    assert all(int(event_id) > last_id for event_id, _ in resumed.take(2))  # none repeated
    resumed.close()


def test_heartbeat_and_stream_headers(raw_dsn, display_factory):
    display = display_factory(raw_dsn, P88_DISPLAY_HEARTBEAT="0.3").start()
    with socket.create_connection(("127.0.0.1", display.port), timeout=5) as sock:
        sock.sendall(b"GET /api/timing/stream HTTP/1.1\r\nHost: x\r\n\r\n")
        received = b""
        deadline = time.monotonic() + 5
        while received.count(b": heartbeat") < 2 and time.monotonic() < deadline:
            received += sock.recv(4096)
    head = received.split(b"\r\n\r\n")[0].decode()
    assert "200 OK" in head
    assert "Content-Type: text/event-stream" in head
    assert "Cache-Control: no-store" in head
    assert b"retry: 2000" in received
    assert received.count(b": heartbeat") >= 2


def test_stream_survives_a_database_restart(own_cluster, display_factory):
    cluster, dsn = own_cluster
    display = display_factory(dsn, P88_DISPLAY_HEARTBEAT="1").start()
    stream = SseReader(display.url + "/api/timing/stream", timeout=30)
    insert_reads(dsn, 1, first_seq=1)
    assert len(stream.take(1)) == 1
    cluster.stop("fast")
    time.sleep(1.5)
    cluster.start()
    insert_reads(dsn, 3, first_seq=2)  # possibly before the hub is back: it catches up
    got = stream.take(3)
    assert [data["tag_code"] for _, data in got] == ["2", "3", "4"]
    stream.close()
    assert "database unreachable" in display.log()


def status_page(display) -> str:
    return requests.get(display.url + "/status", auth=OPERATOR, timeout=10).text


def test_too_many_streams_get_a_503(raw_dsn, display_factory, tmp_path):
    env = operator_env(tmp_path, P88_DISPLAY_MAX_STREAMS="2")
    display = display_factory(raw_dsn, **env).start()
    first = SseReader(display.url + "/api/timing/stream")
    second = SseReader(display.url + "/api/timing/stream")
    wait_for(lambda: "2 displays connected" in status_page(display), 5,
             what="two streams counted")  # fmt: skip
    third = requests.get(display.url + "/api/timing/stream", timeout=5)
    assert third.status_code == 503
    assert json.loads(third.text)["error"] == "too many stream clients"
    first.close()
    second.close()


def test_sigterm_with_open_streams_exits_cleanly(raw_dsn, display_factory, tmp_path):
    display = display_factory(raw_dsn, **operator_env(tmp_path)).start()
    streams = [SseReader(display.url + "/api/timing/stream") for _ in range(3)]
    wait_for(lambda: "3 displays connected" in status_page(display), 5,
             what="three streams counted")  # fmt: skip
    started = time.monotonic()
    display.proc.send_signal(signal.SIGTERM)
    assert display.proc.wait(10) == 0
    assert time.monotonic() - started < 6
    for stream in streams:
        stream.close()
    assert "stopping streams=3" in display.log()


def test_sd_notify_ready_status_and_watchdog(raw_dsn, display_factory, tmp_path):
    notify = NotifySocket(tmp_path / "notify.sock")
    display = display_factory(raw_dsn, NOTIFY_SOCKET=str(notify.path), WATCHDOG_USEC="1000000")
    display.start()
    lines = notify.collect({"READY=1", "WATCHDOG=1", "STATUS"})
    assert {"READY=1", "WATCHDOG=1"} <= set(lines)
    status = [line for line in lines if line.startswith("STATUS=")]
    assert status and all("streams=" in s and "reads/s=" in s and "last_read=" in s
                          for s in status)  # fmt: skip
    display.stop()
    notify.close()
