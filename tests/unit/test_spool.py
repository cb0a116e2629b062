import contextlib
import errno
import os
from zoneinfo import ZoneInfo

import pytest

from daemons.ct_listener.spool import Spool, SpoolUnwritable
from daemons.ct_listener.store import Writer


def test_records_survive_reopen_and_drain_in_order(tmp_path):
    spool = Spool(tmp_path)
    spool.append(1, ["a", "b"])
    spool.append(None, ["c"])
    spool.close()
    spool = Spool(tmp_path)
    records = list(spool.records())
    assert [(r.session_id, r.lines) for r in records] == [(1, ["a", "b"]), (None, ["c"])]
    spool.consumed(records[0].end_offset)
    assert spool.pending()
    assert [r.lines for r in Spool(tmp_path).records()] == [["c"]]  # progress is remembered
    spool.consumed(records[1].end_offset)
    assert not spool.pending()
    assert spool.path.stat().st_size == 0


def test_a_torn_tail_is_ignored_and_a_corrupt_middle_skipped(tmp_path):
    spool = Spool(tmp_path)
    spool.append(1, ["first"])
    spool.append(1, ["second"])
    spool.append(1, ["third"])
    spool.close()
    data = spool.path.read_bytes().split(b"\n")
    data[1] = data[1].replace(b"second", b"sec0nd")  # bit rot: CRC no longer matches
    spool.path.write_bytes(b"\n".join(data) + b'deadbeef {"s":1,"l":["torn')
    records = list(Spool(tmp_path).records())
    assert [r.lines for r in records] == [["first"], ["third"]]


def test_reopening_cuts_a_torn_tail_so_the_next_record_is_not_hidden_behind_it(tmp_path):
    spool = Spool(tmp_path)
    spool.append(1, ["first"])
    spool.close()
    with open(spool.path, "ab") as fh:  # a crash mid-append
        fh.write(b'deadbeef {"s":1,"l":["to')
    spool = Spool(tmp_path)
    spool.append(1, ["after the restart"])
    assert [r.lines for r in spool.records()] == [["first"], ["after the restart"]]


def test_a_full_filesystem_keeps_nothing_of_the_failed_record(tiny_filesystem):
    """ENOSPC mid-record: the append raises, and the file is cut back to whole records."""
    spool = Spool(tiny_filesystem)
    line = "CT01_33~1~finish~" + "9" * 200
    appended = 0
    with pytest.raises(SpoolUnwritable) as raised:
        while True:
            spool.append(7, [line] * 10)
            appended += 1
    assert raised.value.errno == errno.ENOSPC
    assert appended > 5
    records = list(spool.records())
    assert len(records) == appended  # every acknowledged record, and nothing torn
    assert records[-1].end_offset == spool.path.stat().st_size
    spool.consumed(records[-1].end_offset)  # drained: the space comes back
    spool.append(7, ["after"])
    assert [r.lines for r in spool.records()] == [["after"]]


def test_a_full_filesystem_does_not_corrupt_the_saved_offset(tiny_filesystem):
    spool = Spool(tiny_filesystem)
    spool.append(1, ["a"])
    spool.append(1, ["b"])
    first = next(spool.records())
    fd = os.open(tiny_filesystem / "filler", os.O_WRONLY | os.O_CREAT)
    with contextlib.suppress(OSError):
        while True:
            os.write(fd, b"x" * 4096)
    os.close(fd)
    spool.consumed(first.end_offset)  # the offset cannot be saved: a warning, no exception
    assert [r.lines for r in spool.records()] == [["b"]]
    reopened = Spool(tiny_filesystem)  # the old offset at worst: a harmless replay
    assert [r.lines for r in reopened.records()][-1] == ["b"]


def test_a_writer_thread_that_ended_or_stalls_is_reported_to_the_watchdog(tmp_path):
    writer = Writer("dbname=none", Spool(tmp_path), ZoneInfo("UTC"), deliver=lambda f, a: f(a))
    assert writer.problem(stuck_after=20) == "writer thread has stopped"  # never started
    writer.running = True
    assert writer.problem(stuck_after=20) is None
    writer.heartbeat -= 30
    assert writer.problem(stuck_after=20) == "writer has made no progress for 30 s"
