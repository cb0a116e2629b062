"""Values made comparable: a service's JSON cell and a reference's Python value alike.

Both sides go through the same function, so a bib "10001" and a count 10001
meet as the same number, an interval and "2:24:37" as the same seconds, a
date and "2024-04-15" as the same day. Comparison is then by kind:

* numbers: equal when the reference, rounded to the decimals the service
  shows, is the service's number (a count 57 must be 57; an average
  42.3813 matches 42.4 or 42, not 43);
* seconds (intervals, H:MM:SS): within one second (services round or
  truncate averages and percentiles);
* text: case-, space- and Unicode-normalised; "male"/"men" and the like read
  as the sex codes M, F, X; an empty cell (how Markdown shows NULL) is NULL.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

SECONDS_TOLERANCE = 1.0
_DURATION = re.compile(
    r"^(?P<neg>-)?(?:(?P<days>\d+) days?,? )?(?P<h>\d+):(?P<m>\d{2}):(?P<s>\d{2}(?:\.\d+)?)$"
)
_NUMBER = re.compile(r"^[+-]?\$?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?%?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_SEX = {"male": "m", "men": "m", "man": "m", "female": "f", "women": "f", "woman": "f",
        "non-binary": "x", "nonbinary": "x"}  # fmt: skip
# Sort groups: numbers and seconds side by side, so that the two can be compared.
_GROUP = {"num": 0, "sec": 0, "date": 1, "ts": 2, "str": 3, "bool": 4, "null": 5}


@dataclass(frozen=True)
class Value:
    kind: str  # num, sec, date, ts, str, bool, null
    number: float = 0.0
    text: str = ""
    decimals: int = 0  # digits after the point as shown (numbers)

    def sort_key(self) -> tuple[int, float, str]:
        return (_GROUP[self.kind], self.number, self.text)


NULL = Value("null")


def _decimals_of(text: str) -> int:
    text = text.lower()
    if "e" in text:  # 1e-05: as many as the exponent says
        mantissa, exponent = text.split("e")
        return max(0, _decimals_of(mantissa) - int(exponent))
    return len(text.split(".", 1)[1]) if "." in text else 0


def _number(value: float | int | Decimal, shown: str | None = None) -> Value:
    number = float(value)
    if math.isnan(number):
        return NULL
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    elif isinstance(value, int):
        decimals = 0
    else:
        decimals = _decimals_of(shown if shown is not None else repr(value))
    return Value("num", number, decimals=decimals)


def _timestamp(value: dt.datetime) -> Value:
    if value.tzinfo is None:  # naive: taken as UTC (the database's and the JSON's convention)
        value = value.replace(tzinfo=dt.UTC)
    value = value.astimezone(dt.UTC).replace(microsecond=0)
    return Value("ts", value.timestamp(), value.isoformat())


def _text(raw: str) -> Value:
    text = raw.strip()
    if not text:
        return NULL
    duration = _DURATION.match(text)
    if duration:
        seconds = (int(duration["days"] or 0) * 86400 + int(duration["h"]) * 3600
                   + int(duration["m"]) * 60 + float(duration["s"]))  # fmt: skip
        return Value("sec", -seconds if duration["neg"] else seconds)
    if _DATE.match(text):
        try:
            return Value("date", text=dt.date.fromisoformat(text).isoformat())
        except ValueError:
            pass
    if _TIMESTAMP.match(text):
        try:
            return _timestamp(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            pass
    if _NUMBER.match(text) and any(ch.isdigit() for ch in text):
        digits = text.replace("$", "").replace(",", "").rstrip("%")
        return _number(float(digits), digits)
    folded = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    if folded in ("true", "false"):
        return Value("bool", float(folded == "true"), folded)
    return Value("str", text=_SEX.get(folded, folded))


def normalize(value: Any) -> Value:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return Value("bool", float(value), str(value).lower())
    if isinstance(value, (int, float, Decimal)):
        return _number(value)
    if isinstance(value, dt.timedelta):
        return Value("sec", value.total_seconds())
    if isinstance(value, dt.datetime):
        return _timestamp(value)
    if isinstance(value, dt.date):
        return Value("date", text=value.isoformat())
    if isinstance(value, dt.time):
        return Value("str", text=value.isoformat())
    if isinstance(value, str):
        return _text(value)
    return _text(str(value))


def same(reference: Value, answer: Value) -> bool:
    """Does the service's value ``answer`` say what the reference value says?"""
    kinds = {reference.kind, answer.kind}
    if kinds <= {"num", "sec"} and "sec" in kinds:
        return abs(reference.number - answer.number) <= SECONDS_TOLERANCE + 1e-9
    if reference.kind != answer.kind:
        return False
    if reference.kind == "num":
        # The reference rounded as the service shows it: half a unit of its last digit.
        slack = 0.5 * 10.0**-answer.decimals if reference.decimals > answer.decimals else 0.0
        return abs(reference.number - answer.number) <= slack + 1e-9 * max(
            1.0, abs(reference.number)
        )
    if reference.kind in ("ts", "bool"):
        return reference.number == answer.number
    return reference.text == answer.text
