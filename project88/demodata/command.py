"""``project88 demo-data``: its arguments, its description, and the run (plan, keys,
load, report)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from daemons.common.config import CommonSettings
from project88.demodata import plan
from project88.demodata.api_keys import KeysFile, key_hash, new_api_keys
from project88.demodata.generate import COLUMNS
from project88.demodata.load import DemoDataError, load


def _scale(text: str) -> float:
    try:
        value = float(text)
        plan.check_scale(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--scale",
        type=_scale,
        default=0.02,
        metavar="S",
        help="size relative to the documented production database (1 = 12,882 "
        "events, 1,765,021 participants, 8,151,553 results); default 0.02",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=88,
        metavar="N",
        help="random seed (default 88): the same seed gives the same data, ids included",
    )
    p.add_argument(
        "--keys-file",
        type=Path,
        metavar="PATH",
        help="write each user's new API key here (mode 0600, lines "
        "'partner_slug_or_admin<TAB>key'); without it the keys are not kept "
        "anywhere",
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="empty the dataset's tables first (TRUNCATE in the same transaction); "
        "without it a database that holds data is refused",
    )
    p.add_argument(
        "--plan-only",
        action="store_true",
        help="print the counts the scale gives and exit (no database)",
    )


DESCRIPTION = (
    "Load a deterministic synthetic results dataset into project88_myappdb (P88_PROD_DSN), "
    "whose schema the production migrations define: 13 timing partners, events, races, "
    "participants and per-split results, registrations (RunSignUp, Race Roster), weather, "
    "syncs, staff users. At --scale 1 the counts are the documented production ones; other "
    "scales are linear with floors that keep the featured content (Boston, Chicago, Shamrock "
    "and Hartford Marathons 2019-2025, Big River Race Management's events, Michael Wardian). "
    "The same --seed always gives the same rows, ids included, except what must be secret: "
    "the users' API keys (random on every run, only their SHA-256 stored, the keys written "
    "to --keys-file alone), password hashes and the encrypted provider credentials. One "
    "transaction; ANALYZE afterwards."
)


def _print_counts(counts: dict[str, int], out: TextIO) -> None:
    for table in COLUMNS:
        if table in counts:
            print(f"  {table:<30} {counts[table]:>12,}", file=out)


def run_from_args(args: argparse.Namespace) -> int:
    the_plan = plan.build_plan(args.scale, args.seed)
    if args.plan_only:
        counts = the_plan.counts
        print(f"demo-data plan: scale {args.scale:g}, seed {args.seed}")
        for name in ("partners", "events", "races", "participants", "results"):
            print(f"  {name:<30} {getattr(counts, name):>12,}")
        print(f"  {'runsignup_participants':<30} {the_plan.rsu_participants:>12,}")
        return 0

    keys = new_api_keys()
    keys_file: KeysFile | None = None
    if args.keys_file is not None:
        try:
            keys_file = KeysFile(args.keys_file, keys)
        except OSError as exc:
            print(
                f"demo-data: cannot write {args.keys_file}: {exc.strerror or exc}", file=sys.stderr
            )
            return 1
    hashes: dict[str, str | None] = {owner: key_hash(key) for owner, key in keys.items()}
    keys.clear()
    dsn = CommonSettings.from_env().prod_dsn
    print(
        f"demo-data: scale {args.scale:g}, seed {args.seed}: generating and loading ...", flush=True
    )
    try:
        report = load(dsn, the_plan, hashes, replace=args.replace, progress=sys.stderr)
    except DemoDataError as exc:
        if keys_file is not None:
            keys_file.discard()
        print(f"demo-data: {exc}", file=sys.stderr)
        return 1
    except BaseException:
        if keys_file is not None:
            keys_file.discard()
        raise
    if keys_file is not None:
        keys_file.commit()
    _print_counts(report.counts, sys.stdout)
    total = report.load_seconds + report.analyze_seconds
    print(
        f"loaded in {total:.1f} s (generate + COPY {report.load_seconds:.1f} s, "
        f"ANALYZE {report.analyze_seconds:.1f} s)"
    )
    if keys_file is not None:
        print(f"API keys of {len(hashes)} users written to {args.keys_file} (mode 0600)")
    else:
        print(
            "API keys were not kept (no --keys-file); load again with --replace "
            "--keys-file PATH to get usable ones"
        )
    return 0
