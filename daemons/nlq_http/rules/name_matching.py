"""Fuzzy matching of vocabulary names (rapidfuzz), for names.py: an index of each
vocabulary's names by their identifying words, and the candidate matches a question's
words make, longest and closest first."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from .words import KEYWORDS, STOPWORDS, Token, adjacent, lower, normalise, tokens

FUZZ_TOKEN_CUTOFF = 80.0  # one typo in a 5-letter word still passes ("bostn" ~ "boston": 91)
MAX_CANDIDATES_PER_TOKEN = 20


@dataclass(frozen=True)
class _VocabName:
    name: str
    tokens: tuple[str, ...]
    core: frozenset[int]  # positions of the identifying (non-generic) tokens


@dataclass(frozen=True)
class _NameIndex:
    entries: tuple[_VocabName, ...]
    by_core: dict[str, tuple[int, ...]]  # core token -> entries holding it
    core_by_length: dict[int, tuple[str, ...]]  # core tokens of length n +/- 2


# Words that say a distance, not which event: never enough to name one
_DISTANCE_WORDS = frozenset(
    {"marathon", "half", "ultra", "ultramarathon", "mile", "miles", "miler", "k", "km", "run",
     "race", "relay", "walk", "fun", "dash"}
)  # fmt: skip


@functools.lru_cache(maxsize=16)
def _name_index(
    names: tuple[str, ...], generic: frozenset[str], prefixes: frozenset[str] = frozenset()
) -> _NameIndex:
    """Built once per vocabulary (the vocabulary is an immutable tuple, so it can key a cache)."""
    entries: list[_VocabName] = []
    by_core: dict[str, list[int]] = {}
    for name in dict.fromkeys(n for n in names if n and n.strip()):
        words = tuple(t.text for t in tokens(lower(normalise(name)[0])))
        if not words:
            continue
        # Stop words ("for", "the") never identify a name: "… for the Chicago Marathon"
        # must not read as three words of "Chicago Run for the Library".
        core = frozenset(
            i
            for i, t in enumerate(words)
            if t not in generic and t not in STOPWORDS and not t.isdigit()
        )
        if not core:
            # every word generic ("Big River Fall Trail Series"): the words after the
            # partner's prefix identify it ("the fall trail series")
            core = frozenset(
                i
                for i, t in enumerate(words)
                if t not in prefixes
                and t not in STOPWORDS
                and t not in _DISTANCE_WORDS
                and not any(c.isdigit() for c in t)
            )
            if len(core) < 2:  # "Big River Marathon": "the marathon" is no name of it
                core = frozenset(range(len(words)))
        entries.append(_VocabName(name, words, core))
        for i in core:
            by_core.setdefault(words[i], []).append(len(entries) - 1)
    lengths: dict[int, set[str]] = {}
    for token in by_core:
        for n in range(len(token) - 2, len(token) + 3):
            lengths.setdefault(n, set()).add(token)
    return _NameIndex(
        tuple(entries),
        {k: tuple(v) for k, v in by_core.items()},
        {n: tuple(sorted(v)) for n, v in lengths.items()},
    )


def _token_similarity(said: str, known: str) -> float:
    if said == known:
        return 100.0
    if len(said) < 4 or len(known) < 4 or not said.isalpha():
        return 0.0
    score = fuzz.ratio(said, known)
    return score if score >= FUZZ_TOKEN_CUTOFF else 0.0


@dataclass(frozen=True)
class _Candidate:
    kind: str  # "event" | "partner"
    name: str
    first: int  # token indexes, inclusive
    last: int
    matched: int  # name tokens found in the question
    missing: int  # name tokens not said ("Boston" for "Boston Marathon": 1)
    score: float  # 0-100: similarity of what was said, times the share of core tokens said
    core: frozenset[str]  # the name's identifying words

    @property
    def rank(self) -> tuple[int, int, float]:
        return (-self.matched, self.missing, -round(self.score))


def _window(
    kind: str, entry: _VocabName, toks: list[Token], work: str, anchor: int
) -> _Candidate | None:
    """Grow a match around one anchor token while neighbouring words belong to the name."""
    used: dict[int, float] = {}

    def match(word: str) -> bool:
        best_at, best = -1, 0.0
        for pos, known in enumerate(entry.tokens):
            if pos not in used:
                sim = _token_similarity(word, known)
                if sim > best:
                    best_at, best = pos, sim
        if best_at < 0:
            return False
        used[best_at] = best
        return True

    if not match(toks[anchor].text):
        return None
    first = last = anchor
    while last + 1 < len(toks) and adjacent(work, toks[last], toks[last + 1]):
        if not match(toks[last + 1].text):
            break
        last += 1
    while first > 0 and adjacent(work, toks[first - 1], toks[first]):
        if not match(toks[first - 1].text):
            break
        first -= 1
    core_said = sum(1 for pos in used if pos in entry.core)
    core_all = len(entry.core)
    if core_said < core_all and (core_all < 3 or 3 * core_said < 2 * core_all):
        return None
    if core_said == 0:
        return None
    similarity = sum(used.values()) / len(used)
    return _Candidate(
        kind,
        entry.name,
        first,
        last,
        len(used),
        len(entry.tokens) - len(used),
        similarity * core_said / core_all,
        frozenset(entry.tokens[i] for i in entry.core),
    )


def _candidates(
    kind: str, index: _NameIndex, toks: list[Token], work: str, budget: list[int]
) -> list[_Candidate]:
    found: set[_Candidate] = set()
    fuzzy_cache: dict[str, tuple[int, ...]] = {}
    for i, tok in enumerate(toks):
        word = tok.text
        if word in KEYWORDS or word.isdigit():
            continue
        ids = index.by_core.get(word, ())
        if not ids and len(word) >= 4 and word.isalpha():
            if word not in fuzzy_cache and budget[0] > 0:
                budget[0] -= 1
                choices = index.core_by_length.get(len(word), ())
                hits = process.extract(
                    word, choices, scorer=fuzz.ratio, score_cutoff=FUZZ_TOKEN_CUTOFF, limit=5
                )
                fuzzy_cache[word] = tuple(
                    eid for hit in hits for eid in index.by_core.get(hit[0], ())
                )
            ids = fuzzy_cache.get(word, ())
        for eid in ids[:MAX_CANDIDATES_PER_TOKEN]:
            candidate = _window(kind, index.entries[eid], toks, work, i)
            if candidate is not None:
                found.add(candidate)
    return sorted(found, key=lambda c: (c.rank, c.first, c.name))
