"""How the status page words a moment: "4 min ago", "in 2 h 5 min" (pure)."""

from __future__ import annotations

import datetime as dt

JUST_NOW = 45  # seconds either side of now that read as "just now"


def span(seconds: float) -> str:
    """A positive span in the largest units that keep it readable."""
    if seconds < 60:
        return f"{int(seconds)} s"
    minutes = int(seconds // 60)
    if minutes < 90:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"


def ago(when: dt.datetime | None, now: dt.datetime) -> str:
    """``when`` relative to ``now``: "never", "just now", "12 min ago", "in 3 days"."""
    if when is None:
        return "never"
    seconds = (now - when).total_seconds()
    if abs(seconds) < JUST_NOW:
        return "just now"
    return f"{span(seconds)} ago" if seconds > 0 else f"in {span(-seconds)}"
