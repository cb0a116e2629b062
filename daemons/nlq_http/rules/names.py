"""Names: events and timing partners from the vocabulary (rapidfuzz), and runners.

Only vocabulary names ever become event or partner filters. A runner's name
must look like a name (letters, apostrophe, hyphen; two words at most) and is a
bound parameter downstream; a surname alone is recognised only when the data
has that surname (``Vocabulary.last_names``), also in plural ("the Smiths") and
possessive ("Wardian's") forms.
"""

from __future__ import annotations

import functools
import itertools
import re

from rapidfuzz import fuzz, process

from ..query import Op
from .amounts import distance_in
from .name_matching import _Candidate, _candidates, _name_index
from .scan import Scan
from .words import (
    EVENT_GENERIC,
    GAP,
    KEYWORDS,
    PARTNER_GENERIC,
    STOPWORDS,
    UNSEEN,
    Token,
    adjacent,
    lower,
    normalise,
    safe_word,
    tokens,
)

MAX_EVENTS = 10
FUZZ_SURE = 90.0  # below this a fuzzy name match is a guess
MAX_FUZZY_TOKENS = 40  # fuzzy look-ups per question: keeps long inputs fast
P_AMBIGUOUS_NAME = 0.5
P_UNCUED_PERSON = 0.8
P_LOWERCASE_PERSON = 0.9


def extract_names(scan: Scan) -> None:
    """Events and partners from the vocabulary, longest and closest match first."""
    toks = tokens(scan.work)
    _our_event(scan, toks)
    toks = tokens(scan.work)
    budget = [MAX_FUZZY_TOKENS]
    # Words of partners' names are generic in event names: "our Turkey Trot" is the
    # Big River Turkey Trot of the Big River partner, said without its prefix.
    prefixes = _partner_words(scan.vocab.partner_names)
    events = _name_index(scan.vocab.event_names, EVENT_GENERIC | prefixes, prefixes)
    candidates = _candidates(
        "partner", _name_index(scan.vocab.partner_names, PARTNER_GENERIC), toks, scan.work, budget
    ) + _candidates("event", events, toks, scan.work, budget)
    # A partner's name beats an event whose name contains it ("Big River" is the partner
    # Big River Race Management, not one of the Big River events): "partner" sorts first.
    candidates.sort(key=lambda c: (-c.matched, c.kind != "partner", c.rank, c.first, c.name))
    covering: dict[int, list[_Candidate]] = {}
    for c in candidates:
        for i in range(c.first, c.last + 1):
            covering.setdefault(i, []).append(c)
    taken: set[int] = set()
    chosen: list[_Candidate] = []
    for c in candidates:
        span = range(c.first, c.last + 1)
        if any(i in taken for i in span):
            continue
        taken.update(span)
        start, end = toks[c.first].start, toks[c.last].end
        said = " ".join(t.text for t in toks[c.first : c.last + 1])
        rivals = sorted(
            {
                d.name
                for i in span
                for d in covering[i]
                if d.name != c.name and d.rank == c.rank and d.kind == c.kind
            }
        )
        scan.take(start, end)
        if rivals:
            options = ", ".join([c.name, *rivals][:4])
            scan.refuse(
                422,
                f"'{safe_word(said)}' could be several {c.kind}s ({options}): say which",
                "ambiguous",
            )
            continue
        chosen.append(c)
        if c.score < FUZZ_SURE:
            scan.note(
                f"read '{safe_word(said)}' as {c.name} (match {c.score:.0f}/100)", c.score / 100
            )
        elif c.missing:
            scan.note(f"read '{safe_word(said)}' as {c.name}")
    chosen.sort(key=lambda c: c.first)
    for left, right in itertools.pairwise(chosen):
        if left.kind == right.kind == "event" and _adjacent_tokens(scan, toks, left, right):
            # One phrase read as two events ("Hartfort City Marathon"): a guess, not a list.
            said = " ".join(t.text for t in toks[left.first : right.last + 1])
            scan.refuse(
                422,
                f"no event called '{safe_word(said)}'; did you mean {left.name} or {right.name}?",
                "unknown_event",
            )
            return
    for c in chosen:
        if c.kind == "partner" and c.missing and _named_like_an_event(scan, toks, c):
            return
        if c.kind == "partner":
            if len(c.name) <= 120:
                scan.set("partner", c.name)
        elif _excluded(scan, toks[c.first].start):
            scan.add("event", Op.NE, c.name)
            scan.note(f"every event but {c.name}")
        elif c.name not in scan.events:
            if len(scan.events) < MAX_EVENTS:
                scan.events.append(c.name)
                if c.missing:
                    scan.short_names[c.name] = c.core
            else:
                scan.note(f"kept the first {MAX_EVENTS} events", 0.5)


# "leaving out the Boston Marathon", "excluding Chicago": every event but that one
_EXCLUDING = re.compile(
    r"\b(?:excluding|except(?:\s+for)?|other\s+than|apart\s+from|besides|leaving\s+out"
    r"|leave\s+out|not\s+counting|not\s+including|without|but\s+not|outside\s+of)"
    r"\s+(?:the\s+|our\s+)?$"
)


def _excluded(scan: Scan, start: int) -> bool:
    cue = _EXCLUDING.search(scan.work, max(0, start - 24), start)
    if cue is None:
        return False
    scan.take(cue.start(), cue.end())
    return True


def _adjacent_tokens(scan: Scan, toks: list[Token], left: _Candidate, right: _Candidate) -> bool:
    return right.first == left.last + 1 and adjacent(scan.low, toks[left.last], toks[right.first])


@functools.lru_cache(maxsize=16)
@functools.lru_cache(maxsize=16)
def _names_without_prefix(
    events: tuple[str, ...], partners: tuple[str, ...]
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Each event's words less its partner's ("Big River Half Marathon" -> half marathon)."""
    prefix = _partner_words(partners)
    out: dict[tuple[str, ...], list[str]] = {}
    for name in dict.fromkeys(events):
        words = [t.text for t in tokens(lower(normalise(name)[0]))]
        rest = tuple(w for w in words if w not in prefix and w not in STOPWORDS)
        if rest and len(rest) < len(words):
            out.setdefault(rest, []).append(name)
    return {rest: tuple(names) for rest, names in out.items()}


def _our_event(scan: Scan, toks: list[Token]) -> None:
    """ "our half marathon": the caller's one event named so once its prefix is left off."""
    by_rest = _names_without_prefix(scan.vocab.event_names, scan.vocab.partner_names)
    for i, tok in enumerate(toks[:-1]):
        if tok.text not in ("our", "my"):
            continue
        for k in range(min(4, len(toks) - i - 1), 0, -1):
            said = toks[i + 1 : i + 1 + k]
            if any(not adjacent(scan.work, a, b) for a, b in itertools.pairwise([tok, *said])):
                continue
            names = by_rest.get(tuple(t.text for t in said), ())
            if len(names) == 1 and len(scan.events) < MAX_EVENTS:
                scan.take(said[0].start, said[-1].end)
                scan.events.append(names[0])
                words = " ".join(t.text for t in said)
                scan.note(f"read 'our {safe_word(words)}' as {names[0]}")
                break


# Words that end an event's name ("the Big River Ultra 50 Mile", "the Big River 5K").
_EVENT_TAIL = (EVENT_GENERIC - {"the", "a", "of", "and", "st", "saint"}) | {
    "ultra", "ultramarathon", "trot", "relay", "dash", "fun", "jog", "walk", "triathlon",
}  # fmt: skip


def _named_like_an_event(scan: Scan, toks: list[Token], c: _Candidate) -> bool:
    """ "the big river ultra 50 mile": part of a partner's name, after "the" or before
    several of an event's words, names an event; there is none by that name (it would have
    matched), so it is refused as unknown rather than read as the partner's races of that
    distance."""
    after = c.last + 1
    if after >= len(toks):
        return False
    if toks[after].text not in _EVENT_TAIL or not adjacent(scan.work, toks[c.last], toks[after]):
        return False
    end = after
    while end + 1 < len(toks) and end - after < 4 and adjacent(scan.work, toks[end], toks[end + 1]):
        if toks[end + 1].text not in _EVENT_TAIL and not toks[end + 1].text.isdigit():
            break
        end += 1
    # Without "the" one distance word may be the partner's races of it ("big river 5k
    # results"); a longer tail is a name ("results big river ultra 100 miler").
    if (c.first == 0 or toks[c.first - 1].text != "the") and end == after:
        return False
    said = safe_word(scan.text[toks[c.first].start : toks[end].end])
    scan.refuse(422, f"no event called '{said}'{_close_matches(scan, said)}", "unknown_event")
    return True


def _partner_words(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(t.text for name in names for t in tokens(lower(normalise(name)[0])))


def extract_unknown_events(scan: Scan) -> None:
    """Unexplained words just before "Marathon"/"5K" ("the Big Sur Marathon") name an event the
    data does not have: refused, with the closest names that do exist."""
    toks = tokens(scan.low)
    starts = {t.start: i for i, t in enumerate(toks)}
    for start, end in scan.distance_spans:
        i = starts.get(start)
        if i is None:
            continue
        words: list[str] = []
        j = i - 1
        while j >= 0 and len(words) < 4 and _joined(scan, toks, j):
            tok = toks[j]
            if scan.state[tok.start] != UNSEEN or tok.text in KEYWORDS or not tok.text.isalpha():
                break
            words.insert(0, scan.text[tok.start : tok.end])
            j -= 1
        if words:
            said = safe_word(" ".join([*words, scan.text[start:end]]))
            close = _close_matches(scan, said)
            scan.refuse(422, f"no event called '{said}'{close}", "unknown_event")


def _joined(scan: Scan, toks: list[Token], j: int) -> bool:
    return GAP.fullmatch(scan.text, toks[j].end, toks[j + 1].start) is not None


def _close_matches(scan: Scan, said: str) -> str:
    hits = process.extract(
        said, scan.vocab.event_names, scorer=fuzz.WRatio, score_cutoff=60, limit=3
    )
    names = [hit[0] for hit in hits]
    return f"; close matches: {', '.join(names)}" if names else ""


def prefer_sibling_for_distance(scan: Scan) -> None:
    """ "the half marathon at Shamrock": "Shamrock" alone picked the Shamrock Marathon, but
    the distance said picks its one sibling of that distance, the Shamrock Half Marathon."""
    kms = scan.slots.get("distances") or []
    if len(kms) != 1:
        return
    for i, name in enumerate(scan.events):
        core = scan.short_names.get(name)
        if core is None or distance_in(name) in (None, kms[0]):
            continue
        siblings = {
            other
            for other in scan.vocab.event_names
            if other not in scan.events and core <= _words(other) and distance_in(other) == kms[0]
        }
        if len(siblings) == 1:
            scan.events[i] = siblings.pop()
            scan.note(f"read {scan.events[i]} for the {kms[0]:g} km said")


def _words(name: str) -> set[str]:
    return {t.text for t in tokens(lower(name))}
