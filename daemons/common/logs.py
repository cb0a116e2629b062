"""Logging for journald: one event per line, key=value pairs for figures.

Under systemd (``JOURNAL_STREAM`` set) journald stamps time and unit, so lines
carry neither; run by hand, lines get a timestamp so a terminal stays readable.
"""

from __future__ import annotations

import logging
import os
import sys


def setup(level: str | None = None) -> None:
    under_journald = bool(os.environ.get("JOURNAL_STREAM"))
    fmt = "%(levelname)s %(name)s: %(message)s"
    if not under_journald:
        fmt = "%(asctime)s " + fmt
    logging.basicConfig(
        level=(level or os.environ.get("P88_LOG_LEVEL", "INFO")).upper(),
        format=fmt,
        stream=sys.stderr,
        force=True,
    )


def kv(**fields: object) -> str:
    """Render figures as ``key=value`` pairs, quoting values with spaces."""
    parts = []
    for key, value in fields.items():
        text = str(value)
        if not text or any(ch.isspace() or ch in '"=' for ch in text):
            text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        parts.append(f"{key}={text}")
    return " ".join(parts)
