from daemons.ct_listener.spool import Spool


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
