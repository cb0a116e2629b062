"""A race's course: ``project88 session new --course SPEC [--min-lap S]`` and ``session course``.

The course is what scoring needs (which mat is the start, the splits, the finish,
how far each is); a bad spec is refused before anything is written, with a clear
message on stderr, and ``session new`` still prints only the new id on stdout.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import query
from tests.integration.test_cli import project88
from tests.integration.test_session_cli import new_race, refused

COURSE = "SELECT position, location_name, role, distance_m FROM timing_course_locations"


def test_new_session_with_a_course_prints_only_its_id(raw_dsn):
    sid = new_race(raw_dsn, "--event", "Hartford 10K", "--login", "hartford",
                   "--course", "start@0, 5k@5000 ,finish@10000", "--min-lap", "90")  # fmt: skip
    assert query(raw_dsn, f"{COURSE} WHERE session_id = %s ORDER BY 1", (sid,)) == [
        (1, "start", "start", 0.0),
        (2, "5k", "split", 5000.0),
        (3, "finish", "finish", 10000.0),
    ]
    assert query(raw_dsn, "SELECT min_lap FROM timing_courses") == [(dt.timedelta(seconds=90),)]
    # No start mat: the first mat is a split when it is not at 0 m.
    other = new_race(raw_dsn, "--event", "Boulder", "--login", "b",
                     "--course", "10k@10000.5,fin@21097.5")  # fmt: skip
    assert query(raw_dsn, f"{COURSE} WHERE session_id = %s ORDER BY 1", (other,)) == [
        (1, "10k", "split", 10000.5),
        (2, "fin", "finish", 21097.5),
    ]
    shown = project88("session", "course", "--id", str(sid), dsn=raw_dsn)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == (
        f"session {sid} (Hartford 10K): start@0,5k@5000,finish@10000, min lap 90 s\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--course", ""], "the course is empty"),
        (["--course", "start@0"], "a course needs a finish after the start"),
        (["--course", "start,finish@5000"], "'start' is not name@metres"),
        (["--course", "start@0,finish@five"], "mat 'finish': 'five' is not a distance in metres"),
        (["--course", "start@0,finish@-1"], "the distance must be 0 or more metres"),
        (["--course", "a@0,b@5000,c@3000"], "mat 'c' at 3000 m is not after 'b' at 5000 m"),
        (["--course", "a@0,a@5000"], "locations named more than once: a"),
        (["--course", "x@0,x@0"], "is not after"),
        (["--course", "a@0,b@1000,a@2000"], "locations named more than once: a"),
        (["--course", "a@0,finish@5000", "--min-lap", "soon"], "--min-lap 'soon' is not a number"),
        (["--course", "a@0,finish@5000", "--min-lap", "-3"], "--min-lap must be between 0"),
        (["--min-lap", "30"], "--min-lap needs --course"),
    ],
)
def test_a_bad_course_is_refused_and_nothing_is_opened(raw_dsn, args, message):
    stderr = refused(raw_dsn, "--event", "Hartford", "--login", "h", *args)
    assert message in stderr, stderr
    assert stderr.startswith("session new: ")
    assert query(raw_dsn, "SELECT count(*) FROM timing_sessions") == [(0,)]
    assert query(raw_dsn, "SELECT count(*) FROM timing_courses") == [(0,)]


def test_session_course_sets_changes_and_shows_the_course(raw_dsn):
    sid = new_race(raw_dsn, "--event", "Hartford Marathon", "--login", "hartford")
    none = project88("session", "course", "--slug", "hartford-marathon", dsn=raw_dsn)
    assert none.returncode == 0 and "has no course, so no results" in none.stdout

    def course(*args: str) -> str:
        done = project88("session", "course", *args, dsn=raw_dsn)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert course("--id", str(sid), "--course", "start@0,half@21097.5,finish@42195") == (
        f"session {sid} (Hartford Marathon): start@0,half@21097.5,finish@42195, min lap 0 s\n"
    )
    course("--id", str(sid), "--min-lap", "120")  # the mats stay, the minimum lap changes
    # A new course replaces the mats and keeps the minimum lap unless one is given.
    assert "start@0,finish@42195, min lap 120 s" in course(
        "--slug", "hartford-marathon", "--course", "start@0,finish@42195"
    )
    assert query(raw_dsn, f"{COURSE} ORDER BY 1") == [
        (1, "start", "start", 0.0),
        (2, "finish", "finish", 42195.0),
    ]
    bad = project88("session", "course", "--id", str(sid), "--course", "finish@0", dsn=raw_dsn)
    assert bad.returncode == 1 and bad.stdout == ""
    assert "a course needs a finish after the start" in bad.stderr
    assert len(query(raw_dsn, COURSE)) == 2  # unchanged
    nobody = project88("session", "course", "--id", "999", "--course", "f@1", dsn=raw_dsn)
    assert nobody.returncode == 1 and "no session 999" in nobody.stderr
    unnamed = project88("session", "course", dsn=raw_dsn)
    assert unnamed.returncode == 1 and "name the session: --id N or --slug SLUG" in unnamed.stderr
    only_lap = new_race(raw_dsn, "--event", "Other", "--login", "o")
    lap = project88("session", "course", "--id", str(only_lap), "--min-lap", "5", dsn=raw_dsn)
    assert lap.returncode == 1 and "has no course yet: give --course SPEC too" in lap.stderr
