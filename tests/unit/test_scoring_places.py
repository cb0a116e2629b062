"""Places: by gun time (chip time while no gun is known), by sex and division, ties."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from project88.scoring import (
    Course,
    Guns,
    Location,
    Read,
    Role,
    Runner,
    Sex,
    TimeBasis,
    score,
)
from project88.scoring.places import Standings, bib_order, groups_of, place_all, rank_key
from project88.scoring.results import StartSource, Status, Timing

GUN = dt.datetime(2025, 5, 4, 8, 0, tzinfo=dt.UTC)
COURSE = Course(
    (Location("start", Role.START), Location("finish", Role.FINISH, 5000)),
    min_lap=dt.timedelta(minutes=1),
)


def t(seconds: float) -> dt.datetime:
    return GUN + dt.timedelta(seconds=seconds)


def run(bib: str, start: float | None, finish: float | None) -> list[Read]:
    reads = []
    if start is not None:
        reads.append(Read(bib, "start", t(start)))
    if finish is not None:
        reads.append(Read(bib, "finish", t(finish)))
    return reads


def places(sheet, kind="overall"):
    """bib -> place of that kind, for the placed."""
    out = {}
    for bib, result in sheet.results.items():
        place = getattr(result, f"{kind}_place")
        if place is not None:
            out[bib] = place
    return out


def test_official_places_are_by_gun_time_not_chip_time():
    # 2 crossed the start late and has the faster chip time, but 1 finished first.
    reads = run("1", 0, 1500) + run("2", 120, 1560)
    sheet = score(COURSE, [Runner("1"), Runner("2")], reads, Guns({"start": GUN}))
    assert sheet.results["2"].chip_time < sheet.results["1"].chip_time
    assert places(sheet) == {"1": 1, "2": 2}
    assert sheet.results["1"].timing.ranked_by is TimeBasis.GUN


def test_without_a_gun_places_are_by_chip_time():
    reads = run("1", 0, 1500) + run("2", 120, 1560)
    sheet = score(COURSE, [Runner("1"), Runner("2")], reads)
    assert places(sheet) == {"2": 1, "1": 2}
    assert sheet.results["1"].timing.ranked_by is TimeBasis.CHIP


def test_wave_runners_are_placed_on_their_own_wave_gun():
    runners = [Runner("1", wave="A"), Runner("2", wave="B")]
    guns = Guns({}, {"A": GUN, "B": t(600)})
    sheet = score(COURSE, runners, run("1", 5, 1800) + run("2", 605, 2200), guns)
    assert sheet.results["2"].gun_time == dt.timedelta(seconds=1600)
    assert places(sheet) == {"2": 1, "1": 2}


def test_only_finishers_with_a_time_are_placed():
    reads = run("1", 0, 1500) + run("2", 0, None) + run("3", None, 1400)
    sheet = score(COURSE, [Runner("1"), Runner("2"), Runner("3")], reads)
    # no gun: 3 has no start read, so no time at all; 2 has not finished
    assert places(sheet) == {"1": 1}
    assert sheet.results["3"].overall_place is None


def test_places_by_sex_and_division():
    runners = [
        Runner("1", sex=Sex.F, division="F 30-39"),
        Runner("2", sex=Sex.M, division="M 30-39"),
        Runner("3", sex=Sex.F, division="F 40-49"),
        Runner("4", sex=Sex.F, division="F 30-39"),
        Runner("5", sex=Sex.X),
        Runner("6", sex=Sex.M, division="M 30-39"),
    ]
    finish = {"1": 1600, "2": 1500, "3": 1550, "4": 1700, "5": 1650, "6": 1450}
    reads = [r for bib, f in finish.items() for r in run(bib, 0, f)]
    sheet = score(COURSE, runners, reads, Guns({"start": GUN}))
    assert places(sheet) == {"6": 1, "2": 2, "3": 3, "1": 4, "5": 5, "4": 6}
    assert places(sheet, "sex") == {"6": 1, "2": 2, "3": 1, "1": 2, "4": 3, "5": 1}
    assert places(sheet, "division") == {"6": 1, "2": 2, "3": 1, "1": 1, "4": 2}
    assert sheet.results["5"].division_place is None  # no division given, none derived


def test_unknown_sex_has_no_sex_place_and_takes_none():
    runners = [Runner("1", sex=Sex.UNKNOWN), Runner("2", sex=Sex.F), Runner("3", sex=Sex.F)]
    reads = run("1", 0, 1400) + run("2", 0, 1500) + run("3", 0, 1600)
    sheet = score(COURSE, runners, reads, Guns({"start": GUN}))
    assert sheet.results["1"].overall_place == 1
    assert sheet.results["1"].sex_place is None
    assert places(sheet, "sex") == {"2": 1, "3": 2}


def test_equal_gun_times_go_to_the_earlier_finish_read_then_the_bib():
    # 1 and 2: same gun time (same finish instant) -> the lower bib;
    # 10 and 9 have the same gun time as each other: bib order is numeric
    runners = [Runner(b) for b in ("1", "2", "9", "10", "A")]
    reads = run("2", 0, 1500) + run("1", 3, 1500) + run("10", 0, 1600) + run("9", 0, 1600)
    reads += run("A", 0, 1600)
    sheet = score(COURSE, runners, reads, Guns({"start": GUN}))
    assert places(sheet) == {"1": 1, "2": 2, "9": 3, "10": 4, "A": 5}


def test_equal_chip_times_go_to_the_earlier_finish_read():
    # no gun: same chip time, 2 crossed the finish first
    reads = run("1", 100, 1600) + run("2", 50, 1550)
    sheet = score(COURSE, [Runner("1"), Runner("2")], reads)
    assert sheet.results["1"].chip_time == sheet.results["2"].chip_time
    assert places(sheet) == {"2": 1, "1": 2}


def test_bib_order_numbers_before_text():
    assert sorted(["10", "9", "A1", "007", "7", "²"], key=bib_order) == [
        "007",
        "7",
        "9",
        "10",
        "A1",
        "²",
    ]


def _key(seconds: int, bib: str):
    return (seconds, t(seconds), *bib_order(bib))


def test_standings_report_who_moved():
    standings = Standings(rebuild_above=1000)
    group = groups_of(Runner("x"))
    entries = {str(n): (_key(100 * n, str(n)), group) for n in range(1, 6)}
    assert standings.update(entries) == set(entries)
    assert standings.places("3") == (3, None, None)
    # 5 moves to second: 2, 3, 4 shift back; 1 stays
    assert standings.update({"5": (_key(150, "5"), group)}) == {"2", "3", "4", "5"}
    assert [standings.places(b)[0] for b in "12345"] == [1, 3, 4, 5, 2]
    # 1 leaves: everyone behind moves up
    assert standings.update({"1": None}) == {"2", "3", "4", "5"}
    assert standings.places("1") == (None, None, None)
    # unchanged entries report nothing
    assert standings.update({"2": (_key(200, "2"), group)}) == set()


def test_standings_rebuild_gives_the_same_places():
    group = groups_of(Runner("x", sex=Sex.F, division="F"))
    entries = {str(n): (_key((n * 37) % 11, str(n)), group) for n in range(1, 12)}
    one_by_one, rebuilt = Standings(rebuild_above=1000), Standings(rebuild_above=0)
    for bib, entry in entries.items():
        one_by_one.update({bib: entry})
    rebuilt.update(entries)
    assert all(one_by_one.places(b) == rebuilt.places(b) for b in entries)


_BIBS = [str(n) for n in range(1, 9)]
_entries = st.one_of(
    st.none(),
    st.builds(
        lambda seconds, bib_sex_division: (seconds, bib_sex_division),
        st.integers(0, 6),
        st.tuples(st.sampled_from(list(Sex)), st.sampled_from([None, "A", "B"])),
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.dictionaries(st.sampled_from(_BIBS), _entries, max_size=3), max_size=30),
    st.sampled_from([0, 1, 1000]),
)
def test_standings_match_sorting_and_report_everyone_who_moved(updates, rebuild):
    """After every update: the places sorting gives, and every moved bib reported."""
    standings = Standings(rebuild_above=rebuild)
    current: dict[str, tuple[int, Runner]] = {}
    for update in updates:
        before = {bib: standings.places(bib) for bib in _BIBS}
        entries = {}
        for bib, drawn in update.items():
            if drawn is None:
                current.pop(bib, None)
                entries[bib] = None
                continue
            seconds, (sex, division) = drawn
            runner = Runner(bib, sex=sex, division=division)
            current[bib] = (seconds, runner)
            entries[bib] = (rank_key(runner, _timing(seconds)), groups_of(runner))
        moved = standings.update(entries)
        expected = place_all((runner, _timing(seconds)) for seconds, runner in current.values())
        after = {bib: standings.places(bib) for bib in _BIBS}
        assert after == {bib: expected.get(bib, (None, None, None)) for bib in _BIBS}
        changed = {bib for bib in _BIBS if before[bib] != after[bib]}
        assert changed - set(update) <= moved


def _timing(seconds: int) -> Timing:
    """A finisher timed from the gun, ``seconds`` after it."""
    elapsed = dt.timedelta(seconds=seconds)
    return Timing(
        Status.FINISHED, GUN, GUN, StartSource.GUN_NO_READ, t(seconds), elapsed, elapsed, (),
        5000, elapsed, TimeBasis.GUN,
    )  # fmt: skip
