"""Which runner a tag read belongs to.

A runner is read by their tags (``Runner.read_as``: the bib when they have
none). A tag claimed by one runner is theirs; a tag claimed by two or more is
shared, and its reads belong to nobody: a read cannot say which of them
crossed, and giving it to either could hand one runner the other's finish.
The roster import refuses such rosters, but the scoring core does not trust
its input to have been through it. A tag claimed by nobody is unknown.
"""

from __future__ import annotations

from collections.abc import Iterable

from project88.scoring.model import Runner
from project88.scoring.places import bib_order


class Claims:
    """tag -> the bibs claiming it; kept up to date as roster entries come and go."""

    def __init__(self, runners: Iterable[Runner] = ()) -> None:
        self._by_tag: dict[str, set[str]] = {}
        for runner in runners:
            self.add(runner)

    def owner(self, tag: str) -> str | None:
        """The one bib a read of ``tag`` belongs to; None for unknown and shared tags."""
        bibs = self._by_tag.get(tag)
        if bibs is None or len(bibs) != 1:
            return None
        return next(iter(bibs))

    def add(self, runner: Runner) -> None:
        for tag in runner.read_as:
            self._by_tag.setdefault(tag, set()).add(runner.bib)

    def remove(self, runner: Runner) -> None:
        for tag in runner.read_as:
            bibs = self._by_tag.get(tag)
            if bibs is not None:
                bibs.discard(runner.bib)
                if not bibs:
                    del self._by_tag[tag]

    def attached(self, runner: Runner) -> list[str]:
        """The runner's tags whose reads are theirs (not shared with another runner)."""
        return [tag for tag in runner.read_as if self.owner(tag) == runner.bib]

    def shared(self) -> dict[str, tuple[str, ...]]:
        return {
            tag: tuple(sorted(bibs, key=bib_order))
            for tag, bibs in self._by_tag.items()
            if len(bibs) > 1
        }
