"""``project88 sync …`` and ``project88 roster sync``: provider syncs by hand.

Both run a job through the daemon's own code path (``daemons.provider_sync.runner``):
the job is put on ``sync_queue`` (or the queued one is taken), claimed by its id
like the daemon would, run, and recorded in ``sync_history``. A job a daemon is
running at that moment is left to it.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import threading
from typing import Any

from daemons.common import db
from daemons.common.config import ConfigError
from daemons.provider_sync import runner, secretbox
from daemons.provider_sync.context import Tally
from daemons.provider_sync.settings import PROVIDERS, SyncSettings
from daemons.provider_sync.store import sql

KINDS = ("events", "participants", "results")


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def add_sync(sub: Any) -> None:
    p = sub.add_parser(
        "sync",
        help="provider credentials and sync jobs (ChronoTrack, RunSignUp, Race Roster)",
        description="Provider syncs into project88_myappdb (P88_PROD_DSN). The sync key "
        "(the daemon's systemd credential sync-key) comes from P88_SYNC_KEY_FILE.",
    )
    actions = p.add_subparsers(dest="sync_action", required=True)
    c = actions.add_parser("credentials", help="store a partner's provider credentials")
    c_actions = c.add_subparsers(dest="credentials_action", required=True)
    s = c_actions.add_parser(
        "set",
        help="read one JSON object of credential fields on stdin and store it encrypted",
        description="Fields: chronotrack: client_id, user_id, password; runsignup: api_key, "
        "api_secret; raceroster: client_id, client_secret. Nothing is echoed back.",
    )
    s.add_argument("--partner", type=_positive, required=True, metavar="ID")
    s.add_argument("--provider", choices=PROVIDERS, required=True)
    s.set_defaults(func=cmd_credentials_set)
    r = actions.add_parser(
        "run",
        help="run one sync job now and print its summary (exit 0 succeeded, 1 failed)",
        description="--event is the provider's own id: a ChronoTrack event id, a RunSignUp "
        "race id or a Race Roster event id. Without it, events jobs read the partner's whole "
        "listing and other jobs the partner's events from yesterday on.",
    )
    r.add_argument("--partner", type=_positive, required=True, metavar="ID")
    r.add_argument("--provider", choices=PROVIDERS, required=True)
    r.add_argument("--kind", choices=KINDS, required=True)
    r.add_argument("--event", metavar="ID")
    r.set_defaults(func=cmd_sync_run)


def add_roster_sync(roster_sub: Any) -> None:
    r = roster_sub.add_parser(
        "sync",
        help="fill the roster from the event's provider now (and keep it fresh on race day)",
        description="Sync the event's participants from its provider, then put its runners "
        "(bib, chip, name, city, state, age, sex, division) on the display's roster, "
        "replacing only rows of this source. The provider_sync daemon then keeps it fresh "
        "on the race-day cadence. The event is the provider's own id; --partner and "
        "--provider are needed only when the event is not in the catalogue yet or is "
        "ambiguous.",
    )
    r.add_argument("--event", required=True, metavar="ID")
    r.add_argument("--provider", choices=PROVIDERS)
    r.add_argument("--partner", type=_positive, metavar="ID")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    r.set_defaults(func=cmd_roster_sync)


def _me() -> str:
    return f"cli:{socket.gethostname()}:{os.getpid()}"


def cmd_credentials_set(args: argparse.Namespace) -> int:
    settings = SyncSettings.from_env()
    box = secretbox.load_box(settings.key_file)
    text = sys.stdin.read()
    try:
        fields = json.loads(text)
    except json.JSONDecodeError as exc:
        # The position, never the text: it holds the secret.
        print(
            f"credentials: standard input is not JSON ({exc.msg} at line {exc.lineno}, "
            f"column {exc.colno})",
            file=sys.stderr,
        )
        return 1
    try:
        sealed = secretbox.seal(box, args.provider, fields)
    except secretbox.CredentialError as exc:
        print(f"credentials: {exc}", file=sys.stderr)
        return 1
    del text, fields
    conn = db.connect(settings.common.prod_dsn, "project88-cli")
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql("as_partner"), {"partner": args.partner})
            cur.execute(sql("partner_exists"), {"partner": args.partner})
            if cur.fetchone() is None:
                print(f"credentials: there is no timing partner {args.partner}", file=sys.stderr)
                return 1
            cur.execute(
                sql("credentials_put"),
                {"partner": args.partner, "provider": args.provider, "sealed": sealed},
            )
            if cur.fetchone() is None:
                print(
                    f"credentials: the providers table has no {args.provider!r} row "
                    "(run project88 migrate); nothing stored",
                    file=sys.stderr,
                )
                return 1
    finally:
        conn.close()
    names = ", ".join(secretbox.FIELDS[args.provider])
    print(f"stored {args.provider} credentials for partner {args.partner} ({names}), encrypted")
    return 0


def _run(
    settings: SyncSettings,
    partner: int,
    provider: str,
    kind: str,
    event: str | None,
    progress: Any = None,
) -> tuple[runner.Job | None, runner.Outcome | None, str]:
    box = None
    try:
        box = secretbox.load_box(settings.key_file)
    except ConfigError as exc:
        print(f"warning: {exc}", file=sys.stderr)  # the job fails and says so in its history
    conn = db.connect(settings.common.prod_dsn, "project88-cli")
    try:
        queued = runner.enqueue(conn, partner, provider, kind, event, priority=1)
        if queued is None:
            return None, None, f"unknown provider {provider!r} in the database"
        job_id, status, _added = queued
        me = _me()
        job = runner.claim(conn, me, settings.lease_seconds, only=job_id)
        if job is None:
            what = "running" if status == "running" else "taken by a daemon just now"
            return None, None, f"job {job_id} is {what}; see sync_history for its outcome"
        outcome = runner.execute(settings, conn, job, box, me, threading.Event(), progress)
        return job, outcome, ""
    finally:
        conn.close()


def cmd_sync_run(args: argparse.Namespace) -> int:
    settings = SyncSettings.from_env()
    job, outcome, why = _run(settings, args.partner, args.provider, args.kind, args.event)
    if job is None or outcome is None:
        print(f"sync: {why}", file=sys.stderr)
        return 1
    print(outcome.line(job), file=sys.stdout if outcome.ok else sys.stderr)
    return 0 if outcome.ok else 1


def _find_event(settings: SyncSettings, args: argparse.Namespace) -> tuple[int, str] | str:
    conn = db.connect(settings.common.prod_dsn, "project88-cli")
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql("all_partners"))
            cur.execute(
                sql("catalogue_find"),
                {"event": args.event, "provider": args.provider, "partner": args.partner},
            )
            found = cur.fetchall()
    finally:
        conn.close()
    if len(found) == 1:
        return found[0][0], found[0][1]
    if args.partner and args.provider:
        return args.partner, args.provider  # not in the catalogue yet: the job looks it up
    if not found:
        return (
            f"event {args.event} is not in the catalogue (no events sync has listed it): "
            "give --partner and --provider"
        )
    named = "; ".join(f"partner {p} {prov} {name!r}" for p, prov, name in found)
    return f"event {args.event} is ambiguous ({named}): give --partner and --provider"


def cmd_roster_sync(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    settings = SyncSettings.from_env()
    found = _find_event(settings, args)
    if isinstance(found, str):
        print(f"roster: {found}", file=sys.stderr)
        return 1
    partner, provider = found
    bar = tqdm(
        desc=f"{provider} event {args.event}",
        unit=" rows",
        file=sys.stderr,
        disable=True if args.no_progress else None,
    )

    def progress(tally: Tally) -> None:
        bar.update(tally.fetched - bar.n)
        bar.set_postfix(pages=tally.pages, changed=tally.changed, refresh=False)

    try:
        job, outcome, why = _run(settings, partner, provider, "roster", args.event, progress)
    finally:
        bar.close()
    if job is None or outcome is None:
        print(f"roster: {why}", file=sys.stderr)
        return 1
    if not outcome.ok:
        print(outcome.line(job), file=sys.stderr)
        print("roster: nothing written", file=sys.stderr)
        return 1
    print(outcome.line(job))
    print(outcome.detail or "roster: written")
    return 0
