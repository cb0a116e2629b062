"""Properties: the Scoreboard fed piecemeal, in any order, equals scoring from scratch.

Inputs are drawn from small pools (a few bibs, tags, mats and coarse instants)
so that the hard cases keep happening: ties, shared tags, repeats, bounces,
reads before the gun, guns arriving late and being corrected, roster entries
arriving after their reads, runners leaving the roster.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from project88.scoring import (
    Course,
    Guns,
    Location,
    Read,
    Role,
    Runner,
    Scoreboard,
    Sex,
    Status,
    score,
)

GUN = dt.datetime(2025, 5, 4, 8, 0, tzinfo=dt.UTC)
NY = dt.timezone(dt.timedelta(hours=-4))
BIBS = ["1", "2", "3", "4", "10", "A5"]
TAGS = [*BIBS, "T1", "T2", "Z"]  # Z: never on the roster
MATS = ["start", "5k", "finish", "elsewhere"]
COURSES = [
    Course(
        (
            Location("start", Role.START),
            Location("5k", Role.SPLIT, 5000),
            Location("finish", Role.FINISH, 10000),
        ),
        min_lap=dt.timedelta(seconds=lap),
    )
    for lap in (0, 100, 300)
] + [Course((Location("5k", Role.SPLIT), Location("finish", Role.FINISH, 5000)))]


def instant(seconds: int, local: bool) -> dt.datetime:
    at = GUN + dt.timedelta(seconds=seconds)
    return at.astimezone(NY) if local else at


instants = st.builds(instant, st.integers(-12, 80).map(lambda n: n * 50), st.booleans())
# Weighted by repetition: mostly roster bibs at the start and finish, so that
# finishers (and so places that move) are common, but every odd case still comes up.
reads = st.builds(
    Read,
    st.sampled_from([*BIBS, *BIBS, *TAGS]),
    st.sampled_from(["start", "start", "finish", "finish", "finish", *MATS]),
    instants,
)
runners = st.builds(
    Runner,
    bib=st.sampled_from(BIBS),
    tags=st.lists(st.sampled_from(TAGS[:-1]), max_size=2).map(tuple),
    first_name=st.sampled_from([None, "Ann", "Bo"]),
    sex=st.sampled_from(list(Sex)),
    division=st.sampled_from([None, "A", "B"]),
    wave=st.sampled_from([None, "W1", "W2"]),
)
gun_instants = st.builds(instant, st.integers(-2, 8).map(lambda n: n * 50), st.booleans())
guns = st.builds(
    Guns,
    st.dictionaries(st.sampled_from(["start", "finish", "5k"]), gun_instants, max_size=2),
    st.dictionaries(st.sampled_from(["W1", "W2"]), gun_instants, max_size=2),
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("reads"), st.lists(reads, max_size=8)),
        st.tuples(st.just("reads"), st.lists(reads, max_size=8)),
        st.tuples(st.just("runner"), runners),
        st.tuples(st.just("remove"), st.sampled_from(BIBS)),
        st.tuples(st.just("guns"), guns),
        st.tuples(st.just("location gun"), st.sampled_from(["start", "finish"]), gun_instants),
        st.tuples(st.just("wave gun"), st.sampled_from(["W1", "W2"]), gun_instants),
        st.tuples(st.just("clear gun"), st.sampled_from(["start", "finish"])),
        st.tuples(st.just("course"), st.sampled_from(COURSES)),
    ),
    max_size=40,
)


class Model:
    """The inputs as they stand after some operations: what ``score`` is given."""

    def __init__(self, course: Course) -> None:
        self.course = course
        self.roster: dict[str, Runner] = {}
        self.reads: list[Read] = []
        self.guns = Guns()

    def apply(self, board: Scoreboard, op: tuple):
        kind = op[0]
        if kind == "reads":
            self.reads.extend(op[1])
            return board.add_reads(op[1])
        if kind == "runner":
            self.roster[op[1].bib] = op[1]
            return board.upsert_runners([op[1]])
        if kind == "remove":
            self.roster.pop(op[1], None)
            return board.remove_runners([op[1]])
        if kind == "guns":
            self.guns = op[1]
            return board.set_guns(op[1])
        if kind == "location gun":
            self.guns = Guns({**self.guns.locations, op[1]: op[2]}, self.guns.waves)
            return board.set_location_gun(op[1], op[2])
        if kind == "wave gun":
            self.guns = Guns(self.guns.locations, {**self.guns.waves, op[1]: op[2]})
            return board.set_wave_gun(op[1], op[2])
        if kind == "clear gun":
            locations = {k: v for k, v in self.guns.locations.items() if k != op[1]}
            self.guns = Guns(locations, self.guns.waves)
            return board.set_location_gun(op[1], None)
        assert kind == "course"
        self.course = op[1]
        return board.set_course(op[1])

    def score(self):
        return score(self.course, self.roster.values(), self.reads, self.guns)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(COURSES), operations, st.sampled_from([0, 2, 1000]))
def test_board_equals_score_after_every_update_and_changes_are_exact(course, ops, rebuild):
    board = Scoreboard(course, rebuild_above=rebuild)
    model = Model(course)
    mirror: dict = {}  # what a daemon upserting only the changes would hold
    for op in ops:
        before = dict(board.results)
        changes = model.apply(board, op)
        for bib, result in changes.updated.items():
            assert before.get(bib) != result  # only real changes are reported
            mirror[bib] = result
        for bib in changes.removed:
            assert bib in before and bib not in board.results
            del mirror[bib]
        assert not set(changes.updated) & changes.removed
        assert mirror == dict(board.results)
        assert board.sheet() == model.score()


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(COURSES),
    st.lists(runners, max_size=6, unique_by=lambda r: r.bib),
    st.lists(reads, max_size=30),
    guns,
    st.randoms(use_true_random=False),
)
def test_any_order_and_batching_gives_the_same_answer(course, roster, all_reads, gun, rnd):
    expected = score(course, roster, all_reads, gun)
    assert score(course, list(reversed(roster)), list(reversed(all_reads)), gun) == expected
    # the same inputs, interleaved in a random order and random batches
    steps: list[tuple] = [("runner", [r]) for r in roster] + [("read", [r]) for r in all_reads]
    steps.append(("guns", gun))
    steps.append(("guns", Guns()))  # a gun known early, withdrawn, then the real one...
    rnd.shuffle(steps)
    steps.append(("guns", gun))  # ...last, since the last gun picture is the one that stands
    board = Scoreboard(course)
    for kind, payload in steps:
        if kind == "runner":
            board.upsert_runners(payload)
        elif kind == "read":
            board.add_reads(payload)
        else:
            board.set_guns(payload)
    assert board.sheet() == expected


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(COURSES),
    st.lists(runners, max_size=6, unique_by=lambda r: r.bib),
    st.lists(reads, max_size=40),
    guns,
)
def test_results_are_consistent(course, roster, all_reads, gun):
    sheet = score(course, roster, all_reads, gun)
    groups: dict[tuple, list[int]] = defaultdict(list)
    for bib, result in sheet.results.items():
        timing = result.timing
        if timing.chip_time is not None and timing.gun_time is not None:
            assert timing.chip_time <= timing.gun_time
        if timing.finish is not None:
            assert result.status is Status.FINISHED
            assert timing.start is None or timing.start <= timing.finish
            assert timing.gun is None or timing.gun <= timing.finish
        for split in timing.splits:
            assert split.chip_time is None or split.chip_time >= dt.timedelta(0)
        if result.overall_place is None:
            assert result.sex_place is None and result.division_place is None
        else:
            assert result.status is Status.FINISHED
            groups["overall",].append(result.overall_place)
            runner = result.runner
            if result.sex_place is not None:
                assert runner.sex is not Sex.UNKNOWN
                groups["sex", runner.sex].append(result.sex_place)
            if result.division_place is not None:
                groups["division", runner.division].append(result.division_place)
        attached = {tag for tag in result.runner.read_as if tag not in sheet.shared_tags}
        assert attached and not attached & set(sheet.unknown_tags)
        assert bib == result.bib
    for places in groups.values():
        assert sorted(places) == list(range(1, len(places) + 1))
