"""``project88``: what admins and ops do by hand (DESIGN.md, "Running things")."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from daemons.common import db, logs, migrate
from daemons.common.config import CommonSettings, ConfigError

if TYPE_CHECKING:
    from project88 import roster as roster_types


def _settings() -> CommonSettings:
    return CommonSettings.from_env()


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _settings()
    targets = {
        "raw": [("raw_tag_data", settings.raw_dsn)],
        "production": [("production", settings.prod_dsn)],
    }
    chosen = (
        targets["raw"] + targets["production"] if args.database == "all" else targets[args.database]
    )
    for folder, dsn in chosen:
        if not any((migrate.sql_root() / folder).glob("*.sql")):
            print(f"{folder}: no migrations yet")
            continue
        applied = migrate.apply(dsn, folder)
        print(f"{folder}: applied {len(applied)} migration(s)" + (
            f": {', '.join(applied)}" if applied else " (already up to date)"))  # fmt: skip
    return 0


def _sql(name: str) -> str:
    return db.load_sql("project88", name)


def _read_roster_file(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    return Path(name).read_bytes()


def _read_event_participants(
    event_id: int, race: str | None
) -> tuple[str, list[roster_types.Participant]] | str:
    """(a description of what is read, its participants), or an error message.

    One read-only transaction on P88_PROD_DSN as the DSN's role (the owner):
    every partner's rows, since the tables FORCE row-level security.
    """
    from project88 import roster

    conn = db.connect(_settings().prod_dsn, "project88-cli")
    try:
        conn.set_session(readonly=True)
        with conn, conn.cursor() as cur:
            cur.execute(_sql("roster_all_partners"))
            cur.execute(_sql("roster_event"), {"event_id": event_id})
            event = cur.fetchone()
            if event is None:
                return "no such event in the production database"
            name, date, races = event
            what = f"{name} {date:%Y-%m-%d}"
            if race is not None:
                matching = [r for r in races if r.lower() == race.lower()]
                if not matching:
                    known = ", ".join(repr(r) for r in races) or "none"
                    return f"{what} has no race {race!r} (its races: {known})"
                what += f", {matching[0]}"
            cur.execute(_sql("roster_from_event"), {"event_id": event_id, "race": race})
            people = [roster.Participant(*row) for row in cur.fetchall()]
    finally:
        conn.close()
    if not people:
        return f"{what}: no participants, nothing to import"
    return what, people


def cmd_roster_import(args: argparse.Namespace) -> int:
    from project88 import roster

    if args.race is not None and args.event_id is None:
        args.parser.error("--race NAME needs --event-id ID")
    if args.event_id is not None:
        label, sep = f"event {args.event_id}", ", "
        loaded = _read_event_participants(args.event_id, args.race)
        if isinstance(loaded, str):
            print(f"{label}: {loaded}", file=sys.stderr)
            print("roster: nothing written", file=sys.stderr)
            return 1
        what, people = loaded
        print(f"{label} ({what}): {len(people)} participant(s)")
        result = roster.from_participants(people)
    else:
        label, sep = ("<stdin>" if args.file == "-" else args.file), ":"
        try:
            data = _read_roster_file(args.file)
        except OSError as exc:
            print(f"{label}: cannot read: {exc.strerror or exc}", file=sys.stderr)
            return 1
        result = roster.parse_bytes(data)
    if result.errors:
        for error in result.errors:
            print(f"{label}{sep}{error}", file=sys.stderr)
        print(f"roster: {len(result.errors)} error(s), nothing written", file=sys.stderr)
        return 1
    source = "the file" if args.event_id is None else "the event's bibs"
    return _write_roster(
        result.rows, label, source, args.session, replace=args.replace, dry_run=args.dry_run
    )


def _write_roster(
    rows: list[roster_types.RosterRow],
    label: str,
    source: str,
    session: str | None,
    *,
    replace: bool,
    dry_run: bool,
) -> int:
    """Upsert validated rows by bib in one transaction (``replace``: remove the others).

    ``session`` (an id or a slug) names the race whose roster this is; None is the
    shared roster every session reads. The same for every source; ``label`` and
    ``source`` only name it in messages.
    """
    from psycopg2.extras import execute_values

    conn = db.connect(_settings().raw_dsn, "project88-cli")
    try:
        # One transaction: the display sees the old roster or the new one, never half.
        with conn.cursor() as cur:
            try:
                session_id = _roster_session(cur, session)
            except LookupError as exc:
                print(exc, file=sys.stderr)
                print("roster: nothing written", file=sys.stderr)
                return 1
            cur.execute(_sql("roster_lock"))
            removed = 0
            key = {"session": session_id}
            if replace:
                cur.execute(_sql("roster_delete_missing"), {**key, "bibs": [r.bib for r in rows]})
                removed = len(cur.fetchall())
            written = execute_values(
                cur,
                _sql("roster_upsert"),
                [(session_id, *row.values()) for row in rows],
                page_size=1000,
                fetch=True,
            )
            cur.execute(_sql("roster_tag_clashes"), key)
            clashes = cur.fetchall()
        if clashes:
            conn.rollback()
            for tag, bib_a, bib_b in clashes:
                print(
                    f"{label}: bibs {bib_a!r} and {bib_b!r} would both be read by tag {tag!r} "
                    f"(one of them is already in the roster; fix {source} or use --replace)",
                    file=sys.stderr,
                )
            print("roster: nothing written", file=sys.stderr)
            return 1
        if dry_run:
            conn.rollback()
        else:
            conn.commit()
    finally:
        conn.close()
    new = sum(1 for _bib, inserted in written if inserted)
    updated = len(written) - new
    summary = f"roster: {len(rows)} rows ({new} new, {updated} updated, {removed} removed)"
    print(summary + (" - dry run, nothing written" if dry_run else ""))
    return 0


def _roster_session(cur: Any, name: str | None) -> int | None:
    """The session id a roster command names (an id or a slug); None: the shared roster.

    LookupError when no session has that id or slug."""
    if name is None:
        return None
    cur.execute(_sql("session_find"), {"name": name})
    row = cur.fetchone()
    if row is None:
        raise LookupError(f"roster: no session {name!r} (an id or a slug: project88 session list)")
    return int(row[0])


def cmd_roster_list(args: argparse.Namespace) -> int:
    conn = db.connect(_settings().raw_dsn, "project88-cli")
    try:
        with conn, conn.cursor() as cur:
            try:
                session_id = _roster_session(cur, args.session)
            except LookupError as exc:
                print(exc, file=sys.stderr)
                return 1
            cur.execute(_sql("roster_list"), {"limit": args.limit, "session": session_id})
            rows = cur.fetchall()
    finally:
        conn.close()
    if not rows:
        print("the roster is empty (load one with: project88 roster import FILE.csv)")
        return 0
    print(
        f"{'bib':<8} {'tag':<8} {'name':<26} {'age':>3} {'gender':<6} {'division':<10} "
        f"{'from':<24} message"
    )
    total = rows[0][-1]
    for bib, tag, first, last, age, gender, division, city, state, country, msg, _ in rows:
        name = " ".join(part for part in (first, last) if part)
        place = ", ".join(part for part in (city, state, country) if part)
        print(
            f"{bib:<8} {tag or '':<8} {name:<26} {age if age is not None else '':>3} "
            f"{gender or '':<6} {division or '':<10} {place:<24} {msg or ''}".rstrip()
        )
    if total > len(rows):
        print(f"({len(rows)} of {total} runners; --limit N shows more)")
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def cmd_simulate(args: argparse.Namespace) -> int:
    from project88 import simulate

    return simulate.run_from_args(args)


def cmd_demo_data(args: argparse.Namespace) -> int:
    from project88.demodata import command

    return command.run_from_args(args)


def cmd_scope_key(args: argparse.Namespace) -> int:
    from project88 import scopekey

    return scopekey.run_from_args(args)


SESSION_HELP = (
    "the race (session id or slug) whose roster this is; without it, the shared roster "
    "every session reads for bibs its own roster does not have"
)


def build_parser() -> argparse.ArgumentParser:
    from project88 import sessions_cli, sync_cli

    parser = argparse.ArgumentParser(
        prog="project88",
        description="Project88Hub administration. Databases come from P88_RAW_DSN / "
        "P88_PROD_DSN (libpq DSNs; passwords from PGPASSFILE).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("migrate", help="apply the numbered migrations in sql/ (idempotent)")
    p.add_argument("--database", choices=["raw", "production", "all"], default="all")
    p.set_defaults(func=cmd_migrate)

    sessions_cli.add_session(sub)

    p = sub.add_parser(
        "roster",
        help="load or show the race roster (bib -> runner) for the display",
        description="The race roster in raw_tag_data.race_roster: who wears which bib.",
    )
    roster_sub = p.add_subparsers(dest="action", required=True)
    r = roster_sub.add_parser(
        "import",
        help="load the roster from a CSV or an event's participants, upserting by bib in one "
        "transaction",
        usage="%(prog)s (FILE.csv | --event-id ID [--race NAME]) [--session ID|SLUG] [--replace] "
        "[--dry-run]",
        description="Validate FILE.csv, or the participants of an event in the production "
        "database (P88_PROD_DSN), and upsert every runner by bib in one transaction. "
        "CSV: UTF-8 (BOM allowed), a header row (any case, any order) naming columns among "
        "bib, first_name, last_name, city, state, country, age, gender, division, message, "
        "tag_code; only bib is required. tag_code is the chip code when it differs from the "
        "bib. An event's participants give bib, names, city, state, country, age, sex as "
        "gender and the division of their finish result (from sex and age, like 'M 40-44', "
        "for those without one). On any error every problem is printed (FILE:LINE: message, "
        "or event ID, participant …: message) and nothing is written.",
    )
    source = r.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "file", nargs="?", metavar="FILE.csv", help="the roster CSV ('-' reads stdin)"
    )
    source.add_argument(
        "--event-id",
        type=_positive_int,
        metavar="ID",
        help="instead of a file: the participants of ct_events.id = ID in the production "
        "database (read as the DSN's role, every partner's rows)",
    )
    r.add_argument(
        "--race",
        metavar="NAME",
        help="with --event-id: only the participants of this race of the event (any case), "
        "e.g. 'Marathon'",
    )
    r.add_argument(
        "--replace",
        action="store_true",
        help="also remove runners that are not in the file (or the event)",
    )
    r.add_argument(
        "--dry-run",
        action="store_true",
        help="validate and report what would change, then roll back (writes nothing)",
    )
    r.add_argument("--session", metavar="ID|SLUG", help=SESSION_HELP)
    r.set_defaults(func=cmd_roster_import, parser=r)
    r = roster_sub.add_parser("list", help="show the roster in bib order")
    r.add_argument("--limit", type=_positive_int, default=50, help="runners to show (50)")
    r.add_argument("--session", metavar="ID|SLUG", help=SESSION_HELP)
    r.set_defaults(func=cmd_roster_list)
    sync_cli.add_roster_sync(roster_sub)
    sync_cli.add_sync(sub)

    from project88 import simulate

    p = sub.add_parser(
        "simulate",
        help="a CTP01 client that behaves like ChronoTrack SimpleClient",
        description="Connect to a CTP01 listener like ChronoTrack SimpleClient and push a "
        "simulated race. Useful to test a listener locally or across the internet.",
    )
    simulate.add_arguments(p)
    p.set_defaults(func=cmd_simulate)

    from project88.demodata import command as demodata

    p = sub.add_parser(
        "demo-data",
        help="load the deterministic synthetic results dataset into project88_myappdb",
        description=demodata.DESCRIPTION,
    )
    demodata.add_arguments(p)
    p.set_defaults(func=cmd_demo_data)

    from project88 import scopekey

    p = sub.add_parser(
        "scope-key",
        help="store the NL service's partner scope key in project88_myappdb (as the owner)",
        description=scopekey.DESCRIPTION,
    )
    scopekey.add_arguments(p)
    p.set_defaults(func=cmd_scope_key)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logs.setup(os.environ.get("P88_LOG_LEVEL", "WARNING"))
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        import psycopg2

        if isinstance(exc, psycopg2.Error):
            print(f"database error: {str(exc).strip()}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
