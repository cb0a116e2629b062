"""The load behind ``project88 demo-data`` (command.py): the dataset into project88_myappdb by COPY.

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

import queue
import secrets
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from daemons.common import db
from project88.demodata import generate, plan
from project88.demodata.copy_format import copy_results_text, copy_statement, copy_text
from project88.demodata.generate import COLUMNS, Row

CHUNK_RESULTS = 100_000  # result + registration rows per chunk
COPY_BUFFER = 1 << 20


class DemoDataError(RuntimeError):
    """The load cannot go ahead (the message says why and what to do)."""


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
