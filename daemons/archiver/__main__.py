"""``python -m daemons.archiver``: retention, backups and idle sessions on a schedule.

``--run-once archive|backup|close-sessions|all`` runs jobs now and exits with
what happened: 0 done, 1 failed, 3 skipped (another archiver holds the lock),
4 partial (the time budget ran out; the next run continues), 2 bad usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import signal
import sys
import threading
import time
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from daemons.common import logs
from daemons.common.config import ConfigError
from daemons.common.logs import kv
from daemons.common.sdnotify import Notifier

from . import jobs, runlog, schedule
from .schedule import Outcome
from .settings import ArchiverSettings

log = logging.getLogger("archiver")
HEARTBEAT = 5.0  # seconds between the scheduler's proofs of life (for the watchdog)
SEVERITY = [Outcome.DONE, Outcome.SKIPPED, Outcome.PARTIAL, Outcome.FAILED]


def run_once(settings: ArchiverSettings, which: str, stop: threading.Event) -> int:
    names = list(jobs.JOBS) if which == "all" else [which]
    outcomes = [jobs.run(settings, name, stop).outcome for name in names]
    return max(outcomes, key=SEVERITY.index).value


class Daemon:
    def __init__(self, settings: ArchiverSettings, notifier: Notifier) -> None:
        self.settings = settings
        self.notifier = notifier
        self.stop = threading.Event()
        self.last: dict[str, jobs.RunResult] = {}
        self.last_tick = time.monotonic()
        self.crons = {
            "archive": settings.archive_cron,
            "backup": settings.backup_cron,
            "close-sessions": settings.sessions_cron,
        }
        self.scheduler = BackgroundScheduler(
            timezone=settings.common.timezone,
            executors={"default": ThreadPoolExecutor(4)},
            # A run missed while the process lived (suspend, clock jump) runs once, late.
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    def _run(self, job: str) -> None:
        if not self.stop.is_set():
            self.last[job] = jobs.run(self.settings, job, self.stop)
            self.report()

    def _tick(self) -> None:
        self.last_tick = time.monotonic()

    def start(self) -> None:
        for job, cron in self.crons.items():
            self.scheduler.add_job(
                self._run,
                schedule.trigger(cron, self.settings.common.timezone),
                args=[job],
                id=job,
                name=job,
            )
        self.scheduler.add_job(self._tick, "interval", seconds=HEARTBEAT, id="heartbeat")
        self.scheduler.start()
        self.make_up()

    def make_up(self) -> None:
        """Runs missed while the daemon or the machine was down: once each, now."""
        try:
            last = jobs.last_runs(self.settings)
        except Exception as exc:  # the database is not there yet: the schedule still runs
            log.warning("cannot tell which runs were missed %s", kv(error=str(exc).strip()))
            return
        now = dt.datetime.now(dt.UTC)
        for job, cron in self.crons.items():
            if schedule.missed(cron, self.settings.common.timezone, last.get(job), now):
                log.info("making up a missed run %s", kv(job=job, last_run=last.get(job, "never")))
                self.scheduler.add_job(self._run, "date", args=[job], id=f"{job}-make-up")

    def status_line(self) -> str:
        parts = []
        for job in self.crons:
            scheduled = self.scheduler.get_job(job)
            upcoming = scheduled.next_run_time if scheduled is not None else None
            result = self.last.get(job)
            last = "not yet" if result is None else result.outcome.label.upper()
            if result is not None and job == "archive" and "moved" in result.summary:
                last += f" ({result.summary['moved']} moved)"
            when = f"{upcoming:%a %H:%M}" if upcoming else "-"
            parts.append(f"{job}: next {when}, last {last}")
        return "; ".join(parts)

    def report(self) -> None:
        self.notifier.status(self.status_line())

    def serve(self) -> int:
        self.start()
        self.notifier.ready(self.status_line())
        log.info(
            "scheduled %s", kv(**{job.replace("-", "_"): cron for job, cron in self.crons.items()})
        )
        interval = min(self.settings.status_interval, self.notifier.watchdog_interval or HEARTBEAT)
        next_status = 0.0
        while not self.stop.wait(interval):
            # WATCHDOG only while the scheduler really dispatches jobs.
            if time.monotonic() - self.last_tick < 3 * HEARTBEAT:
                self.notifier.watchdog()
            if time.monotonic() >= next_status:
                self.report()
                next_status = time.monotonic() + self.settings.status_interval
        log.info("stopping: waiting for running jobs to end their current batch")
        self.notifier.stopping()
        self.scheduler.shutdown(wait=True)
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m daemons.archiver",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--run-once",
        choices=[*jobs.JOBS, "all"],
        help="run these jobs now and exit with what happened",
    )
    args = parser.parse_args(argv)
    logs.setup()
    # APScheduler logs every job added and run at INFO; our own lines say what matters.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    try:
        settings = ArchiverSettings.from_env()
    except ConfigError as exc:
        log.error("configuration error: %s", exc)
        return 2
    stop = threading.Event()
    runlog.mark_interrupted(settings)  # runs a dead archiver left 'running'

    def on_signal(_signum: int, _frame: Any) -> None:
        stop.set()

    if args.run_once:
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        return run_once(settings, args.run_once, stop)
    daemon = Daemon(settings, Notifier())
    signal.signal(signal.SIGTERM, lambda *_: daemon.stop.set())
    signal.signal(signal.SIGINT, lambda *_: daemon.stop.set())
    return daemon.serve()


if __name__ == "__main__":
    sys.exit(main())
