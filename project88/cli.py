"""``project88``: what admins and ops do by hand (DESIGN.md, "Running things")."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence

from daemons.common import db, logs, migrate
from daemons.common.config import CommonSettings, ConfigError


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


def cmd_session(args: argparse.Namespace) -> int:
    settings = _settings()
    conn = db.connect(settings.raw_dsn, "project88-cli")
    try:
        with conn, conn.cursor() as cur:
            if args.action == "list":
                cur.execute(_sql("sessions_list"), {"limit": args.limit})
                print(f"{'id':>5}  {'status':<7} {'reads':>8}  {'started':<19}  name / event")
                for sid, name, event, status, start, _end, reads in cur.fetchall():
                    started = start.astimezone().strftime("%Y-%m-%d %H:%M:%S") if start else ""
                    label = f"{name} / {event}" if event else name
                    print(f"{sid:>5}  {status:<7} {reads:>8}  {started:<19}  {label}")
            elif args.action == "close":
                if args.id is None:
                    cur.execute(_sql("session_close_active"))
                else:
                    cur.execute(_sql("session_close"), {"id": args.id})
                closed = cur.fetchall()
                if not closed:
                    print("no active session to close", file=sys.stderr)
                    return 1
                for sid, name in closed:
                    print(f"closed session {sid} ({name})")
            elif args.action == "new":
                # One transaction: the old session closes exactly when the new one opens.
                cur.execute(_sql("session_close_active"))
                for sid, name in cur.fetchall():
                    print(f"closed session {sid} ({name})")
                name = args.name or dt.datetime.now().strftime("Session_%Y%m%d_%H%M%S")
                cur.execute(
                    _sql("session_open"),
                    {"name": name, "event": args.event, "zone": settings.timezone},
                )
                sid, name = cur.fetchone()
                print(f"opened session {sid} ({name}); listeners use it from their next connection")
    finally:
        conn.close()
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from project88 import simulate

    return simulate.run_from_args(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="project88",
        description="Project88Hub administration. Databases come from P88_RAW_DSN / "
        "P88_PROD_DSN (libpq DSNs; passwords from PGPASSFILE).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("migrate", help="apply the numbered migrations in sql/ (idempotent)")
    p.add_argument("--database", choices=["raw", "production", "all"], default="all")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("session", help="list, open or close timing sessions")
    p.add_argument("action", choices=["list", "new", "close"])
    p.add_argument("--name", help="name for 'new' (default Session_%%Y%%m%%d_%%H%%M%%S)")
    p.add_argument("--event", help="event name for 'new'")
    p.add_argument("--id", type=int, help="session to close (default: the active one)")
    p.add_argument("--limit", type=int, default=20, help="sessions to list")
    p.set_defaults(func=cmd_session)

    from project88 import simulate

    p = sub.add_parser(
        "simulate",
        help="a CTP01 client that behaves like ChronoTrack SimpleClient",
        description="Connect to a CTP01 listener like ChronoTrack SimpleClient and push a "
        "simulated race. Useful to test a listener locally or across the internet.",
    )
    simulate.add_arguments(p)
    p.set_defaults(func=cmd_simulate)
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
