"""``project88 demo-data``: load the synthetic dataset into project88_myappdb with COPY.

The thin shell around ``plan`` and ``generate``: one transaction for the
whole load (the tables are locked, checked empty or truncated with
``--replace``, filled, derived columns computed in bulk, sequences moved past
the ids), then ANALYZE. The race
tables are generated in a background thread and streamed in chunks, so the
database works on one chunk while Python draws the next and memory stays
bounded at any scale.

Secrets: users' API keys come from ``secrets`` (only their SHA-256 is
stored; the keys themselves go to ``--keys-file`` alone, mode 0600); the key
that encrypts provider credentials is random per run, reaches the server by
COPY into a temporary table and is never stored or printed; passwords are
bcrypt hashes of random values generated inside the server.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import queue
import secrets
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from psycopg2 import sql

from daemons.common import db
from daemons.common.config import CommonSettings
from project88.demodata import generate, plan
from project88.demodata.generate import COLUMNS, Row

KEY_PREFIX = "p88_"
CHUNK_RESULTS = 100_000  # result + registration rows per chunk
COPY_BUFFER = 1 << 20


class DemoDataError(RuntimeError):
    """The load cannot go ahead (the message says why and what to do)."""


# -- COPY text ----------------------------------------------------------------------------
_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_field(value: object) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_ESCAPE)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True).translate(_ESCAPE)
    raise TypeError(f"cannot COPY {type(value).__name__} {value!r}")


def copy_text(rows: Iterable[Row]) -> str:
    return "".join("\t".join(map(copy_field, row)) + "\n" for row in rows)


def copy_results_text(rows: Iterable[Row]) -> str:
    """ct_results rows hold only ints, None and strings from a fixed vocabulary (timing
    points, statuses, times, divisions, a timestamp): nothing to escape, so a faster path."""
    return "".join(
        "\t".join(["\\N" if v is None else v if type(v) is str else str(v) for v in row]) + "\n"
        for row in rows
    )


def copy_statement(table: str, columns: tuple[str, ...]) -> sql.Composed:
    return sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )


# -- API keys -----------------------------------------------------------------------------
def new_api_keys() -> dict[str, str]:
    """A fresh random key per user (owner -> key): the one non-deterministic part."""
    return {owner: KEY_PREFIX + secrets.token_urlsafe(32) for owner in generate.api_key_owners()}


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeysFile:
    """Written to a 0600 temporary file beside the target first, renamed into place on commit."""

    def __init__(self, path: Path, keys: dict[str, str]) -> None:
        self.path = path
        self.temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(self.temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            os.fchmod(fh.fileno(), 0o600)
            for owner, key in keys.items():
                fh.write(f"{owner}\t{key}\n")

    def commit(self) -> None:
        os.replace(self.temp, self.path)

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.temp.unlink()


# -- the load -----------------------------------------------------------------------------
@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    load_seconds: float = 0.0
    analyze_seconds: float = 0.0


def _sql(name: str) -> str:
    return db.load_sql("project88", f"demodata_{name}")


class _Copier:
    def __init__(self, cur: Any, report: Report) -> None:
        self.cur = cur
        self.report = report

    def text(self, table: str, text: str, rows: int, target: str | None = None) -> None:
        if not rows:
            return
        statement = copy_statement(target or table, COLUMNS[table])
        self.cur.copy_expert(statement, _StringReader(text), size=COPY_BUFFER)
        self.report.counts[table] = self.report.counts.get(table, 0) + rows

    def rows(self, table: str, rows: Iterable[Row], target: str | None = None) -> None:
        materialised = list(rows)
        self.text(table, copy_text(materialised), len(materialised), target)


class _StringReader:
    """A minimal file for copy_expert: reads slices without copying the whole text again."""

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8")
        self.pos = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.pos + size
        chunk = self.data[self.pos : end]
        self.pos += len(chunk)
        return chunk


_DONE = object()


def _produce(chunks: Iterator[generate.RaceRows], out: queue.Queue, stop: threading.Event) -> None:
    """Background thread: format chunks of race rows as COPY text, in order."""
    try:
        for chunk in chunks:
            texts = (
                (copy_text(chunk.participants), len(chunk.participants)),
                (copy_results_text(chunk.results), len(chunk.results)),
                (copy_text(chunk.registrations), len(chunk.registrations)),
            )
            while not stop.is_set():
                try:
                    out.put(texts, timeout=0.5)
                    break
                except queue.Full:
                    continue
            if stop.is_set():
                return
        out.put(_DONE)
    except BaseException as exc:  # handed to the loading thread, which re-raises it
        out.put(exc)


def _copy_race_tables(copier: _Copier, the_plan: plan.Plan, progress: TextIO | None) -> None:
    chunks: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()
    worker = threading.Thread(
        target=_produce,
        args=(generate.race_chunks(the_plan, CHUNK_RESULTS), chunks, stop),
        name="demo-data-generator",
        daemon=True,
    )
    worker.start()
    total = the_plan.counts.results
    started = time.monotonic()
    last_note = started
    try:
        while True:
            item = chunks.get()
            if item is _DONE:
                break
            if isinstance(item, BaseException):
                raise item
            for table, (text, rows) in zip(generate.RACE_TABLES, item, strict=True):
                copier.text(table, text, rows)
            now = time.monotonic()
            if progress is not None and now - last_note >= 10:
                done = copier.report.counts.get("ct_results", 0)
                print(
                    f"demo-data: ct_results {done:,} of {total:,} ({now - started:.0f} s)",
                    file=progress,
                    flush=True,
                )
                last_note = now
    finally:
        stop.set()
        worker.join()


def load(
    dsn: str,
    the_plan: plan.Plan,
    key_hashes: dict[str, str | None],
    replace: bool = False,
    progress: TextIO | None = None,
) -> Report:
    """Load ``the_plan`` into an empty (or, with ``replace``, emptied) database."""
    report = Report()
    started = time.monotonic()
    conn = db.connect(dsn, "project88-demo-data")
    try:
        with conn.cursor() as cur:
            cur.execute(_sql("bypasses_rls"))
            bypass = bool(cur.fetchone()[0])
            cur.execute(_sql("lock"))
            cur.execute(_sql("nonempty"))
            filled = [name for (name,) in cur.fetchall()]
            if filled and not replace:
                raise DemoDataError(
                    f"the database already holds data ({', '.join(filled)}); nothing was "
                    "written. Use --replace to empty these tables and load again."
                )
            if filled:
                cur.execute(_sql("truncate"))
            if not bypass:
                cur.execute(_sql("rls_unforce"))
            copier = _Copier(cur, report)
            for table, rows in generate.small_tables(the_plan, key_hashes):
                if table == "partner_provider_credentials":
                    _load_credentials(cur, copier, list(rows))
                elif table == "providers":
                    cur.execute(_sql("providers_stage"))
                    copier.rows("providers", rows, target="demo_providers")
                    cur.execute(_sql("providers_merge"))
                else:
                    copier.rows(table, rows)
            cur.execute(_sql("fk_drop"))
            cur.execute(_sql("derived_off"))
            _copy_race_tables(copier, the_plan, progress)
            cur.execute(_sql("fk_restore"))
            cur.execute(_sql("derived_on"))
            cur.execute(_sql("passwords"))
            cur.execute(_sql("sequences"))
            if not bypass:
                cur.execute(_sql("rls_force"))
        conn.commit()
        report.load_seconds = time.monotonic() - started
        analyzed = time.monotonic()
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(_sql("analyze"))
        report.analyze_seconds = time.monotonic() - analyzed
    finally:
        conn.close()  # an uncommitted transaction rolls back
    return report


def _load_credentials(cur: Any, copier: _Copier, rows: list[Row]) -> None:
    cur.execute(_sql("credentials_stage"))
    encryption_key = secrets.token_urlsafe(32)
    cur.copy_expert(_sql("credentials_key"), _StringReader(encryption_key + "\n"))
    del encryption_key
    copier.rows("partner_provider_credentials", rows, target="demo_credentials")
    cur.execute(_sql("credentials_insert"))


# -- the command --------------------------------------------------------------------------
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
