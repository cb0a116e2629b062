"""``project88 session list|new|close|course``: timing sessions, one per race being timed.

Several races may be timed at once (issue 15 §1). A race's session is opened with
``session new --event NAME --login USER [--timezone TZ]``: controllers that log
in as USER send their reads to it. ``session new`` without ``--login`` opens the
*automatic* session (closing the previous one), which every other controller
uses, as when one race was all there was.

``session new --course start@0,5k@5000,finish@10000 [--min-lap S]`` also gives the
race its course (which mats are start, splits and finish, and how far), without
which it gets no results; ``session course --id N --course SPEC`` sets or changes
it later (``course_cli``).

``session new`` prints the new session's id and nothing else on stdout (scripts
read it); anything else it has to say goes to stderr, and an error exits non-zero.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import unicodedata
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import psycopg2
import psycopg2.errors
import psycopg2.extensions

from daemons.common import db
from daemons.common.config import CommonSettings
from project88 import course_cli
from project88.courses import CourseError

SLUG = re.compile(r"^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$")  # as the 0011 CHECK says
MAX_LOGIN = 64


class SessionError(Exception):
    """Bad input for a session command: printed to stderr, exit 1."""


def _sql(name: str) -> str:
    return db.load_sql("project88", name)


def slugify(text: str) -> str:
    """'Hartford Marathon 2025' -> 'hartford-marathon-2025' (ASCII, at most 64)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:64].rstrip("-") or "race"


def check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SessionError(
            f"unknown time zone {name!r} (an IANA name such as America/Chicago)"
        ) from None
    return name


def check_login(login: str) -> str:
    # It arrives as the second field of authorize~<user>~<secret>: no '~', no spaces.
    if (
        not login
        or len(login) > MAX_LOGIN
        or not login.isprintable()
        or any(c in login for c in "~ \t")
    ):
        raise SessionError(
            f"login {login!r} must be 1-{MAX_LOGIN} printable characters without '~' or spaces"
        )
    return login


def check_slug(slug: str) -> str:
    if not SLUG.match(slug):
        raise SessionError(
            f"slug {slug!r} must be 1-64 lowercase letters, digits and inner '-' "
            "(it becomes the URL /e/<slug>/)"
        )
    return slug


def _new(cur: psycopg2.extensions.cursor, args: argparse.Namespace, zone: str) -> int:
    if args.login is not None and not args.event:
        raise SessionError("--login needs --event NAME: a race's session belongs to an event")
    course = course_cli.from_args(args)  # checked before anything is written
    login = check_login(args.login) if args.login is not None else None
    zone = check_zone(args.timezone) if args.timezone is not None else zone
    if args.slug is not None:
        slugs = [check_slug(args.slug)]
    elif login is not None:
        base = slugify(args.event)
        slugs = [base] + [f"{base[:60]}-{n}" for n in range(2, 100)]
    else:
        slugs = []
    cur.execute(_sql("session_active_named"), {"login": login, "slugs": slugs})
    taken = cur.fetchall()
    for sid, label, held_login, _slug in taken:
        if login is not None and held_login == login:
            raise SessionError(
                f"login {login!r} already times active session {sid} ({label}); "
                f"close it first: project88 session close --id {sid}"
            )
    free = [s for s in slugs if s not in {row[3] for row in taken}]
    if slugs and not free:
        raise SessionError(f"slug {slugs[0]!r} is taken by an active session; choose --slug")
    if login is None:
        for sid, name in _close_automatic(cur):
            print(f"closed session {sid} ({name})", file=sys.stderr)
    name = args.name or dt.datetime.now(ZoneInfo(zone)).strftime("Session_%Y%m%d_%H%M%S")
    try:
        cur.execute(
            _sql("session_open"),
            {"name": name, "event": args.event, "zone": zone, "login": login,
             "slug": free[0] if free else None, "partner": args.partner},
        )  # fmt: skip
    except psycopg2.errors.UniqueViolation:
        raise SessionError(
            "another session took that login or slug at the same moment; try again"
        ) from None
    sid, name = cur.fetchone()
    if course is not None:
        course_cli.store(cur, int(sid), course)
        print(f"session {sid} course: {course_cli.summary(course)}", file=sys.stderr)
    routed = f"controllers logging in as {login!r}" if login else "other controllers"
    print(f"opened session {sid} ({name}): {routed} use it from their next connection",
          file=sys.stderr)  # fmt: skip
    return int(sid)


def _close_automatic(cur: psycopg2.extensions.cursor) -> list[tuple[int, str]]:
    cur.execute(_sql("session_close_active"))
    return cur.fetchall()


def _list(cur: psycopg2.extensions.cursor, limit: int) -> None:
    cur.execute(_sql("sessions_list"), {"limit": limit})
    print(
        f"{'id':>5}  {'status':<7} {'reads':>8}  {'started':<19}  {'login':<12} "
        f"{'time zone':<20} {'url':<24} name / event"
    )
    for sid, name, event, status, start, _end, reads, login, slug, zone in cur.fetchall():
        started = start.astimezone().strftime("%Y-%m-%d %H:%M:%S") if start else ""
        label = f"{name} / {event}" if event else name
        url = f"/e/{slug}/" if slug else ""
        print(
            f"{sid:>5}  {status:<7} {reads:>8}  {started:<19}  {login or '(automatic)':<12} "
            f"{zone or '':<20} {url:<24} {label}"
        )


def _close(cur: psycopg2.extensions.cursor, args: argparse.Namespace) -> int:
    if args.id is not None:
        cur.execute(_sql("session_close"), {"id": args.id})
    elif args.login is not None or args.slug is not None:
        cur.execute(_sql("session_close_routed"), {"login": args.login, "slug": args.slug})
    else:
        cur.execute(_sql("session_close_active"))
    closed = cur.fetchall()
    if not closed:
        print("no active session to close", file=sys.stderr)
        return 1
    for sid, name in closed:
        print(f"closed session {sid} ({name})")
    return 0


def cmd_session(args: argparse.Namespace) -> int:
    settings = CommonSettings.from_env()
    conn = db.connect(settings.raw_dsn, "project88-cli")
    try:
        # One transaction: an automatic session closes exactly when the new one opens.
        with conn, conn.cursor() as cur:
            if args.action == "list":
                _list(cur, args.limit)
            elif args.action == "close":
                return _close(cur, args)
            elif args.action == "course":
                return course_cli.cmd_course(cur, args)
            else:
                sid = _new(cur, args, settings.timezone)
                print(sid)
    except (SessionError, CourseError) as exc:
        print(f"session {args.action}: {exc}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    return 0


def add_session(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "session",
        help="list, open or close timing sessions (one per race being timed)",
        description="A race's session: 'new --event NAME --login USER [--timezone TZ]' "
        "routes the controllers that log in as USER to it and prints its id. 'new' "
        "without --login opens the automatic session (closing the previous one) that "
        "every other controller uses. 'new --course SPEC' or 'course --id N --course SPEC' "
        "gives the race its course, which its results need.",
    )
    p.add_argument("action", choices=["list", "new", "close", "course"])
    p.add_argument("--name", help="name for 'new' (default Session_%%Y%%m%%d_%%H%%M%%S)")
    p.add_argument("--event", help="event name for 'new' (needed with --login)")
    p.add_argument("--login", help="'new': the CTP01 user whose controllers time this race; "
                   "'close': close the session of this login")  # fmt: skip
    p.add_argument("--timezone", metavar="TZ",
                   help="'new': the race's IANA time zone (default P88_TIMEZONE)")  # fmt: skip
    p.add_argument("--slug", help="'new': the display URL /e/<slug>/ (default from --event); "
                   "'close', 'course': the session of this slug")  # fmt: skip
    p.add_argument("--partner", type=int, metavar="ID",
                   help="'new': the timing partner (timing_partners.id) of the race")  # fmt: skip
    p.add_argument("--course", metavar="SPEC",
                   help="'new', 'course': the mats in course order as name@metres, e.g. "
                   "start@0,5k@5000,finish@10000 (a first mat at 0 m is the start, the "
                   "last one the finish, the others splits)")  # fmt: skip
    p.add_argument("--min-lap", metavar="SECONDS",
                   help="'new', 'course': the shortest believable time between two crossings "
                   "(a sooner read is a bounce; default 0)")  # fmt: skip
    p.add_argument("--id", type=int,
                   help="session to close (default: the automatic one), or whose course to "
                   "show or set")  # fmt: skip
    p.add_argument("--limit", type=int, default=20, help="sessions to list")
    p.set_defaults(func=cmd_session)
