"""A session's course from the command line: ``session new|course --course SPEC [--min-lap S]``.

The spec is checked (``project88.courses``) before anything is written, so a bad
one leaves no session and no half course behind. Writing replaces the whole
course in the caller's transaction; migration 0012's triggers tell results_keeper,
which scores the session again.
"""

from __future__ import annotations

import argparse
from datetime import timedelta

import psycopg2.extensions

from daemons.common import db
from project88 import courses
from project88.courses import CourseError
from project88.scoring import Course

Cursor = psycopg2.extensions.cursor


def _sql(name: str) -> str:
    return db.load_sql("project88", name)


def from_args(args: argparse.Namespace) -> Course | None:
    """The course ``session new`` was given, checked; None without ``--course``."""
    if args.course is None:
        if args.min_lap is not None:
            raise CourseError("--min-lap needs --course SPEC (the mats it applies to)")
        return None
    return courses.parse(args.course, courses.parse_min_lap(args.min_lap))


def store(cur: Cursor, session_id: int, course: Course) -> None:
    cur.execute(_sql("course_put"), {"session": session_id, "min_lap": course.min_lap})
    cur.execute(_sql("course_clear_locations"), {"session": session_id})
    for position, location in enumerate(course.locations, start=1):
        cur.execute(
            _sql("course_add_location"),
            {
                "session": session_id,
                "position": position,
                "name": location.name,
                "role": courses.ROLE_NAMES[location.role],
                "distance_m": location.distance_m,
            },
        )


def load(cur: Cursor, session_id: int) -> Course | None:
    cur.execute(_sql("course_get"), {"session": session_id})
    rows = cur.fetchall()
    if not rows:
        return None
    min_lap: timedelta = rows[0][0]
    return courses.build(
        [(name, courses.ROLES_BY_NAME[role], metres) for _, name, role, metres in rows], min_lap
    )


def summary(course: Course) -> str:
    return f"{courses.describe(course)}, min lap {course.min_lap.total_seconds():g} s"


def cmd_course(cur: Cursor, args: argparse.Namespace) -> int:
    """Show, set or change the course of the session ``--id`` or ``--slug`` names."""
    if args.id is None and args.slug is None:
        raise CourseError("name the session: --id N or --slug SLUG (project88 session list)")
    cur.execute(_sql("course_session"), {"id": args.id, "slug": args.slug})
    found = cur.fetchone()
    if found is None:
        raise CourseError(f"no session {args.id if args.id is not None else args.slug!r}")
    session_id, label, status = found
    current = load(cur, session_id)
    if args.course is not None:
        min_lap = (
            courses.parse_min_lap(args.min_lap)
            if args.min_lap is not None
            else (current.min_lap if current is not None else timedelta(0))
        )
        course = courses.parse(args.course, min_lap)
        store(cur, session_id, course)
    elif args.min_lap is not None:
        if current is None:
            raise CourseError(f"session {session_id} has no course yet: give --course SPEC too")
        course = courses.build(
            [(loc.name, loc.role, loc.distance_m) for loc in current.locations],
            courses.parse_min_lap(args.min_lap),
        )
        store(cur, session_id, course)
    elif current is None:
        print(f"session {session_id} ({label}) has no course, so no results: "
              f"project88 session course --id {session_id} --course {courses.EXAMPLE}")  # fmt: skip
        return 0
    else:
        course = current
    closed = "" if status == "active" else f" [{status}: not scored any more]"
    print(f"session {session_id} ({label}): {summary(course)}{closed}")
    return 0
