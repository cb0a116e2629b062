"""libpq connections and SQL files.

DSNs are plain libpq strings (``P88_*_DSN``); the password comes from the
pgpass file that systemd hands over (``PGPASSFILE``), never from the DSN.
Queries live in ``.sql`` files next to the code that runs them.
"""

from __future__ import annotations

import functools
from importlib import resources

import psycopg2
import psycopg2.extensions


def connect(
    dsn: str, application_name: str, connect_timeout: int = 5, options: str = ""
) -> psycopg2.extensions.connection:
    extra = {"options": options} if options else {}
    conn = psycopg2.connect(
        dsn,
        application_name=application_name,
        connect_timeout=connect_timeout,
        **extra,
        # Notice a dead server or a broken network within ~15 s, not hours.
        keepalives=1,
        keepalives_idle=5,
        keepalives_interval=2,
        keepalives_count=3,
    )
    return conn


@functools.cache
def load_sql(package: str, name: str) -> str:
    """The text of ``<package>/sql/<name>.sql``."""
    return resources.files(package).joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")
