"""A spool that fills up while the database is down, and a writer that hangs.

The spool sits on a 96 KiB tmpfs (a disk that really runs out), PostgreSQL is
stopped, and real ``project88 simulate`` clients stream 3,000 reads. Nothing
may count as received that was not kept: the listener holds the batch it could
not keep, stops reading from the clients (they keep the rest in their own
buffers), says so in ``STATUS=`` and the log, and stores everything exactly once
when the database returns, or after a restart.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import replace
from pathlib import Path

from project88.pgcluster import Cluster
from tests.conftest import NotifySocket, query, wait_for
from tests.integration.test_exactly_once import (
    ClientsInBackground,
    assert_exactly_once,
    expected_rows,
    race,
    stored_rows,
)
from tests.integration.test_listener_protocol import started_client


def _listener_on(listener_factory, dsn: str, spool: Path, **env: str):
    listener = listener_factory(dsn, P88_SPOOL_DIR=str(spool), **env)
    listener.spool_dir = spool
    return listener


def _statuses(notify: NotifySocket, seconds: float) -> list[str]:
    lines: list[str] = []
    notify.sock.settimeout(0.5)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(TimeoutError):
            lines.extend(notify.sock.recv(4096).decode().split("\n"))
    return lines


def test_a_full_spool_with_the_database_down_loses_and_duplicates_nothing(
    own_cluster, listener_factory, tiny_filesystem, tmp_path
):
    cluster, dsn = own_cluster
    notify = NotifySocket(tmp_path / "notify.sock")
    listener = _listener_on(listener_factory, dsn, tiny_filesystem,
                            NOTIFY_SOCKET=str(notify.path)).start()  # fmt: skip
    started_client(listener.port).close()  # the listener learns the active session
    cluster.stop("fast")
    cfgs = race(listener.port, athletes=750, rate=1500)
    with ClientsInBackground(cfgs):
        wait_for(lambda: "cannot store reads" in listener.log(), timeout=30,
                 what="the spool to fill")  # fmt: skip
        statuses = _statuses(notify, 3)
        assert any("STALLED" in line for line in statuses), statuses
        time.sleep(10)  # the outage goes on, the clients keep streaming into back-pressure
        assert listener.proc.poll() is None
        cluster.start()
        assert_exactly_once(dsn, cfgs)
    notify.close()
    log = listener.log()
    assert "ERROR" in log.split("cannot store reads")[0].splitlines()[-1]  # an err journal line
    assert "pausing reads" in log and "storing reads again" in log
    assert "writer step failed" not in log and "Traceback" not in log
    assert len(expected_rows(cfgs)) == 3000


def test_a_restart_while_reads_are_held_loses_and_duplicates_nothing(
    own_cluster, listener_factory, tiny_filesystem
):
    cluster, dsn = own_cluster
    listener = _listener_on(listener_factory, dsn, tiny_filesystem).start()
    started_client(listener.port).close()
    cluster.stop("fast")
    cfgs = [replace(cfg, reconnect_delay=0.5) for cfg in race(listener.port, 750, rate=1500)]
    with ClientsInBackground(cfgs) as clients:
        wait_for(lambda: "cannot store reads" in listener.log(), timeout=30,
                 what="the spool to fill")  # fmt: skip
        assert listener.terminate() == 0  # held reads are given up: they never counted
        assert "stopping with reads not stored" in listener.log()
        cluster.start()
        listener.start()  # recovers from the full spool, then asks the clients again
        assert_exactly_once(dsn, cfgs)
    assert sum(s.resent for s in clients.stats) > 0, "the listener asked for held reads again"
    assert query(dsn, "SELECT count(*) FROM timing_read_conflicts")[0][0] == 0


def _postgres_pids(cluster: Cluster) -> list[int]:
    postmaster = int((cluster.datadir / "postmaster.pid").read_text().split()[0])
    children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
    return [postmaster, *map(int, children)]


def signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):  # a short-lived backend already gone
            os.kill(pid, signum)


def test_a_stuck_writer_withholds_the_watchdog(own_cluster, listener_factory, tmp_path):
    """A database that stops answering mid-query (SIGSTOP) hangs the writer thread, not
    the reactor: the watchdog must still go quiet, so that systemd restarts the unit."""
    cluster, dsn = own_cluster
    notify = NotifySocket(tmp_path / "notify.sock")
    listener = listener_factory(dsn, NOTIFY_SOCKET=str(notify.path), WATCHDOG_USEC="1000000",
                                P88_CT_WRITER_STUCK_AFTER="2").start()  # fmt: skip
    assert "WATCHDOG=1" in notify.collect({"READY=1", "WATCHDOG=1"})
    cfgs = race(listener.port, athletes=2000, rate=400)
    with ClientsInBackground(cfgs):
        wait_for(lambda: len(stored_rows(dsn)) > 200, timeout=30, what="stream under way")
        pids = _postgres_pids(cluster)
        signal_all(pids, signal.SIGSTOP)
        try:
            lines = _statuses(notify, 6)  # 2 s to notice, then a silent watchdog
            failing = [i for i, line in enumerate(lines) if line.startswith("STATUS=FAILING")]
            assert failing, lines
            assert "WATCHDOG=1" not in lines[failing[0] :], lines
            assert "withholding the watchdog" in listener.log()
        finally:
            signal_all(pids, signal.SIGCONT)
        assert "WATCHDOG=1" in notify.collect({"WATCHDOG=1"}, timeout=10)  # progress again
        assert_exactly_once(dsn, cfgs)
    notify.close()
    assert "watchdog resumed" in listener.log()
