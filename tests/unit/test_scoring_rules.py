"""Scoring rules for one runner: which reads are crossings, and the times they give."""

from __future__ import annotations

import datetime as dt

import pytest

from project88.roster import RosterRow
from project88.scoring import (
    Course,
    Guns,
    Location,
    Read,
    Role,
    Runner,
    Sex,
    StartSource,
    Status,
    TimeBasis,
    runner_from_roster_row,
    score,
)

UTC = dt.UTC
GUN = dt.datetime(2025, 5, 4, 8, 0, tzinfo=UTC)
COURSE = Course(
    (
        Location("start", Role.START),
        Location("5k", Role.SPLIT, 5000),
        Location("finish", Role.FINISH, 10000),
    ),
    min_lap=dt.timedelta(minutes=5),
)
GUNS = Guns({"start": GUN})


def t(seconds: float) -> dt.datetime:
    return GUN + dt.timedelta(seconds=seconds)


def read(tag: str, location: str, seconds: float) -> Read:
    return Read(tag, location, t(seconds))


def one(reads, guns=GUNS, course=COURSE, runner=None):
    runner = runner or Runner("1")
    return score(course, [runner], reads, guns).results["1"]


# -- repeats and bounces -------------------------------------------------------------------
def test_standing_on_the_finish_mat_first_read_counts():
    reads = [read("1", "start", 10)] + [read("1", "finish", 3000 + i * 0.15) for i in range(20)]
    result = one(reads)
    assert result.status is Status.FINISHED
    assert result.timing.finish == t(3000)
    assert result.chip_time == dt.timedelta(seconds=2990)
    assert result.gun_time == dt.timedelta(seconds=3000)


def test_repeat_reads_on_the_start_mat_first_counts():
    result = one([read("1", "start", s) for s in (5, 5.5, 6, 9)] + [read("1", "finish", 3000)])
    assert result.timing.start == t(5)


def test_finish_read_within_min_lap_of_the_start_is_a_bounce():
    result = one([read("1", "start", 10), read("1", "finish", 40)])
    assert result.status is Status.ON_COURSE
    assert result.timing.finish is None and result.chip_time is None


def test_min_lap_counts_from_the_start_read_not_only_the_gun():
    # a late starter (well after the gun) bouncing onto the finish mat
    assert one([read("1", "start", 900), read("1", "finish", 930)]).status is Status.ON_COURSE
    no_gun = one([read("1", "start", 10), read("1", "finish", 40)], guns=Guns())
    assert no_gun.status is Status.ON_COURSE


def test_a_later_finish_read_still_counts_after_a_bounce():
    result = one([read("1", "start", 10), read("1", "finish", 40), read("1", "finish", 2000)])
    assert result.timing.finish == t(2000)


def test_min_lap_applies_from_the_gun_when_there_is_no_start_read():
    assert one([read("1", "finish", 60)]).status is Status.NOT_STARTED
    assert one([read("1", "finish", 301)]).status is Status.FINISHED


def test_min_lap_between_split_and_finish():
    result = one([read("1", "start", 0), read("1", "5k", 1500), read("1", "finish", 1600)])
    assert result.status is Status.ON_COURSE
    assert [s.location for s in result.timing.splits] == ["5k"]


def test_min_lap_exactly_reached_counts():
    assert one([read("1", "start", 0), read("1", "finish", 300)]).status is Status.FINISHED


def test_no_min_lap_accepts_any_later_crossing():
    course = Course(COURSE.locations)
    assert one([read("1", "start", 0), read("1", "finish", 1)], course=course).chip_time == (
        dt.timedelta(seconds=1)
    )


def test_reads_after_the_finish_do_not_count():
    result = one([read("1", "start", 0), read("1", "finish", 2000), read("1", "5k", 2600)])
    assert result.timing.splits == ()


def test_start_read_after_a_split_is_walking_back():
    result = one([read("1", "5k", 1500), read("1", "start", 1900), read("1", "finish", 3000)])
    assert result.timing.start_source is StartSource.GUN_NO_READ
    assert result.chip_time == result.gun_time == dt.timedelta(seconds=3000)


def test_start_and_split_at_one_instant_start_comes_first():
    course = Course(COURSE.locations)
    result = one([read("1", "5k", 100), read("1", "start", 100)], course=course)
    assert result.timing.start_source is StartSource.READ


def test_out_of_order_arrival_gives_the_same_answer():
    reads = [read("1", "start", 12), read("1", "5k", 1500), read("1", "finish", 3000)]
    assert one(reads) == one(list(reversed(reads))) == one([reads[2], reads[0], reads[1]])


def test_the_same_read_twice_is_one_read():
    reads = [read("1", "start", 12), read("1", "finish", 3000)]
    assert one(reads) == one(reads * 3)


# -- the gun and the start ------------------------------------------------------------------
def test_missing_start_read_chip_falls_back_to_gun_with_the_flag():
    result = one([read("1", "finish", 3000)])
    assert result.timing.start_source is StartSource.GUN_NO_READ
    assert result.chip_from_gun
    assert result.timing.start == GUN
    assert result.chip_time == result.gun_time == dt.timedelta(seconds=3000)


def test_no_gun_and_no_start_read_no_times():
    result = one([read("1", "finish", 3000)], guns=Guns())
    assert result.status is Status.FINISHED
    assert result.timing.start_source is StartSource.NONE
    assert result.chip_time is None and result.gun_time is None
    assert result.overall_place is None  # nothing to place on
    assert result.timing.pace_per_km is None


def test_no_gun_chip_time_from_the_start_read():
    result = one([read("1", "start", 30), read("1", "finish", 3030)], guns=Guns())
    assert result.gun_time is None
    assert result.chip_time == dt.timedelta(seconds=3000)
    assert not result.chip_from_gun
    assert result.timing.ranked_by is TimeBasis.CHIP


def test_start_read_before_the_gun_is_replaced_by_the_gun():
    result = one([read("1", "start", -20), read("1", "finish", 3000)])
    assert result.timing.start_source is StartSource.GUN_EARLY_READ
    assert result.chip_from_gun
    assert result.chip_time == result.gun_time == dt.timedelta(seconds=3000)


def test_warm_up_on_the_start_mat_then_the_real_start():
    result = one([read("1", "start", -900), read("1", "start", 95), read("1", "finish", 3095)])
    assert result.timing.start_source is StartSource.READ
    assert result.chip_time == dt.timedelta(seconds=3000)


def test_nobodys_chip_time_exceeds_gun_time():
    for start in (-600, -1, 0, 1, 300):
        result = one([read("1", "start", start), read("1", "finish", 3000)])
        assert result.chip_time is not None and result.gun_time is not None
        assert result.chip_time <= result.gun_time


def test_lined_up_on_the_start_mat_is_on_course_from_the_gun():
    result = one([read("1", "start", -30), read("1", "start", -2)])
    assert result.status is Status.ON_COURSE
    assert result.timing.start == GUN


def test_warm_up_over_the_finish_before_the_gun_is_ignored():
    result = one([read("1", "finish", -1200)])
    assert result.status is Status.NOT_STARTED
    result = one([read("1", "finish", -1200), read("1", "start", 5), read("1", "finish", 2000)])
    assert result.timing.finish == t(2000)


def test_before_the_gun_is_known_a_warm_up_looks_like_a_finish():
    # The right answer for the guns given now: without a gun there is no "before".
    assert one([read("1", "finish", -1200)], guns=Guns()).status is Status.FINISHED


def test_wave_gun_comes_first_then_finish_gun_then_start_gun():
    runner = Runner("1", wave="B")
    reads = [read("1", "finish", 3600)]
    both = Guns({"start": GUN, "finish": t(60)}, {"B": t(600)})
    assert one(reads, both, runner=runner).gun_time == dt.timedelta(seconds=3000)
    assert one(reads, Guns(both.locations), runner=runner).gun_time == dt.timedelta(seconds=3540)
    assert one(reads, Guns({"start": GUN}), runner=runner).gun_time == dt.timedelta(seconds=3600)
    # another wave's gun is never this runner's
    assert one(reads, Guns({}, {"A": GUN}), runner=runner).gun_time is None


def test_course_without_a_start_mat_times_everyone_from_the_gun():
    course = Course((Location("finish", Role.FINISH, 5000),))
    result = one([read("1", "finish", 1500)], guns=Guns({"finish": GUN}), course=course)
    assert result.timing.start_source is StartSource.GUN_NO_READ
    assert result.chip_time == dt.timedelta(seconds=1500)


# -- splits and pace --------------------------------------------------------------------------
def test_splits_elapsed_from_chip_start_and_gun_in_course_order():
    course = Course(
        (
            Location("start", Role.START),
            Location("a", Role.SPLIT, 2000),
            Location("b", Role.SPLIT),
            Location("finish", Role.FINISH, 10000),
        )
    )
    reads = [read("1", "start", 20), read("1", "b", 400), read("1", "a", 500)]
    splits = one(reads, course=course).timing.splits
    assert [(s.location, s.chip_time, s.gun_time, s.distance_m) for s in splits] == [
        ("a", dt.timedelta(seconds=480), dt.timedelta(seconds=500), 2000),
        ("b", dt.timedelta(seconds=380), dt.timedelta(seconds=400), None),
    ]


def test_pace_per_km_and_mile_of_chip_time():
    result = one([read("1", "start", 60), read("1", "finish", 3060)])
    assert result.timing.pace_basis is TimeBasis.CHIP
    assert result.timing.pace_per_km == dt.timedelta(minutes=5)
    assert result.timing.pace_per_mile == dt.timedelta(seconds=300 * 1.609344)


def test_pace_of_gun_time_when_no_chip_time():
    # no start read, no gun: no chip time; give a gun that only the finish knows
    guns = Guns({"finish": GUN})
    course = Course((Location("finish", Role.FINISH, 10000),))
    result = one([read("1", "finish", 2400)], guns=guns, course=course)
    assert result.timing.pace_per_km == dt.timedelta(minutes=4)


def test_unknown_location_reads_are_counted_not_crossed():
    sheet = score(
        COURSE,
        [Runner("1")],
        [read("1", "Start ", 0), read("9", "Start ", 1), read("1", "5k", 900)],
    )
    assert sheet.unknown_locations == {"Start ": 2}
    assert sheet.results["1"].timing.start_source is StartSource.NONE
    assert sheet.results["1"].status is Status.ON_COURSE


def test_only_unknown_location_reads_not_started():
    sheet = score(COURSE, [Runner("1")], [read("1", "elsewhere", 0)], GUNS)
    assert sheet.results["1"].status is Status.NOT_STARTED


# -- who a read belongs to ---------------------------------------------------------------------
def test_unknown_tags_are_counted_separately():
    reads = [read("1", "start", 0), read("X9", "start", 1), read("X9", "finish", 1000)]
    sheet = score(COURSE, [Runner("1")], reads, GUNS)
    assert set(sheet.results) == {"1"}
    assert sheet.unknown_tags == {"X9": 2}
    assert sheet.unknown_tag_reads == 2


def test_runner_without_reads_has_no_result():
    sheet = score(COURSE, [Runner("1"), Runner("2")], [read("1", "start", 0)], GUNS)
    assert set(sheet.results) == {"1"}


def test_tag_codes_and_several_tags():
    runner = Runner("12", tags=("M12", "S12"))
    reads = [read("M12", "start", 5), read("S12", "start", 5), read("S12", "finish", 2000)]
    sheet = score(COURSE, [runner], [*reads, read("12", "finish", 1000)], GUNS)
    assert sheet.results["12"].chip_time == dt.timedelta(seconds=1995)
    assert sheet.unknown_tags == {"12": 1}  # the bib is not read when there are tag codes


def test_a_shared_tag_attaches_to_nobody():
    a, b = Runner("1", tags=("T",)), Runner("2", tags=("T",))
    sheet = score(COURSE, [a, b, Runner("3")], [read("T", "start", 0), read("3", "start", 0)])
    assert set(sheet.results) == {"3"}
    assert sheet.shared_tags == {"T": ("1", "2")}
    assert sheet.unknown_tags == {"T": 1}


def test_a_tag_equal_to_another_runners_bib_is_shared():
    sheet = score(COURSE, [Runner("5"), Runner("9", tags=("5",))], [read("5", "start", 0)])
    assert sheet.results == {}
    assert sheet.shared_tags == {"5": ("5", "9")}


def test_a_later_roster_entry_for_a_bib_replaces_the_earlier():
    sheet = score(
        COURSE,
        [Runner("1", first_name="Ann"), Runner("1", first_name="Anne")],
        [read("1", "start", 0)],
    )
    assert sheet.results["1"].runner.first_name == "Anne"


# -- inputs ------------------------------------------------------------------------------------
def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        Read("1", "start", dt.datetime(2025, 5, 4, 8, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        Guns({"start": dt.datetime(2025, 5, 4, 8, 0)})


def test_time_zones_mix_by_instant():
    ny = dt.timezone(dt.timedelta(hours=-4))
    reads = [Read("1", "start", t(10).astimezone(ny)), read("1", "finish", 3010)]
    assert one(reads).chip_time == dt.timedelta(seconds=3000)


@pytest.mark.parametrize(
    ("locations", "message"),
    [
        ((Location("start", Role.START),), "exactly one finish"),
        (
            (Location("s", Role.START), Location("t", Role.START), Location("f", Role.FINISH, 1)),
            "at most one start",
        ),
        ((Location("f", Role.FINISH, 1), Location("f", Role.SPLIT)), "more than once"),
    ],
)
def test_course_checks(locations, message):
    with pytest.raises(ValueError, match=message):
        Course(locations)


def test_finish_needs_a_distance_and_min_lap_is_not_negative():
    with pytest.raises(ValueError, match="needs a distance"):
        Location("finish", Role.FINISH)
    with pytest.raises(ValueError, match="negative"):
        Course(COURSE.locations, min_lap=dt.timedelta(seconds=-1))


def test_runner_checks():
    with pytest.raises(ValueError, match="needs a bib"):
        Runner("")
    with pytest.raises(ValueError, match="empty tag"):
        Runner("1", tags=("",))
    assert Runner("1", tags=("A", "A", "B")).read_as == ("A", "B")
    assert Runner("1").read_as == ("1",)


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("M", Sex.M),
        (" female ", Sex.F),
        ("W", Sex.F),
        ("x", Sex.X),
        ("Non-binary", Sex.X),
        ("", Sex.UNKNOWN),
        (None, Sex.UNKNOWN),
        ("U", Sex.UNKNOWN),
    ],
)
def test_sex_parse(text, sex):
    assert Sex.parse(text) is sex


def test_runner_from_roster_row():
    row = RosterRow(
        bib="7",
        first_name="Ann",
        gender="F",
        age=41,
        division="F 40-44",
        city="Troy",
        tag_code="M7",
    )
    runner = runner_from_roster_row(row, wave="A")
    assert runner == Runner(
        "7",
        tags=("M7",),
        first_name="Ann",
        sex=Sex.F,
        age=41,
        division="F 40-44",
        city="Troy",
        wave="A",
    )
    assert runner_from_roster_row(RosterRow(bib="8")).read_as == ("8",)
