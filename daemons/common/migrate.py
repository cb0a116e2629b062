"""Apply the numbered migrations in ``sql/<database>/`` with yoyo-migrations."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import urlencode

from psycopg2.extensions import parse_dsn
from yoyo import get_backend, read_migrations

log = logging.getLogger("project88.migrate")

# Which migration folder belongs to which DSN variable.
DATABASES = {"raw_tag_data": "P88_RAW_DSN", "production": "P88_PROD_DSN"}


def sql_root() -> Path:
    """``P88_SQL_DIR`` or the ``sql/`` folder of this source tree."""
    override = os.environ.get("P88_SQL_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[2] / "sql"


def yoyo_uri(dsn: str) -> str:
    # yoyo wants a URI; every libpq keyword passes through as a query argument,
    # so unix-socket hosts, ports and sslmode survive unchanged.
    return "postgresql:///?" + urlencode(parse_dsn(dsn))


def apply(dsn: str, folder: str) -> list[str]:
    """Apply what is missing from ``sql/<folder>``; returns the ids applied."""
    directory = sql_root() / folder
    if not directory.is_dir():
        return []
    backend = get_backend(yoyo_uri(dsn))
    try:
        migrations = read_migrations(str(directory))
        with backend.lock():
            pending = backend.to_apply(migrations)
            backend.apply_migrations(pending)
    finally:
        backend.connection.close()
    applied = [m.id for m in pending]
    log.info("migrated folder=%s applied=%d ids=%s", folder, len(applied), ",".join(applied) or "-")
    return applied
