"""When jobs run: cron expressions in the event's zone, and make-up runs. Pure."""

from __future__ import annotations

import datetime as dt
import enum

from apscheduler.triggers.cron import CronTrigger


class Outcome(enum.Enum):
    """How a run ended; also ``--run-once``'s exit code."""

    DONE = 0  # everything there was to do is done
    FAILED = 1  # an error (logged): the database, pg_dump, the disk
    SKIPPED = 3  # another archiver holds the lock: it is doing the work
    PARTIAL = 4  # the time budget ran out; the next run goes on where this one stopped

    @property
    def label(self) -> str:
        return self.name.lower()


def trigger(expression: str, timezone: str) -> CronTrigger:
    """A five-field crontab expression (minute hour day month weekday)."""
    return CronTrigger.from_crontab(expression, timezone=timezone)


def missed(expression: str, timezone: str, last_run: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether a scheduled run fell between the last run and now (the machine was down).

    One make-up run covers any number of missed ones. A job that never ran is
    due at once: a fresh install archives and backs up on its first start.
    """
    if last_run is None:
        return True
    due = trigger(expression, timezone).get_next_fire_time(None, last_run + dt.timedelta(seconds=1))
    return due is not None and due <= now
