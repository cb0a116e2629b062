"""The archiver's pure parts: schedules, make-up runs, backup names and retention, settings."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from daemons.archiver import backups, schedule
from daemons.archiver.settings import ArchiverSettings
from daemons.common.config import ConfigError
from daemons.common.logs import JournalFormatter

NY = "America/New_York"
UTC = dt.UTC


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_a_run_missed_while_down_is_made_up_once():
    # 03:15 New York = 08:15 UTC in November.
    assert schedule.missed("15 3 * * *", NY, at(20, 8, 15), at(23, 9, 0))  # three missed days
    assert not schedule.missed("15 3 * * *", NY, at(23, 8, 15), at(23, 9, 0))  # ran today
    assert not schedule.missed("15 3 * * *", NY, at(22, 8, 15), at(23, 8, 0))  # not due yet
    assert schedule.missed("15 3 * * *", NY, at(22, 8, 15), at(23, 8, 15))  # due this minute
    assert schedule.missed("15 3 * * *", NY, None, at(23, 9, 0))  # never ran: now


def test_cron_in_the_event_zone_across_dst():
    trigger = schedule.trigger("15 3 * * *", NY)
    summer = trigger.get_next_fire_time(None, dt.datetime(2026, 7, 1, tzinfo=UTC))
    winter = trigger.get_next_fire_time(None, dt.datetime(2026, 12, 1, tzinfo=UTC))
    assert summer.astimezone(UTC).hour == 7 and winter.astimezone(UTC).hour == 8


def test_outcomes_are_exit_codes():
    assert [o.value for o in schedule.Outcome] == [0, 1, 3, 4]


def test_backup_names_and_retention():
    when = dt.datetime(2026, 11, 25, 2, 45, 0)
    assert backups.file_name("raw_tag_data", when) == "raw_tag_data_20261125_024500.dump"
    names = [f"raw_tag_data_202611{d:02d}_024500.dump" for d in range(20, 26)]
    names += ["project88_myappdb_20261120_024500.dump", "notes.txt",
              ".raw_tag_data_20261126_024500.dump.partial"]  # fmt: skip
    assert backups.expired(names, "raw_tag_data", 3) == names[:3]
    assert backups.expired(names, "project88_myappdb", 3) == []
    assert backups.expired(names[:2], "raw_tag_data", 3) == []


def test_settings_defaults_and_errors(tmp_path):
    settings = ArchiverSettings.from_env({"P88_TIMEZONE": NY})
    assert settings.archive_cron == "15 3 * * *"
    assert settings.common.retention_days == 30
    assert settings.backup_dir == Path("var/archiver/backups")
    assert [name for name, _ in settings.backup_databases] == ["raw_tag_data", "project88_myappdb"]
    under_systemd = ArchiverSettings.from_env({"STATE_DIRECTORY": str(tmp_path)})
    assert under_systemd.backup_dir == tmp_path / "backups"
    with pytest.raises(ConfigError, match="P88_ARCHIVE_CRON"):
        ArchiverSettings.from_env({"P88_ARCHIVE_CRON": "every day"})
    with pytest.raises(ConfigError, match="P88_BACKUP_DATABASES"):
        ArchiverSettings.from_env({"P88_BACKUP_DATABASES": "raw,everything"})


def test_journal_lines_carry_syslog_priorities():
    formatter = JournalFormatter("%(levelname)s %(message)s")
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "two\nlines", None, None)
    assert formatter.format(record) == "<3>ERROR two\n<3>lines"
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "ok", None, None)
    assert formatter.format(record) == "<6>INFO ok"
