"""Places among finishers: overall, by sex, by division.

The rule (the usual one for official results): finishers are placed on their
gun time when a gun is known for them, and on their chip time while none is
(a chip-timed finisher is compared with the others on that chip time). A tie
on time goes to the earlier finish read, then to the lower bib (numeric bibs
in number order, before other bibs in text order), so places are never shared.
Runners of unknown sex get no sex place and take no one's; runners without a
division get no division place. A finisher with no time at all (no gun and no
start read) is not placed and takes no one's place.

Two ways to the same places: ``place_all`` sorts everyone (scoring from
scratch), ``Standings`` keeps the sorted groups and says whose place may have
moved when one runner changes (the Scoreboard). Both sort the same keys.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from datetime import datetime

from project88.scoring.model import Runner, Sex
from project88.scoring.results import Timing

# (rank time in microseconds, finish instant, bib order..., bib): the whole ordering
# in one tuple, so sorting and bisecting agree, and the bib is always key[-1]. The
# time is an int because comparing timedeltas is several times slower than ints.
Key = tuple[int, datetime, int, int, str]
Group = tuple[str, str]  # ("overall", ""), ("sex", "F"), ("division", "F 40-44")
Places = tuple[int | None, int | None, int | None]  # overall, sex, division
UNPLACED: Places = (None, None, None)
OVERALL: Group = ("overall", "")
_SLOT = {"overall": 0, "sex": 1, "division": 2}


def bib_order(bib: str) -> tuple[int, int, str]:
    """Numeric bibs by number ("9" before "10"), then the others as text."""
    if bib.isascii() and bib.isdigit():
        return 0, int(bib), bib
    return 1, 0, bib


def rank_key(runner: Runner, timing: Timing) -> Key | None:
    elapsed = timing.rank_time
    if elapsed is None or timing.finish is None:
        return None
    micros = (elapsed.days * 86_400 + elapsed.seconds) * 1_000_000 + elapsed.microseconds
    return (micros, timing.finish, *bib_order(runner.bib))


_SEX_GROUPS: dict[Sex, tuple[Group, ...]] = {
    sex: () if sex is Sex.UNKNOWN else (("sex", sex.value),) for sex in Sex
}


def groups_of(runner: Runner) -> tuple[Group, ...]:
    if runner.division is None:
        return (OVERALL, *_SEX_GROUPS[runner.sex])
    return (OVERALL, *_SEX_GROUPS[runner.sex], ("division", runner.division))


def place_all(entries: Iterable[tuple[Runner, Timing]]) -> dict[str, Places]:
    """Places of every placed runner (bib -> places); a bib not in it is UNPLACED."""
    ranked = []
    for runner, timing in entries:
        key = rank_key(runner, timing)
        if key is not None:
            ranked.append((key, groups_of(runner)))
    ranked.sort()  # keys are unique (they end in the bib), so groups never compare
    # Walking the overall order hands each group its runners already in order.
    counts: dict[Group, int] = {}
    places: dict[str, Places] = {}
    for key, groups in ranked:
        got: list[int | None] = [None, None, None]
        for group in groups:
            place = counts[group] = counts.get(group, 0) + 1
            got[_SLOT[group[0]]] = place
        places[key[-1]] = (got[0], got[1], got[2])
    return places


Entry = tuple[Key, tuple[Group, ...]]


class Standings:
    """The sorted groups, kept up to date one runner at a time.

    ``update`` returns the bibs whose place in some group may have moved: when
    a runner moves from position i to j, exactly the runners between i and j
    shift by one; when a runner enters or leaves a group, everyone behind them.
    Above ``rebuild_above`` changes in one update, re-sorting everything is
    cheaper than shifting lists one runner at a time (an initial load, a gun
    change for a whole wave), and every placed bib is returned.
    """

    def __init__(self, rebuild_above: int = 64) -> None:
        self._rebuild_above = rebuild_above
        self._entries: dict[str, Entry] = {}
        self._lists: dict[Group, list[Key]] = {}

    def places(self, bib: str) -> Places:
        entry = self._entries.get(bib)
        if entry is None:
            return UNPLACED
        key, groups = entry
        places: list[int | None] = [None, None, None]
        for group in groups:
            places[_SLOT[group[0]]] = bisect_left(self._lists[group], key) + 1
        return places[0], places[1], places[2]

    def update(self, changes: Mapping[str, Entry | None]) -> set[str]:
        """Apply bib -> new entry (None: no longer placed); the bibs that may have moved."""
        changes = {bib: new for bib, new in changes.items() if self._entries.get(bib) != new}
        if len(changes) > self._rebuild_above:
            return self._rebuild(changes)
        moved: set[str] = set()
        for bib, new in changes.items():
            old = self._entries.pop(bib, None)
            if new is not None:
                self._entries[bib] = new
            self._move(old, new, moved)
        return moved

    def _move(self, old: Entry | None, new: Entry | None, moved: set[str]) -> None:
        old_groups = old[1] if old else ()
        new_groups = new[1] if new else ()
        for group in dict.fromkeys(old_groups + new_groups):
            keys = self._lists.setdefault(group, [])
            low: int | None = None
            high = len(keys)
            if old is not None and group in old_groups:
                low = bisect_left(keys, old[0])
                del keys[low]
                high = len(keys)
            if new is not None and group in new_groups:
                at = bisect_left(keys, new[0])
                keys.insert(at, new[0])
                if low is None:
                    low, high = at, len(keys)
                else:
                    low, high = min(low, at), max(low, at) + 1
            assert low is not None
            moved.update(key[-1] for key in keys[low:high])
            if not keys:
                del self._lists[group]

    def _rebuild(self, changes: Mapping[str, Entry | None]) -> set[str]:
        moved = set(self._entries)
        for bib, new in changes.items():
            if new is None:
                self._entries.pop(bib, None)
            else:
                self._entries[bib] = new
        moved.update(self._entries)
        lists: dict[Group, list[Key]] = {}
        for key, groups in self._entries.values():
            for group in groups:
                lists.setdefault(group, []).append(key)
        for keys in lists.values():
            keys.sort()
        self._lists = lists
        return moved
