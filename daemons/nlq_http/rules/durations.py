"""An amount of time said in words ("10 minutes", "an hour", "90 s"): one pattern, one reading.

Margins and gaps ("within 10 minutes of the winner", "beat the standard by 20 minutes")
use it; finish-time thresholds have their own, richer grammar (amounts.py).
"""

from __future__ import annotations

import re

# The groups a pattern using it gets: ``n`` (a number, "a", "an", "one") and ``unit``.
AMOUNT_OF_TIME = (
    r"(?P<n>\d{1,3}(?:\.\d+)?|an?|one)\s*"
    r"(?P<unit>hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)\b"
)
_UNIT_SECONDS = {"h": 3600, "m": 60, "s": 1}


def seconds_of(match: re.Match[str]) -> int:
    """The seconds an AMOUNT_OF_TIME match says."""
    number = 1.0 if match["n"] in ("a", "an", "one") else float(match["n"])
    return int(number * _UNIT_SECONDS[match["unit"][0]])
