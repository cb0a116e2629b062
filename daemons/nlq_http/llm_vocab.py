"""The names a model's answer may use: the database's own event and partner lists.

The engine passes whatever vocabulary object it has (anything with
``event_names`` and ``partner_names``; a mapping with those keys also works);
``as_vocabulary`` freezes it into a de-duplicated ``Vocabulary``. ``closest_names``
picks the names worth showing a model for one question, and ``name_key`` is the
spelling-blind key a model's respelling is matched to the canonical name by.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz import fuzz, process, utils


class VocabularyLike(Protocol):
    """What the planner needs to know of the database: canonical names."""

    @property
    def event_names(self) -> Iterable[str]: ...

    @property
    def partner_names(self) -> Iterable[str]: ...


@dataclass(frozen=True)
class Vocabulary:
    event_names: tuple[str, ...] = ()
    partner_names: tuple[str, ...] = ()


VocabularySource = VocabularyLike | Mapping[str, Iterable[str]]


def as_vocabulary(source: VocabularySource | None) -> Vocabulary:
    if source is None:
        return Vocabulary()
    if isinstance(source, Vocabulary):
        return source
    if isinstance(source, Mapping):
        events = source.get("event_names", ())
        partners = source.get("partner_names", ())
    else:
        events, partners = source.event_names, source.partner_names
    return Vocabulary(
        tuple(dict.fromkeys(n for n in events if n)),
        tuple(dict.fromkeys(n for n in partners if n)),
    )


def name_key(name: str) -> str:
    """Case, spacing and punctuation do not tell two names apart."""
    folded = re.sub(r"['\u2019]", "", name.casefold())  # St Patricks = St. Patrick's
    return " ".join(re.sub(r"[\W_]+", " ", folded).split())


def closest_names(question: str, names: Iterable[str], limit: int) -> list[str]:
    """The ``limit`` names closest to the question (all of them if there are fewer)."""
    names = list(names)
    if len(names) <= limit:
        return names
    ranked = process.extract(
        question, names, scorer=fuzz.partial_ratio, processor=utils.default_process, limit=limit
    )
    return [name for name, _score, _index in ranked]
