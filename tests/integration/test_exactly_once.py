"""Every read stored exactly once through listener kills and database outages.

Real processes end to end: ``project88 simulate`` clients (SimpleClient look-
alikes with their own buffers) → the listener process → PostgreSQL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from dataclasses import replace
from zoneinfo import ZoneInfo

import psycopg2
import pytest

from project88.simulate import SimConfig, SimStats, build_buffer, run_clients
from tests.conftest import query, wait_for
from tests.integration.test_listener_protocol import started_client

LOCATIONS = ("start", "5k", "10k", "finish")
NY = ZoneInfo("America/New_York")


def race(port: int, athletes: int, rate: float, guntimes: bool = False) -> list[SimConfig]:
    """Four clients, one location each, on the same course."""
    base = SimConfig(
        port=port,
        athletes=athletes,
        rate=rate,
        guntimes=guntimes,
        course=LOCATIONS,
        reconnect_delay=0.2,
        linger=4.0,
        max_runtime=120,
    )
    return [replace(base, locations=(location,)) for location in LOCATIONS]


class ClientsInBackground:
    def __init__(self, cfgs: list[SimConfig]) -> None:
        self.cfgs = cfgs
        self.stats: list[SimStats] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.stats = asyncio.run(run_clients(self.cfgs))

    def __enter__(self) -> ClientsInBackground:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.thread.join(150)


def expected_rows(cfgs: list[SimConfig]) -> set[tuple[str, int, str]]:
    rows = set()
    for cfg in cfgs:
        for location, reads in build_buffer(cfg).items():
            rows.update((location, r.seq, r.tag) for r in reads if r.tag.upper() != "GUNTIME")
    return rows


def stored_rows(dsn: str) -> list[tuple[str, int, str]]:
    return query(dsn, "SELECT location_name, sequence_number, tag_code FROM timing_reads")


def assert_exactly_once(dsn: str, cfgs: list[SimConfig]) -> None:
    expected = expected_rows(cfgs)
    wait_for(lambda: len(stored_rows(dsn)) >= len(expected), timeout=60, interval=0.25,
             what=f"{len(expected)} reads")  # fmt: skip
    time.sleep(0.5)  # anything extra would show up now
    rows = stored_rows(dsn)
    assert len(rows) == len(expected), "a read was stored twice or is missing"
    assert set(rows) == expected  # same numbers, same tags: nothing lost, nothing invented
    assert query(dsn, "SELECT count(*) FROM timing_read_conflicts")[0][0] == 0


def test_ten_thousand_reads_exactly_once_while_the_listener_is_killed_twice(
    raw_dsn, listener_factory
):
    listener = listener_factory(raw_dsn).start()
    cfgs = race(listener.port, athletes=2500, rate=1200)
    with ClientsInBackground(cfgs) as clients:
        wait_for(lambda: len(stored_rows(raw_dsn)) > 1500, timeout=30, what="stream under way")
        listener.kill()  # SIGKILL: batches in memory are lost; the clients still have them
        first_kill_at = len(stored_rows(raw_dsn))
        time.sleep(0.5)
        listener.start()
        wait_for(lambda: len(stored_rows(raw_dsn)) > first_kill_at + 1500, timeout=30,
                 what="stream resumed")  # fmt: skip
        listener.kill()
        time.sleep(0.5)
        listener.start()
        assert_exactly_once(raw_dsn, cfgs)
    assert len(expected_rows(cfgs)) == 10_000
    assert all(s.connections >= 2 for s in clients.stats), "every client reconnected"
    assert sum(s.resent for s in clients.stats) > 0, "the listener asked for lost reads again"
    assert listener.log().count("---- start") == 3


def test_database_outage_spools_and_drains_every_read_once(own_cluster, listener_factory):
    cluster, dsn = own_cluster
    listener = listener_factory(dsn).start()
    cfgs = race(listener.port, athletes=1000, rate=400, guntimes=True)
    with ClientsInBackground(cfgs):
        wait_for(lambda: len(stored_rows(dsn)) > 400, timeout=30, what="stream under way")
        cluster.stop("fast")
        time.sleep(5)  # reads keep arriving: they go to the spool
        cluster.start()
        assert_exactly_once(dsn, cfgs)
    guns = query(dsn, "SELECT location_name, sequence_number FROM timing_gun_times ORDER BY 1")
    assert sorted(guns) == sorted((location, 1) for location in LOCATIONS)
    log = listener.log()
    assert "database connection lost" in log or "database unreachable" in log
    assert "spool drained" in log


def test_reads_received_while_the_database_is_down_survive_a_restart(own_cluster, listener_factory):
    cluster, dsn = own_cluster
    listener = listener_factory(dsn).start()
    started_client(listener.port).close()  # the listener learns the active session
    cluster.stop("fast")
    cfgs = [replace(cfg, linger=1.0, reconnect=False) for cfg in race(listener.port, 300, rate=0)]
    with ClientsInBackground(cfgs) as clients:
        pass
    assert all(s.refused is None for s in clients.stats)
    assert listener.terminate() == 0  # SIGTERM: whatever was batched goes to the spool
    assert f"spooled={len(expected_rows(cfgs))}" in listener.log()
    spool = listener.spool_dir / "spool.log"
    assert spool.stat().st_size > 0
    cluster.start()
    listener.start()  # no client connects: the spool alone brings every read
    assert_exactly_once(dsn, cfgs)
    assert spool.stat().st_size == 0


def test_injected_malformed_lines_cost_no_good_read(raw_dsn, listener_factory):
    listener = listener_factory(raw_dsn).start()
    cfgs = [replace(cfg, malformed_every=7) for cfg in race(listener.port, 200, rate=2000)]
    with ClientsInBackground(cfgs) as clients:
        assert_exactly_once(raw_dsn, cfgs)
    assert sum(s.malformed_sent for s in clients.stats) > 100
    assert "line rejected" in listener.log()


@pytest.fixture
def client_in_tokyo(monkeypatch):
    """The simulated client's own zone must not matter (ctp01.md §3): unix and msecs are
    the wall clock, as SimpleClient sends them whatever Windows' zone is."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("time_format", "line_format"),
    [("iso", "CT01_33"), ("normal", "CT01_33"), ("unix", "CT01_33"), ("msecs", "CT01_13")],
)
def test_every_time_format_from_a_simulated_client(
    raw_dsn, listener_factory, client_in_tokyo, time_format, line_format
):
    listener = listener_factory(raw_dsn).start()
    now = dt.datetime.now(NY) - dt.timedelta(minutes=10)
    cfg = SimConfig(
        port=listener.port, locations=("start", "finish"), athletes=40, rate=0, linger=1.0,
        time_format=time_format, line_format=line_format,
        event_date=now.date(), start_clock=now.time().replace(microsecond=0),
    )  # fmt: skip
    asyncio.run(run_clients([cfg]))
    expected = {
        (r.location, r.seq): r.when.replace(tzinfo=NY)
        for reads in build_buffer(cfg).values()
        for r in reads
        if r.tag != "GUNTIME"
    }
    wait_for(lambda: len(stored_rows(raw_dsn)) == len(expected), what="all reads")
    stored = query(raw_dsn, "SELECT location_name, sequence_number, read_timestamp,"
                            " read_date, read_time FROM timing_reads")  # fmt: skip
    assert {(loc, seq): stamp for loc, seq, stamp, _, _ in stored} == expected
    for _loc, _seq, stamp, local_date, local_time in stored:
        local = stamp.astimezone(NY)
        assert (local_date, local_time) == (local.date(), local.time().replace(tzinfo=None))
    raw = query(raw_dsn, "SELECT raw_data FROM timing_reads LIMIT 1")[0][0]
    assert raw.startswith(line_format)


def test_listener_started_while_the_database_is_down(own_cluster, listener_factory):
    """No session known yet: reads wait in the spool and land in the session opened later."""
    cluster, dsn = own_cluster
    cluster.stop("fast")
    listener = listener_factory(dsn).start()
    cfgs = [replace(cfg, linger=1.0, reconnect=False) for cfg in race(listener.port, 100, rate=0)]
    with ClientsInBackground(cfgs) as clients:
        pass
    assert all(s.refused is None and s.reads_sent for s in clients.stats)
    assert "session=pending" in listener.log()
    cluster.start()
    assert_exactly_once(dsn, cfgs)
    assert query(dsn, "SELECT count(*), min(status) FROM timing_sessions") == [(1, "active")]


def test_a_blocked_database_pauses_reading_and_loses_nothing(raw_dsn, listener_factory):
    """A flood while the table is locked: reading pauses (memory stays bounded), then resumes."""
    listener = listener_factory(raw_dsn, P88_CT_BATCH_SIZE="2").start()
    client = started_client(listener.port)
    blocker = psycopg2.connect(raw_dsn)
    blocker.cursor().execute("LOCK TABLE timing_reads IN ACCESS EXCLUSIVE MODE")
    lines = [f"CT01_33~{n}~finish~{n}~2025-10-11T10:00:00.00~1~117F37~1" for n in range(1, 1201)]
    client.send(*lines)
    wait_for(lambda: "writer behind, pausing reads" in listener.log(), what="pause")
    blocker.rollback()  # the lock goes away
    blocker.close()
    wait_for(lambda: len(stored_rows(raw_dsn)) == 1200, timeout=30, what="all reads")
    assert "writer caught up, resuming reads" in listener.log()
    client.close()


def test_a_client_that_leaves_while_we_are_paused_loses_nothing(raw_dsn, listener_factory):
    """The simulator half-closes and waits: a reset would discard what we had not read."""
    listener = listener_factory(raw_dsn, P88_CT_BATCH_SIZE="2").start()
    started_client(listener.port).close()  # open the session before the table is locked
    blocker = psycopg2.connect(raw_dsn)
    # SHARE mode blocks inserts but not the SELECT that computes the marks.
    blocker.cursor().execute("LOCK TABLE timing_reads IN SHARE MODE")
    cfgs = [
        replace(cfg, linger=0.5, reconnect=False, close_timeout=30)
        for cfg in race(listener.port, 750, rate=0)
    ]
    with ClientsInBackground(cfgs):
        wait_for(lambda: "writer behind, pausing reads" in listener.log(), what="pause")
        time.sleep(2)  # the clients are done sending and have half-closed by now
        blocker.rollback()
        blocker.close()
    assert_exactly_once(raw_dsn, cfgs)
