"""The archiver's settings, from ``P88_*`` environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from daemons.common.config import (
    CommonSettings,
    ConfigError,
    env_float,
    env_int,
    env_str,
    state_dir,
)

from . import schedule


@dataclass(frozen=True)
class ArchiverSettings:
    common: CommonSettings
    archive_cron: str
    backup_cron: str
    sessions_cron: str
    batch_size: int
    batch_pause: float  # seconds between two batches: room for the listener's commits
    budget: float  # seconds per archive run; what is left waits for the next run
    backup_dir: Path
    backup_keep: int
    backup_databases: tuple[tuple[str, str], ...]  # (name, dsn)
    pg_dump: str
    session_idle_hours: float
    status_interval: float

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ArchiverSettings:
        env = os.environ if env is None else env
        common = CommonSettings.from_env(env)
        crons = {
            name: env_str(env, name, default)
            for name, default in (
                ("P88_ARCHIVE_CRON", "15 3 * * *"),
                ("P88_BACKUP_CRON", "45 2 * * *"),
                ("P88_SESSIONS_CRON", "*/15 * * * *"),
            )
        }
        for name, expression in crons.items():
            try:
                schedule.trigger(expression, common.timezone)
            except ValueError as exc:
                raise ConfigError(
                    f"{name}={expression!r} is not a cron expression: {exc}"
                ) from None
        databases = []
        for item in env_str(env, "P88_BACKUP_DATABASES", "raw,production").split(","):
            item = item.strip()
            if item == "raw":
                databases.append(("raw_tag_data", common.raw_dsn))
            elif item == "production":
                databases.append(("project88_myappdb", common.prod_dsn))
            elif item:
                raise ConfigError(f"P88_BACKUP_DATABASES: {item!r} is not 'raw' or 'production'")
        backup_default = state_dir(env, "archiver") / "backups"
        return cls(
            common=common,
            archive_cron=crons["P88_ARCHIVE_CRON"],
            backup_cron=crons["P88_BACKUP_CRON"],
            sessions_cron=crons["P88_SESSIONS_CRON"],
            batch_size=env_int(env, "P88_ARCHIVE_BATCH", 5000, minimum=1),
            batch_pause=env_float(env, "P88_ARCHIVE_PAUSE_MS", 20.0, minimum=0.0) / 1000,
            budget=env_float(env, "P88_ARCHIVE_BUDGET", 1800.0, minimum=1.0),
            backup_dir=Path(env_str(env, "P88_BACKUP_DIR", str(backup_default))),
            backup_keep=env_int(env, "P88_BACKUP_KEEP", 7, minimum=1),
            backup_databases=tuple(databases),
            pg_dump=env_str(env, "P88_PG_DUMP", "pg_dump"),
            session_idle_hours=env_float(env, "P88_SESSION_IDLE_HOURS", 12.0, minimum=0.01),
            status_interval=env_float(env, "P88_STATUS_INTERVAL", 60.0, minimum=0.1),
        )
