"""Scoring from scratch: every input in, every result out, in one pure call."""

from __future__ import annotations

from collections.abc import Iterable

from project88.scoring.attach import Claims
from project88.scoring.crossings import ReadAt
from project88.scoring.model import Course, Guns, Read, Runner
from project88.scoring.places import UNPLACED, place_all
from project88.scoring.results import Result, ScoreSheet, Timing, make_result
from project88.scoring.timing import time_runner

NO_GUNS = Guns()


def score(
    course: Course,
    roster: Iterable[Runner],
    reads: Iterable[Read],
    guns: Guns = NO_GUNS,
) -> ScoreSheet:
    """Score a race from everything known now.

    ``roster``: a later entry for a bib replaces an earlier one, as an upsert
    would. ``reads``: any order, repeats allowed (a set: see ``Read``).
    The answer depends only on these inputs, never on the order they came in;
    ``Scoreboard`` gives the same answer when fed them piecemeal.
    """
    runners: dict[str, Runner] = {}
    for runner in roster:
        runners[runner.bib] = runner
    claims = Claims(runners.values())

    roles = course.roles
    by_tag: dict[str, set[ReadAt]] = {}
    unknown_locations: dict[str, int] = {}
    for read in reads:
        entry = (read.at, read.location)
        tag_reads = by_tag.get(read.tag)
        if tag_reads is None:  # not setdefault: that would make a set per read
            tag_reads = by_tag[read.tag] = set()
        elif entry in tag_reads:
            continue  # the same read again
        tag_reads.add(entry)
        if read.location not in roles:
            unknown_locations[read.location] = unknown_locations.get(read.location, 0) + 1

    unknown_tags: dict[str, int] = {}
    by_bib: dict[str, list[ReadAt]] = {}
    for tag, tag_reads in by_tag.items():
        owner = claims.owner(tag)
        if owner is None:
            unknown_tags[tag] = len(tag_reads)
        else:
            # A runner with two tags read at one mat at one instant: the copy is a
            # repeat, which the crossing rules drop, so no need to dedupe here.
            by_bib.setdefault(owner, []).extend(tag_reads)

    timed: list[tuple[Runner, Timing]] = []
    for bib, runner_reads in by_bib.items():
        runner = runners[bib]
        timed.append((runner, time_runner(runner_reads, course, guns.for_runner(runner, course))))
    places = place_all(timed)
    results: dict[str, Result] = {
        runner.bib: make_result(runner, timing, places.get(runner.bib, UNPLACED))
        for runner, timing in timed
    }
    return ScoreSheet(
        results=results,
        unknown_tags=unknown_tags,
        shared_tags=claims.shared(),
        unknown_locations=unknown_locations,
    )
