"""Logging for journald: one event per line, key=value pairs for figures.

Under systemd (``JOURNAL_STREAM`` set) journald stamps time and unit, so lines
carry neither; run by hand, lines get a timestamp so a terminal stays readable.
"""

from __future__ import annotations

import logging
import os
import sys

# Python levels -> syslog priorities, which journald reads from a "<N>" prefix
# (SyslogLevelPrefix=, on by default): `journalctl -p err` then finds failures.
_PRIORITY = {logging.CRITICAL: 2, logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6}


class JournalFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        priority = _PRIORITY.get(record.levelno, 7)
        # Every line of a multi-line record (a traceback) keeps the priority.
        return "\n".join(f"<{priority}>{line}" for line in super().format(record).splitlines())


def setup(level: str | None = None) -> None:
    under_journald = bool(os.environ.get("JOURNAL_STREAM"))
    fmt = "%(levelname)s %(name)s: %(message)s"
    handler = logging.StreamHandler(sys.stderr)
    if under_journald:
        handler.setFormatter(JournalFormatter(fmt))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s " + fmt))
    logging.basicConfig(
        level=(level or os.environ.get("P88_LOG_LEVEL", "INFO")).upper(),
        handlers=[handler],
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
