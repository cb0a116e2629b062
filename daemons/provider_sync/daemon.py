"""The provider_sync daemon: a worker taking queued jobs, and systemd bookkeeping.

The worker thread schedules due jobs about once a minute (``schedule``), claims
the next one (``runner.claim``: SKIP LOCKED, with a lease) and runs it
(``runner.execute``). The main thread answers signals and tells systemd how it
goes: ``STATUS=`` lines, and ``WATCHDOG=1`` only while the worker is alive and
has shown progress recently (a hung request is bounded by its timeout).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time

import psycopg2
import psycopg2.extensions

from daemons.common import db
from daemons.common.config import ConfigError
from daemons.common.logs import kv
from daemons.common.sdnotify import Notifier

from . import runner, schedule, secretbox
from .settings import SyncSettings

log = logging.getLogger("provider_sync")
SCHEDULE_EVERY = 60.0  # seconds between two looks at the calendar
RECONNECT_FIRST, RECONNECT_CAP = 1.0, 60.0


class Daemon:
    def __init__(self, settings: SyncSettings, notifier: Notifier) -> None:
        self.settings = settings
        self.notifier = notifier
        self.stop = threading.Event()
        self.me = f"{socket.gethostname()}:{os.getpid()}"
        self.progress_at = time.monotonic()
        self.state = "starting"
        self.last: str = "no job run yet"
        self.runs = {"succeeded": 0, "failed": 0}
        self.box = None
        self._prod: psycopg2.extensions.connection | None = None
        self._raw: psycopg2.extensions.connection | None = None
        self._scheduled_at = 0.0
        self._ran_since_schedule = False

    # --- the worker ------------------------------------------------------------------
    def _beat(self) -> None:
        self.progress_at = time.monotonic()

    def _connections(self) -> tuple[psycopg2.extensions.connection, psycopg2.extensions.connection]:
        if self._prod is None or self._prod.closed:
            self._prod = db.connect(self.settings.common.prod_dsn, "provider-sync")
        if self._raw is None or self._raw.closed:
            self._raw = db.connect(self.settings.common.raw_dsn, "provider-sync")
        return self._prod, self._raw

    def _drop_connections(self) -> None:
        for conn in (self._prod, self._raw):
            if conn is not None and not conn.closed:
                conn.close()
        self._prod = self._raw = None

    def work(self) -> None:
        wait = RECONNECT_FIRST
        while not self.stop.is_set():
            self._beat()
            try:
                ran = self._step()
                wait = RECONNECT_FIRST
            except psycopg2.Error as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                self.state = f"db=DOWN ({first}); retrying in {wait:.0f} s"
                log.warning("database unavailable %s", kv(error=first, retry_in=f"{wait:.0f}s"))
                self._drop_connections()
                self.stop.wait(wait)
                wait = min(RECONNECT_CAP, wait * 2)
                continue
            except Exception:  # a bug: logged, and the worker carries on after a pause
                log.exception("sync worker step failed; going on in %.0f s", RECONNECT_CAP / 6)
                self._drop_connections()
                self.stop.wait(RECONNECT_CAP / 6)
                continue
            if not ran:
                self.stop.wait(self.settings.poll_seconds)
        self._drop_connections()

    def _step(self) -> bool:
        prod, raw = self._connections()
        # A job just ended may have put new events on the calendar: look again now.
        if self._ran_since_schedule or time.monotonic() - self._scheduled_at >= SCHEDULE_EVERY:
            schedule.schedule(prod, raw)
            self._scheduled_at, self._ran_since_schedule = time.monotonic(), False
        job = runner.claim(prod, self.me, self.settings.lease_seconds)
        if job is None:
            self.state = "idle, waiting for due jobs"
            return False
        self.state = f"running {job.describe()} (attempt {job.attempts})"
        self.notifier.status(self.status_line())
        log.info("sync starting %s", kv(job=job.id, what=job.describe(), attempt=job.attempts))
        outcome = runner.execute(
            self.settings,
            prod,
            job,
            self.box,
            self.me,
            self.stop,
            progress=lambda _tally: self._beat(),
        )
        line = outcome.line(job)
        (log.info if outcome.ok else log.error)(line)
        self.runs["succeeded" if outcome.ok else "failed"] += 1
        self.last = f"{dt.datetime.now().astimezone():%H:%M:%S} {line}"
        self.state = "idle"
        self._ran_since_schedule = True
        return True

    # --- the main thread ---------------------------------------------------------------
    def status_line(self) -> str:
        counts = f"{self.runs['succeeded']} succeeded, {self.runs['failed']} failed"
        return f"{self.state}; {counts}; last: {self.last}"[:400]

    def serve(self) -> int:
        try:
            self.box = secretbox.load_box(self.settings.key_file)
        except ConfigError as exc:
            # Without the key no job can open its credentials: each fails with that
            # reason in sync_history, and the daemon says so, rather than dying in a loop.
            log.error("%s; every job will fail until it is given", exc)
        worker = threading.Thread(target=self.work, name="sync-worker", daemon=True)
        worker.start()
        self.notifier.ready(self.status_line())
        log.info(
            "started %s",
            kv(
                me=self.me,
                poll=f"{self.settings.poll_seconds}s",
                **{p: u for p, u in self.settings.base_urls.items()},
            ),
        )
        stuck_after = max(60.0, 3 * self.settings.request_timeout)
        tick = min(5.0, self.notifier.watchdog_interval or 5.0)
        while not self.stop.wait(tick):
            if worker.is_alive() and time.monotonic() - self.progress_at < stuck_after:
                self.notifier.watchdog()
            elif not worker.is_alive():
                self.notifier.status("FAILING: the sync worker thread died")
                log.error("the sync worker thread died; systemd will restart the daemon")
                return 1
            self.notifier.status(self.status_line())
        log.info("stopping: the running job ends after its current page")
        self.notifier.stopping()
        worker.join(timeout=max(5.0, self.settings.request_timeout + 5))
        return 0
