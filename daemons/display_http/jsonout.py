"""JSON for every type PostgreSQL hands us: ISO 8601 times, exact numbers, no NaN.

A serialisation error in a live API is a 500 at the worst moment (a finish
surge), so every column type the queries can return is covered here and the
encoder refuses silently lossy values instead of emitting invalid JSON.
"""

from __future__ import annotations

import datetime as dt
import decimal
import ipaddress
import json
import math
import uuid
from typing import Any


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        # Integral decimals (count(*) sums) stay integers; others become floats.
        if value == value.to_integral_value():
            return int(value)
        return float(value)
    if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "backslashreplace")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _finite(value: Any) -> Any:
    """NaN and infinities are not JSON: they become null (only computed floats can be)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def dumps(value: Any) -> str:
    try:
        return json.dumps(value, default=_default, allow_nan=False, separators=(",", ":"))
    except ValueError:  # a NaN somewhere: rare, so only then walk the structure
        return json.dumps(_finite(value), default=_default, allow_nan=False, separators=(",", ":"))
