"""Gap-free sequence tracking (shared/ctp01.md §4): pure, no I/O.

A location's reads are numbered 1, 2, 3, ... by the client. The *mark* is the
highest number below which nothing is missing; on every connection the
listener asks the client to resend from ``mark + 1``.
"""

from __future__ import annotations

from collections.abc import Iterable


class Contiguity:
    """The gap-free mark of one (session, location), plus numbers seen above it."""

    __slots__ = ("_above", "mark")

    def __init__(self, seen: Iterable[int] = ()) -> None:
        self.mark = 0
        self._above: set[int] = set()
        self.add_all(seen)

    def add(self, seq: int) -> None:
        if seq <= self.mark:
            return
        if seq != self.mark + 1:
            self._above.add(seq)
            return
        self.mark = seq
        above = self._above
        while self.mark + 1 in above:
            self.mark += 1
            above.discard(self.mark)

    def add_all(self, seqs: Iterable[int]) -> None:
        for seq in sorted(seqs):
            self.add(seq)

    def first_missing(self) -> int:
        return self.mark + 1

    @property
    def highest(self) -> int:
        return max(self._above, default=self.mark)

    def missing(self, limit: int = 10) -> list[int]:
        """Up to ``limit`` numbers missing between the mark and the highest seen."""
        out: list[int] = []
        seq = self.mark + 1
        top = self.highest
        while seq < top and len(out) < limit:
            if seq not in self._above:
                out.append(seq)
            seq += 1
        return out
