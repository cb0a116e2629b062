"""One location, one stream: a restarted buffer or a second login never shadows a read.

Real listener, real PostgreSQL, ``project88 simulate`` programs (a new program
run has a new connection id, as SimpleClient's does) and bare line clients.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace

import requests

from project88.simulate import SimConfig, build_buffer, run_clients
from tests.conftest import query, wait_for
from tests.integration.test_display_operator_auth import OPERATOR, operator_env
from tests.integration.test_listener_protocol import started_client
from tests.lineclient import LineClient

EVENT_DAY = dt.date(2026, 5, 9)


def program(port: int, **changes: object) -> SimConfig:
    base = SimConfig(port=port, locations=("finish",), athletes=150, rate=0, linger=1.0,
                     event_date=EVENT_DAY, reconnect_delay=0.2, max_runtime=60)  # fmt: skip
    return replace(base, **changes)


def run_program(cfg: SimConfig) -> None:
    asyncio.run(run_clients([cfg]))


def buffer_rows(cfg: SimConfig) -> set[tuple[int, str, str]]:
    """(seq, tag, time text) of every athlete read in the program's buffer."""
    return {(r.seq, r.tag, r.when.strftime("%H:%M:%S.%f")[:11])
            for reads in build_buffer(cfg).values() for r in reads
            if r.tag != "GUNTIME"}  # fmt: skip


def stored(dsn: str, stream: int) -> set[tuple[int, str, str]]:
    rows = query(dsn, "SELECT sequence_number, tag_code, to_char(read_time, 'HH24:MI:SS.US')"
                      " FROM timing_reads WHERE stream_number = %s", (stream,))  # fmt: skip
    return {(seq, tag, text[:11]) for seq, tag, text in rows}


def streams(dsn: str) -> list[tuple[int, str]]:
    return query(dsn, "SELECT stream_number, reason FROM timing_location_streams"
                      " WHERE location_name = 'finish' ORDER BY 1")  # fmt: skip


def total(dsn: str) -> int:
    return query(dsn, "SELECT count(*) FROM timing_reads")[0][0]


def test_a_controller_restarted_with_a_fresh_buffer_gets_a_stream_of_its_own(
    raw_dsn, listener_factory
):
    listener = listener_factory(raw_dsn).start()
    before = program(listener.port)
    run_program(before)
    wait_for(lambda: total(raw_dsn) == 150, what="the first buffer")
    # The program restarts with an empty buffer: sequences from 1 again, other reads.
    after = program(listener.port, athletes=90, first_bib=500, seed=2,
                    start_clock=dt.time(9, 30))  # fmt: skip
    run_program(after)
    wait_for(lambda: total(raw_dsn) == 240, what="the second buffer, every read of it")
    assert stored(raw_dsn, 1) == buffer_rows(before)
    assert stored(raw_dsn, 2) == buffer_rows(after)
    assert streams(raw_dsn) == [(1, "first"), (2, "different buffer")]
    assert query(raw_dsn, "SELECT count(*) FROM timing_read_conflicts")[0][0] == 0
    assert "location has a second buffer, new stream" in listener.log()


def test_a_restarted_program_that_kept_its_buffer_stays_one_stream(raw_dsn, listener_factory):
    """Same buffer, new connection id: compared, found the same, claimed; nothing twice."""
    listener = listener_factory(raw_dsn).start()
    cfg = program(listener.port)
    run_program(cfg)
    wait_for(lambda: total(raw_dsn) == 150, what="the buffer")
    run_program(cfg)  # the program again, with the buffer it kept
    wait_for(lambda: 'verdict="same buffer"' in listener.log(), what="the comparison")
    assert total(raw_dsn) == 150
    assert stored(raw_dsn, 1) == buffer_rows(cfg)
    assert streams(raw_dsn) == [(1, "first")]


def test_a_second_login_squatting_a_location_cannot_shadow_the_real_reads(
    raw_dsn, listener_factory
):
    listener = listener_factory(raw_dsn).start()
    real = program(listener.port, athletes=300, rate=150, linger=2.0)
    squatter = started_client(listener.port, connection_id="ee" * 20)
    assert squatter.received[-1] == "start~finish~1"  # nobody's yet: stream 1 is the squatter's
    squatter.send(*(f"CT01_33~{seq}~finish~{9000 + seq}~08:0{seq % 10}:00.00~1~BAD001~1"
                    for seq in range(1, 102)))  # fmt: skip
    wait_for(lambda: total(raw_dsn) == 101, what="the squatter's bogus reads")
    run_program(real)  # the real controller, while the squatter holds the name
    wait_for(lambda: total(raw_dsn) == 101 + 300, what="every real read")
    squatter.close()
    assert stored(raw_dsn, 2) == buffer_rows(real)  # all 300, none taken for stored
    assert len(stored(raw_dsn, 1)) == 101
    assert streams(raw_dsn) == [(1, "first"), (2, "different buffer")]


def test_a_client_refusing_the_resume_point_is_asked_from_one(raw_dsn, listener_factory):
    """A racemap-style client with a restarted buffer answers err~start to mark+1."""
    listener = listener_factory(raw_dsn).start()
    first = started_client(listener.port, connection_id="cc" * 20)
    first.send(*(f"CT01_33~{seq}~finish~{100 + seq}~08:00:{seq:02}.00~1~0F2A38~1"
                 for seq in range(1, 51)))  # fmt: skip
    wait_for(lambda: total(raw_dsn) == 50, what="the first buffer")
    first.close()
    again = started_client(listener.port, connection_id="cc" * 20)  # same id, new buffer
    assert again.received[-1] == "start~finish~51"
    again.send("err~start~invalid start sequence number requested")
    again.until(lambda line: line == "start~finish~1")
    again.send(*(f"CT01_33~{seq}~finish~{700 + seq}~09:00:{seq:02}.00~1~0F2A38~1"
                 for seq in range(1, 21)))  # fmt: skip
    wait_for(lambda: total(raw_dsn) == 70, what="the restarted buffer's reads")
    again.close()
    assert len(stored(raw_dsn, 2)) == 20
    assert streams(raw_dsn)[-1] == (2, "different buffer")


def test_the_operator_page_shows_a_location_sent_by_two_buffers(
    raw_dsn, listener_factory, display_factory, tmp_path
):
    listener = listener_factory(raw_dsn).start()
    run_program(program(listener.port, athletes=40))
    run_program(program(listener.port, athletes=30, seed=5, start_clock=dt.time(9, 0)))
    wait_for(lambda: total(raw_dsn) == 70, what="both buffers")
    display = display_factory(raw_dsn, **operator_env(tmp_path)).start()
    page = requests.get(display.url + "/status", auth=OPERATOR, timeout=30)
    assert page.status_code == 200
    table = page.text.split('id="location-streams"')[1].split("</table>")[0]
    assert "different buffer" in table and ">2<" in table and ">30<" in table


def test_a_buffer_that_starts_over_on_a_running_connection_is_kept_apart(raw_dsn, listener_factory):
    """The controller restarts under a running client: sequence 1 again, new reads."""
    listener = listener_factory(raw_dsn).start()
    client = started_client(listener.port, connection_id="dd" * 20)
    client.send(*(f"CT01_33~{seq}~finish~{100 + seq}~08:00:{seq:02}.00~1~0F2A38~1"
                  for seq in range(1, 41)))  # fmt: skip
    wait_for(lambda: total(raw_dsn) == 40, what="the first buffer")
    client.send(*(f"CT01_33~{seq}~finish~{300 + seq}~10:00:{seq:02}.00~1~0F2A38~1"
                  for seq in range(1, 31)))  # fmt: skip
    wait_for(lambda: total(raw_dsn) == 70, what="the new buffer, every read of it")
    client.close()
    assert len(stored(raw_dsn, 1)) == 40 and len(stored(raw_dsn, 2)) == 30
    assert query(raw_dsn, "SELECT count(*) FROM timing_read_conflicts")[0][0] == 0
    assert "sequence 1 again on a running location" in listener.log()


def no_id_client(port: int) -> LineClient:
    """A client that does not answer getconnectionid (it answers getlocations)."""
    client = LineClient(port)
    client.handshake()
    client.send("CT01_33~0~finish~newlocation~00:00:00.00~0~0~0", "ack~getlocations~finish")
    return client


def test_clients_without_a_connection_id_are_compared_on_every_connection(
    raw_dsn, listener_factory
):
    listener = listener_factory(raw_dsn).start()
    reads_a = [f"CT01_33~{seq}~finish~{100 + seq}~08:00:{seq:02}.00~1~0F2A38~1" for seq in
               range(1, 31)]  # fmt: skip
    first = no_id_client(listener.port)
    assert first.until(lambda line: line.startswith("start~finish~")) == "start~finish~1"
    first.send(*reads_a)
    wait_for(lambda: total(raw_dsn) == 30, what="the first buffer")
    first.close()
    # The same buffer again: compared, found the same, and skipped ahead.
    again = no_id_client(listener.port)
    assert again.until(lambda line: line.startswith("start~finish~")) == "start~finish~1"
    again.send(*reads_a[:20])  # it resends from 1; after 20 the listener knows enough
    assert again.until(lambda line: line.startswith("start~finish~")) == "start~finish~31"
    again.close()
    # Another buffer under the same (empty) login: a stream of its own.
    other = no_id_client(listener.port)
    other.until(lambda line: line.startswith("start~finish~"))
    other.send(*(f"CT01_33~{seq}~finish~{600 + seq}~09:00:{seq:02}.00~1~0F2A38~1"
                 for seq in range(1, 31)))  # fmt: skip
    wait_for(lambda: total(raw_dsn) == 60, what="the other buffer")
    other.close()
    assert len(stored(raw_dsn, 1)) == 30 and len(stored(raw_dsn, 2)) == 30
    assert query(raw_dsn, "SELECT count(*) FROM timing_read_conflicts")[0][0] == 0
