"""The Scoreboard: late and corrected inputs, and exactly what changed."""

from __future__ import annotations

import datetime as dt

from project88.scoring import (
    Course,
    Guns,
    Location,
    Read,
    Role,
    Runner,
    Scoreboard,
    Sex,
    StartSource,
    Status,
    score,
)

GUN = dt.datetime(2025, 5, 4, 8, 0, tzinfo=dt.UTC)
COURSE = Course(
    (
        Location("start", Role.START),
        Location("5k", Role.SPLIT, 5000),
        Location("finish", Role.FINISH, 10000),
    ),
    min_lap=dt.timedelta(minutes=5),
)
NO_GUNS = Guns()
RUNNERS = [
    Runner("1", sex=Sex.F, division="F 30-34", wave="A"),
    Runner("2", sex=Sex.M, division="M 30-34", wave="A"),
    Runner("3", sex=Sex.F, division="F 30-34", wave="B"),
    Runner("4", sex=Sex.UNKNOWN, wave="B"),
]


def t(seconds: float) -> dt.datetime:
    return GUN + dt.timedelta(seconds=seconds)


def race_reads() -> list[Read]:
    reads = []
    for n, (start, finish) in enumerate([(5, 3000), (8, 2900), (310, 3100), (None, 3300)], 1):
        if start is not None:
            reads.append(Read(str(n), "start", t(start)))
        reads.append(Read(str(n), "5k", t((finish + (start or 0)) / 2)))
        reads.append(Read(str(n), "finish", t(finish)))
    return reads


def board_with(reads=(), guns=NO_GUNS, runners=RUNNERS) -> Scoreboard:
    board = Scoreboard(COURSE, guns)
    board.upsert_runners(runners)
    board.add_reads(reads)
    return board


def check_matches_score(board: Scoreboard, runners=RUNNERS, reads=None) -> None:
    reads = race_reads() if reads is None else reads
    assert board.sheet() == score(board.course, runners, reads, board.guns)


def test_late_gun_times_and_places_appear_for_everyone_affected():
    board = board_with(race_reads())
    assert board.results["4"].gun_time is None
    assert board.results["4"].overall_place is None  # no gun, no start read: no time
    changes = board.set_location_gun("start", GUN)
    assert set(changes.updated) == {"1", "2", "3", "4"}
    assert all(r.gun_time is not None for r in changes.updated.values())
    assert changes.updated["4"].timing.start_source is StartSource.GUN_NO_READ
    assert changes.updated["4"].overall_place == 4
    check_matches_score(board)


def test_corrected_gun_changes_every_runner_it_times():
    board = board_with(race_reads(), Guns({"start": GUN}, {"B": t(300)}))
    changes = board.set_wave_gun("B", t(305))
    # 3 and 4 are timed from wave B's gun; 1 (wave A: the start gun) only moves,
    # because 4's gun time drops from 3000 s (a tie lost to 1's earlier finish) to 2995 s.
    assert set(changes.updated) == {"1", "3", "4"}
    assert changes.updated["3"].gun_time == dt.timedelta(seconds=2795)
    assert changes.updated["1"].gun_time == dt.timedelta(seconds=3000)
    assert [board.results[b].overall_place for b in "1234"] == [4, 2, 1, 3]
    check_matches_score(board)
    changes = board.set_location_gun("start", t(2))
    assert set(changes.updated) == {"1", "2"}
    check_matches_score(board)


def test_a_gun_change_that_moves_places_reports_the_moved():
    board = board_with(race_reads(), Guns({"start": GUN}, {"B": t(300)}))
    before = {bib: r.overall_place for bib, r in board.results.items()}
    changes = board.set_wave_gun("B", t(0))  # wave B loses 5 minutes: 3 falls behind
    after = {bib: r.overall_place for bib, r in board.results.items()}
    assert before != after
    moved = {bib for bib in before if before[bib] != after[bib]}
    assert moved <= set(changes.updated)
    check_matches_score(board)


def test_clearing_a_gun_takes_the_times_away():
    board = board_with(race_reads(), Guns({"start": GUN}))
    changes = board.set_location_gun("start", None)
    assert set(changes.updated) == {"1", "2", "3", "4"}
    assert board.results["1"].gun_time is None
    check_matches_score(board)


def test_same_gun_again_changes_nothing():
    board = board_with(race_reads(), Guns({"start": GUN}))
    assert not board.set_location_gun("start", GUN)
    assert not board.set_guns(Guns({"start": GUN}))


def test_out_of_order_arrival_finish_before_start():
    board = board_with(guns=Guns({"start": GUN}))
    changes = board.add_reads([Read("1", "finish", t(3000))])
    assert changes.updated["1"].timing.start_source is StartSource.GUN_NO_READ
    changes = board.add_reads([Read("1", "start", t(40))])
    assert changes.updated["1"].chip_time == dt.timedelta(seconds=2960)
    assert board.results["1"] == score(COURSE, RUNNERS, [
        Read("1", "start", t(40)), Read("1", "finish", t(3000))
    ], Guns({"start": GUN})).results["1"]  # fmt: skip


def test_a_late_earlier_finish_read_replaces_the_finish():
    board = board_with(guns=Guns({"start": GUN}))
    board.add_reads([Read("1", "finish", t(3000))])
    changes = board.add_reads([Read("1", "finish", t(2999))])
    assert changes.updated["1"].timing.finish == t(2999)


def test_replayed_reads_change_nothing():
    reads = race_reads()
    board = board_with(reads, Guns({"start": GUN}))
    assert not board.add_reads(reads)
    assert not board.add_reads([])
    board.add_reads([Read("X", "start", t(1))])
    board.add_reads([Read("X", "start", t(1))])
    assert board.sheet().unknown_tags == {"X": 1}


def test_repeat_reads_change_nothing():
    board = board_with(race_reads(), Guns({"start": GUN}))
    repeats = [Read("1", "finish", t(3000 + i / 10)) for i in range(1, 20)]
    assert not board.add_reads(repeats)


def test_new_finisher_ahead_moves_everyone_behind():
    board = board_with(race_reads(), Guns({"start": GUN}))
    board.upsert_runners([Runner("5", sex=Sex.F)])
    changes = board.add_reads([Read("5", "start", t(1)), Read("5", "finish", t(2000))])
    assert set(changes.updated) == {"1", "2", "3", "4", "5"}
    assert changes.updated["5"].overall_place == 1
    assert changes.updated["5"].sex_place == 1
    assert changes.updated["2"].sex_place == 1  # M: the F runner does not move him...
    assert changes.updated["2"].overall_place == 2  # ...but he moved overall
    assert changes.updated["1"].sex_place == 2


def test_new_last_finisher_changes_only_itself():
    board = board_with(race_reads(), Guns({"start": GUN}))
    board.upsert_runners([Runner("5")])
    changes = board.add_reads([Read("5", "start", t(1)), Read("5", "finish", t(9000))])
    assert set(changes.updated) == {"5"}


def test_roster_entry_after_its_reads_attaches_them():
    board = board_with(guns=Guns({"start": GUN}), runners=[])
    changes = board.add_reads(race_reads())
    assert not changes
    assert board.sheet().unknown_tags == {"1": 3, "2": 3, "3": 3, "4": 2}
    changes = board.upsert_runners([RUNNERS[0]])
    assert set(changes.updated) == {"1"}
    assert changes.updated["1"].status is Status.FINISHED
    assert "1" not in board.sheet().unknown_tags
    check_matches_score(board, runners=[RUNNERS[0]])


def test_roster_change_of_name_or_division_is_a_change():
    board = board_with(race_reads(), Guns({"start": GUN}))
    changes = board.upsert_runners([Runner("2", sex=Sex.F, division="F 30-34", wave="A")])
    assert changes.updated["2"].sex_place == 1
    assert changes.updated["1"].sex_place == 2
    assert set(changes.updated) >= {"1", "2", "3"}
    assert not board.upsert_runners([Runner("2", sex=Sex.F, division="F 30-34", wave="A")])


def test_a_new_entry_sharing_a_tag_detaches_both():
    board = board_with(race_reads(), Guns({"start": GUN}))
    changes = board.upsert_runners([Runner("9", tags=("1",))])
    assert changes.removed == {"1"}
    assert board.sheet().shared_tags == {"1": ("1", "9")}
    assert board.sheet().unknown_tags == {"1": 3}
    changes = board.remove_runners(["9"])
    assert "1" in changes.updated
    check_matches_score(board)


def test_moving_a_tag_between_runners():
    board = board_with(race_reads(), Guns({"start": GUN}))
    runners = [Runner("1", tags=("1x",)), Runner("7", tags=("1",))]
    changes = board.upsert_runners(runners)
    assert changes.removed == {"1"}
    assert "7" in changes.updated
    final = [*runners, *RUNNERS[1:]]
    check_matches_score(board, runners=final)


def test_removing_a_runner_turns_their_reads_unknown():
    board = board_with(race_reads(), Guns({"start": GUN}))
    changes = board.remove_runners(["2", "nobody"])
    assert changes.removed == {"2"}
    assert board.sheet().unknown_tags == {"2": 3}
    assert changes.updated["1"].overall_place == 1
    check_matches_score(board, runners=[r for r in RUNNERS if r.bib != "2"])


def test_set_course_rescores_everyone():
    board = board_with([*race_reads(), Read("1", "10k", t(2000))], Guns({"start": GUN}))
    assert board.sheet().unknown_locations == {"10k": 1}
    course = Course((*COURSE.locations, Location("10k", Role.SPLIT)), min_lap=COURSE.min_lap)
    changes = board.set_course(course)
    assert "1" in changes.updated
    assert board.sheet().unknown_locations == {}
    assert [s.location for s in board.results["1"].timing.splits] == ["5k", "10k"]


def test_changes_bibs_and_truth():
    board = board_with()
    changes = board.add_reads([Read("1", "start", t(1))])
    assert changes and changes.bibs == {"1"}
    assert not board.add_reads([])
