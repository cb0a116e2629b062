"""The rules parser: one English question -> one semantic query, or a reason it cannot be.

Pure: no I/O, no database, no clock. The caller hands over the vocabulary (the
names the database knows), ``today`` and, in a conversation, the previous
question's query; the same inputs give the same reading.

Pipeline: the question is normalised (``words``), then a fixed sequence of small
extractors runs over a lower-cased working copy, each taking the characters it
understood (``scan``): refusals first (writes, SQL, instructions), then Boston
qualifying and providers, places, names, runners, statuses, splits, money,
dates, distances, times, percentiles, order, groupings, ages, sex, surnames and
subject words. ``resolve`` builds the query over the semantic model.

Accounting: every word that is not a stop word must have been explained by
some extractor. When one is not, the rules do not answer (confidence below any
threshold): the model is asked, or the service refuses naming the words it
could not use. A reading is only as sure as its guesses (fuzzy names, a bare
number read as hours), each lowering the confidence.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from ..query import SemanticQuery
from . import (
    ages,
    amounts,
    bq,
    comparisons,
    contents,
    contrast,
    date_ranges,
    dates,
    definitions,
    groups,
    having,
    holidays,
    hostile,
    names,
    order,
    people,
    phrases,
    places,
    rates,
    shown,
    splits,
    statuses,
    weather,
)
from .followup import extract_year_shift, is_follow_up, leans_back, merge, refuse_each_alone
from .resolve import Unanswerable, build
from .scan import Refusal, Scan, Vocabulary
from .words import (
    DISCARDED,
    EXPLAINED,
    LEXICON,
    MAX_SCAN_CHARS,
    NEVER_CORRECTED,
    STOPWORDS,
    expand_shorthand,
    normalise,
    safe_word,
    tokens,
)

__all__ = ["MAX_SCAN_CHARS", "Reading", "Refusal", "Vocabulary", "parse"]

UNKNOWN_CAP = 0.5  # a question with a word nobody explained scores at most this
P_CORRECTED = 0.95  # a typo corrected to a word of the grammar

EXTRACTORS: tuple[Callable[[Scan], None], ...] = (
    hostile.extract_hostile,
    definitions.extract_definitions,  # "what is a BQ": a word's meaning, not the data
    splits.extract_gun_chip_gap,  # before contrasts and comparisons: "gap between gun and chip"
    contrast.extract_contrasts,  # "the median, not the average": the average is not asked
    rates.extract_rates,  # before statuses and qualifying: "DNF rate", "bq percentage"
    bq.extract_boston,
    bq.extract_providers,
    statuses.extract_statuses,  # before names: "did not start" is no runner called Not Start
    places.extract_places,
    names.extract_names,
    date_ranges.extract_date_ranges,  # before holidays: "from Christmas to the end of January"
    holidays.extract_holidays,  # before people and dates: "Mother's Day 2026" is a day
    people.extract_person,
    splits.extract_splits,
    weather.extract_weather,  # before amounts: "20 km/h" is a wind, "15 degrees" no age
    having.extract_having,  # before times: "more than 10 finishers" is a count
    amounts.extract_gap_to_winner,  # before times: "within 10 minutes of the winner"
    amounts.extract_fees,
    extract_year_shift,  # before dates: "the year before" is counted from the last question
    dates.extract_dates,
    comparisons.extract_comparisons,  # after dates: "than 2023" is a year compared
    amounts.extract_distance,
    contents.extract_contents,  # after distances: "events without a half" is of events
    amounts.extract_times,
    phrases.extract_percentiles,
    order.extract_order,
    groups.extract_groups,
    ages.extract_ages,
    ages.extract_sex,
    shown.extract_shown,  # after groups and ages: 'by city and state', 'with age over 60'
    people.extract_surname,
    phrases.extract_keywords,
)
_SUBJECTS = frozenset(
    {
        "results", "entrants", "events", "fee", "weather", "standards", "revenue",
        "registrations", "splits", "live", "boston_qualifier", "races_of", "when", "where",
        "pace", "gun_time", "count", "average", "median", "stats", "distribution", "compare",
        "sessions", "fastest_time", "slowest_time", "gun_chip_gap",
        "largest_gun_chip_gap", "iqr", "gun_and_chip",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Reading:
    """What the rules made of a question."""

    query: SemanticQuery | None
    confidence: float
    unknown: tuple[str, ...] = ()  # words nobody explained
    refusal: Refusal | None = None
    notes: tuple[str, ...] = ()
    follow_up: bool = False
    leans_back: bool = False  # it reads as a follow-up, whether or not there was a question before
    entities: dict[str, object] = field(default_factory=dict)
    partner: str | None = None  # the timing partner the question named, even when refused


def parse(
    question: str, vocab: Vocabulary, today: dt.date, previous: SemanticQuery | None = None
) -> Reading:
    """Understand one question. Never raises on any text.

    A first reading that leaves words unexplained is tried once more with those words
    corrected to the nearest word of the grammar ("runers" -> "runners"), each
    correction noted and costing a little confidence; the better reading wins.
    """
    text = expand_shorthand(question if isinstance(question, str) else "")
    first = _read(text, vocab, today, previous)
    if not first.unknown or first.refusal is not None:
        return first
    corrected, fixes = _corrected(text, first.unknown, vocab)
    if not fixes:
        return first
    second = _read(corrected, vocab, today, previous, fixes)
    if second.refusal is None and len(second.unknown) < len(first.unknown):
        return second
    return first


def _corrected(text: str, unknown: tuple[str, ...], vocab: Vocabulary) -> tuple[str, list[str]]:
    lexicon = _lexicon(vocab)
    fixes: list[str] = []
    for word in unknown:
        low = word.lower()
        if len(low) < 3 or not low.isalpha() or low in NEVER_CORRECTED:
            continue
        cutoff = 88 if len(low) <= 5 else 80
        hit = None
        if len(low) >= 4:  # a three-letter word is only ever read as its letters swapped
            hit = process.extractOne(low, lexicon, scorer=fuzz.ratio, score_cutoff=cutoff)
        found = hit[0] if hit is not None else _transposed(low, frozenset(lexicon))
        if found is None:
            continue
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", found, text)
        fixes.append(f"read '{word}' as '{found}'")
    return text, fixes


def _transposed(word: str, lexicon: frozenset[str]) -> str | None:
    """ "mnay" -> "many": two neighbouring letters swapped, the commonest typo, which a plain
    edit ratio scores as two edits."""
    found = {
        swapped
        for i in range(len(word) - 1)
        if (swapped := word[:i] + word[i + 1] + word[i] + word[i + 2 :]) != word
        and swapped in lexicon
    }
    return found.pop() if len(found) == 1 else None  # "hwo": who or how? not a guess


@functools.lru_cache(maxsize=8)
def _lexicon(vocab: Vocabulary) -> tuple[str, ...]:
    words = set(LEXICON)
    for name in (*vocab.event_names, *vocab.partner_names):
        words.update(t for t in re.findall(r"[^\W\d_]{4,}", name.lower()))
    return tuple(sorted(words))


def _read(
    question: str,
    vocab: Vocabulary,
    today: dt.date,
    previous: SemanticQuery | None,
    fixes: list[str] | None = None,
) -> Reading:
    text, truncated = normalise(question)
    scan = Scan(text, vocab, today)
    for fix in fixes or ():
        scan.note(fix, P_CORRECTED)
    if truncated:
        scan.note(f"read only the first {MAX_SCAN_CHARS} characters", 0.5)
    for extract in EXTRACTORS:
        extract(scan)
    names.extract_unknown_events(scan)
    unknown = _unknown_words(scan)
    named = scan.slots.get("partner")
    if scan.refusals:
        first = sorted(scan.refusals, key=lambda r: r.status != 403)[0]
        return Reading(None, 0.0, unknown, first, tuple(scan.notes), partner=named)
    follow = previous is not None and is_follow_up(scan)
    try:
        query = build(scan, previous if follow else None)
        if follow and previous is not None:
            query = merge(previous, query, scan)
        else:
            refuse_each_alone(query, scan)
    except Unanswerable as exc:
        refusal = Refusal(422, str(exc), "unsupported")
        return Reading(None, 0.0, unknown, refusal, tuple(scan.notes), partner=named)
    confidence = _confidence(scan, unknown, follow)
    return Reading(
        query,
        confidence,
        unknown,
        None,
        tuple(scan.notes),
        follow,
        follow or leans_back(scan),
        _entities(query),
        named,
    )


def _unknown_words(scan: Scan) -> tuple[str, ...]:
    unknown: list[str] = []
    for tok in tokens(scan.low):
        states = scan.state[tok.start : tok.end]
        if DISCARDED in states or tok.text in STOPWORDS or EXPLAINED in states:
            continue
        word = safe_word(scan.text[tok.start : tok.end])
        if word and word not in unknown:
            unknown.append(word)
    return tuple(unknown)


def _confidence(scan: Scan, unknown: tuple[str, ...], follow: bool) -> float:
    substance = bool(
        scan.filters
        or scan.events
        or scan.years
        or scan.group_by
        or scan.sexes
        or scan.slots
        or scan.flags & _SUBJECTS
    )
    if not substance and not follow:
        return 0.0
    value = math.prod(scan.penalties)
    if unknown:
        shown = ", ".join(unknown[:8]) + (
            f" and {len(unknown) - 8} more" if len(unknown) > 8 else ""
        )
        scan.note(f"not understood: {shown}")
        value = min(value, UNKNOWN_CAP)
    return round(max(0.0, min(1.0, value)), 3)


def _entities(query: SemanticQuery) -> dict[str, object]:
    """What was recognised, JSON-friendly, for the answer (and the UI's highlighting)."""
    out: dict[str, object] = {"entity": query.entity}
    for f in query.filters:
        value = f.value
        shown = [str(v) for v in value] if isinstance(value, tuple) else str(value)
        out.setdefault("filters", []).append({"field": f.field, "op": f.op.value, "value": shown})  # type: ignore[union-attr]
    if query.group_by:
        out["group_by"] = list(query.group_by)
    if query.measures:
        out["measures"] = [m.name for m in query.measures]
    return out
