"""The state of one parse: the texts, what each character became, and what was found.

Extractors *take* the characters they understood: they are blanked in the
working copy, so that "marathon" inside "Boston Marathon" is not read again as
a distance, and marked explained, so that the accounting at the end can name
every word nobody explained. A word left unexplained means the rules do not
answer: the question goes to the model, or is refused naming that word.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..query import Filter, Op, Scalar
from .words import BLANK, DISCARDED, EXPLAINED, UNSEEN, lower


@dataclass(frozen=True)
class Vocabulary:
    """What the database knows: only these names ever reach a filter on events or partners."""

    event_names: tuple[str, ...]  # canonical event (series) names, e.g. "Boston Marathon"
    partner_names: tuple[str, ...]  # timing partner names
    # Lower-case runners' surnames and cities the caller can see: a surname alone ("the
    # Smiths") or "from Portland" is recognised only when the data has it.
    last_names: frozenset[str] = frozenset()
    cities: frozenset[str] = frozenset()
    # Lower-case first names: a name typed without its accent or apostrophe finds its spelling.
    first_names: frozenset[str] = frozenset()
    # (event name, year of its latest edition held): "the most recent Boston Marathon".
    latest_editions: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Refusal:
    status: int  # 403 read-only, 422 not answerable as asked
    reason: str
    kind: str  # "write", "hostile", "unknown_event", "unsupported" (the API's reason)


@dataclass
class Scan:
    text: str  # normalised, case kept
    vocab: Vocabulary
    today: dt.date
    low: str = ""
    work: str = ""
    cased: str = ""
    state: bytearray = field(default_factory=bytearray)
    filters: list[Filter] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    years: set[int] = field(default_factory=set)
    sexes: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    slots: dict[str, Any] = field(default_factory=dict)  # limit, partner, provider, person...
    group_by: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    penalties: list[float] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    distance_spans: list[tuple[int, int]] = field(default_factory=list)
    distance_kms: list[tuple[int, float]] = field(default_factory=list)  # (start, km) read
    short_names: dict[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.low = lower(self.text)
        self.work = self.low
        self.cased = self.text
        self.state = bytearray(len(self.text))

    def take(self, start: int, end: int, *, discard: bool = False) -> None:
        """Blank ``[start, end)`` in the working copies and mark it explained (or discarded)."""
        if end <= start:
            return
        width = end - start
        self.work = self.work[:start] + BLANK * width + self.work[end:]
        self.cased = self.cased[:start] + BLANK * width + self.cased[end:]
        if discard:
            self.state[start:end] = bytes([DISCARDED]) * width
        else:
            self.mark(start, end)

    def mark(self, start: int, end: int) -> None:
        """Explained, but left readable for later keyword checks."""
        for i in range(start, end):
            if self.state[i] == UNSEEN:
                self.state[i] = EXPLAINED

    def note(self, text: str, penalty: float = 1.0) -> None:
        if text in self.notes:
            return
        self.notes.append(text)
        if penalty < 1.0:
            self.penalties.append(penalty)

    def refuse(self, status: int, reason: str, kind: str) -> None:
        if all(r.reason != reason for r in self.refusals):
            self.refusals.append(Refusal(status, reason, kind))

    def set(self, slot: str, value: Any, shown: str | None = None) -> bool:
        """First value wins; a different later value is noted, not silently dropped."""
        old = self.slots.get(slot)
        if old is None:
            self.slots[slot] = value
            return True
        if old != value:
            self.note(f"kept the first {slot.replace('_', ' ')}; also read {shown or value}")
            self.penalties.append(0.5)  # two readings of one thing: the rules are unsure
        return False

    def add(self, name: str, op: Op, value: Scalar | tuple[Scalar, ...]) -> None:
        candidate = Filter(field=name, op=op, value=value)
        if candidate not in self.filters:
            self.filters.append(candidate)

    def finditer(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        return pattern.finditer(self.work)

    def takeall(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        """Every match of ``pattern`` in the working copy, taken."""
        found = list(pattern.finditer(self.work))
        for match in found:
            self.take(match.start(), match.end())
        return found
