"""Runners' names: two name-like words with a cue, capitalised pairs, possessives, surnames.

A name must look like one (letters, apostrophe, hyphen; two words at most) and
is a bound parameter downstream. A surname alone is recognised only when the
data has it (``Vocabulary.last_names``), also as a plural ("the Smiths") or a
possessive ("Wardian's").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from .scan import Scan
from .words import KEYWORDS, LEXICON, STOPWORDS, UNSEEN, tokens, word_set

_EVENT_AFTER = re.compile(
    r"\s*(?:marathon|half|ultra|\d{1,3}\s?-?\s?(?:k|km|mile|miler)s?\b|fun\s+run|road\s+race"
    r"|trail\s+(?:run|race)|relay|triathlon|classic|series|challenge|dash|trot|hustle|festival)"
)
P_UNCUED_PERSON = 0.8
P_LOWERCASE_PERSON = 0.9

# ---------------------------------------------------------------------------------------------
# 5. People
# ---------------------------------------------------------------------------------------------

_LOWER = r"a-z\u00df-\u00ff\u0100-\u017f"  # lower-case letters with accents ("renée", "ødegaard")
_UPPER = r"A-Z\u00c0-\u00de\u0100-\u017f"
_NAME_WORD = rf"[{_LOWER}][{_LOWER}\-]{{0,29}}(?:'[{_LOWER}]{{2,}}[{_LOWER}\-]{{0,20}})?"
_POSSESSIVE = re.compile(rf"\b(?P<first>{_NAME_WORD})\s+(?P<last>{_NAME_WORD})'s\b")
_CUED = re.compile(
    r"\b(?:for|of|did|does|has|have|had|by|about|find|look\s?up|runner|athlete|named|called|"
    r"is|was)\s+"
    rf"(?P<first>{_NAME_WORD})\s+(?P<last>{_NAME_WORD})\b"
)
_BEFORE_RESULT = re.compile(
    rf"\b(?P<first>{_NAME_WORD})\s+(?P<last>{_NAME_WORD})\s+"
    r"(?=(?:pr|pb|prs|pbs|personal|results?|times?|races?|splits?|best)\b)"
)
_CAP_WORD = (
    rf"[{_UPPER}][{_LOWER}]{{0,2}}(?:[{_UPPER}][{_LOWER}]+)?[{_LOWER}]{{0,27}}"
    rf"(?:'[{_UPPER}]?[{_LOWER}]{{2,20}})?(?:-[{_UPPER}][{_LOWER}]{{1,20}})?"
)
_CAPITALISED = re.compile(rf"\b(?P<first>{_CAP_WORD})\s+(?P<last>{_CAP_WORD})\b(?:'s\b)?")
_CAP_POSSESSIVE = re.compile(rf"\b(?P<last>{_CAP_WORD})'s\b")


def _name_case(word: str) -> str:
    """ "o'brien" -> "O'Brien"; words already capitalised are kept as written."""
    if word != word.lower():
        return word
    return re.sub(r"(^|[-'])([a-z])", lambda m: m[1] + m[2].upper(), word)


def _name_like(word: str) -> bool:
    return 2 <= len(word) <= 30 and word.lower() not in KEYWORDS and not word.isdigit()


_NEXT_WORD = re.compile(r"[ \t]{1,10}([A-Za-z][A-Za-z'\-]{0,40})")
_PREVIOUS_WORD = re.compile(r"([A-Za-z][A-Za-z'\-]*)[ \t]+$")


def _third_word(scan: Scan, end: int, *, capitalised: bool) -> bool:
    """True when another name-like word follows: "purple monkey dishwasher" is no person."""
    match = _NEXT_WORD.match(scan.cased, end)
    if match is None or not _name_like(match[1]):
        return False
    return match[1][0].isupper() if capitalised else True


_STRONG_CUE = re.compile(r"(?:find|look\s?up|runner|athlete|named|called|results\s+for)\b")


def _known_pair(scan: Scan, first: str, last: str, match: re.Match[str]) -> bool:
    """A lower-case pair is a person only if the data knows one of its words as a name (or
    the question writes it capitalised); with no names to hand, every pair may be one."""
    vocab = scan.vocab
    if not (vocab.first_names or vocab.last_names) or _STRONG_CUE.match(match[0]):
        return True  # "runner named jon smithers": a person, whom the data may lack
    written = scan.cased[match.start("first") : match.end("last")]
    return (
        written != written.lower()
        or first.lower() in vocab.first_names
        or last.lower() in vocab.last_names
    )


def extract_person(scan: Scan) -> None:
    """One runner's name: a cue ("for", "did", a possessive, "PR") and two name-like words."""

    def accept(match: re.Match[str], *, capitalised: bool) -> bool:
        first, last, end = match["first"], match["last"], match.end()
        if not (_name_like(first) and _name_like(last)):
            return False
        if not match[0].endswith("'s") and _EVENT_AFTER.match(scan.low, end):
            return False  # "the Big Sur Marathon" is an event's name, not a runner's
        if not match[0].endswith("'s") and _third_word(scan, end, capitalised=capitalised):
            return False
        if not capitalised and not _known_pair(scan, first, last, match):
            return False  # "counting both races": lower-case words the data has as no name
        person = (_name_case(first), _name_case(last))
        scan.set("person", person, " ".join(person))
        scan.take(match.start("first"), end)
        return True

    for pattern in (_POSSESSIVE, _BEFORE_RESULT, _CUED):
        for match in search_all(pattern, scan.work):
            cased = scan.cased[match.start("first") : match.end("last")]
            if accept(match, capitalised=False):
                if cased == cased.lower():
                    scan.note("read lower-case words as a person's name", P_LOWERCASE_PERSON)
                return
    for match in _CAPITALISED.finditer(scan.cased):
        before = _PREVIOUS_WORD.search(scan.cased, max(0, match.start() - 40), match.start())
        if before and before[1][0].isupper() and _name_like(before[1]):
            continue  # a third capitalised word: a title or a place, not a person
        if accept(match, capitalised=True):
            scan.flags.add("uncued_person")
            scan.note("read capitalised words as a person's name", P_UNCUED_PERSON)
            return
    for match in _CAP_POSSESSIVE.finditer(scan.cased):
        if _name_like(match["last"]):
            person = (None, match["last"])
            scan.set("person", person, match["last"])
            scan.take(match.start(), match.end())
            return


# ---------------------------------------------------------------------------------------------
# 6. Live timing session, event status
# ---------------------------------------------------------------------------------------------


_RESULT_AFTER = re.compile(
    r"\s+(?:(?:marathon|half)\s+)?(?:results?|times?|pr|pb|pace|splits?|half\s+split|races?"
    r"|history|finish(?:es)?)\b"
)
_WORD_BEFORE = re.compile(r"([^\W\d_][\w'-]{1,29})\s+$")


def _first_name_before(scan: Scan, start: int) -> tuple[str, int] | None:
    """ "michael wardians" (a possessive without its apostrophe): the word before a known
    surname is its first name when it looks like one and nothing else read it."""
    match = _WORD_BEFORE.search(scan.work, max(0, start - 31), start)
    if match is None or match[1].lower() in KEYWORDS or match[1].lower() in STOPWORDS:
        return None
    if _SURNAME_CUE.search(scan.low, max(0, start - 20), start):
        return None  # "named Smith": the word before is the cue, not a first name
    if scan.state[match.start(1)] != UNSEEN:
        return None
    return _name_case(match[1]), match.start(1)


_SURNAME_CUE = re.compile(
    r"(?:\b(?:for|the|of|by|did|does|runner|athlete|named|called|surname|family|about"
    r"|how\s+many|all|any)\s+)$"
)


def _known_surname(scan: Scan, word: str) -> str | None:
    """The data's spelling of a surname said alone, plural or possessive ("the Garcias",
    "Wardian's", "mullers" for Müller, "O'Briens")."""
    low = word.lower()
    known = scan.vocab.last_names
    for stem in (low, low.removesuffix("'s"), low.removesuffix("s"), low.removesuffix("es")):
        if not stem or stem in KEYWORDS or len(stem) < 2:
            continue
        if stem in known:
            return stem
        found = _by_folded(known).get(_folded(stem)) if known else None
        if found and len(found) == 1:
            return found[0]
    return None


# Surnames that are also everyday words: typed in lower case with no cue they are the word
# ("green shirts", "the long course"), never a runner.
_EVERYDAY = word_set(
    """
    green brown white black gray grey young long short king may hill wood woods rose bell day
    price rice banks bush cook miles mile rivers river lake lane park street ford hall wall
    moon star stone field fields fox wolf bird nash love gold silver little small strong
    page cross rich wise hope hunt major west north south east winter summer spring fall
    """
)


def _distinctive(stem: str) -> bool:
    """A surname of the data that no question would use as a word: "wardian", "kiptoo"."""
    return len(stem) >= 4 and stem not in _EVERYDAY and stem not in LEXICON


_APOSTROPHE_NAME = re.compile(r"\b[^\W\d_]{1,3}'[^\W\d_]{2,30}\b")


def extract_surname(scan: Scan) -> None:
    """A surname alone, when the data has it: capitalised, or after a cue ("for smith")."""
    if scan.slots.get("person") is not None:
        return
    for match in _APOSTROPHE_NAME.finditer(scan.work):  # "the O'Briens": one word
        stem = _known_surname(scan, match[0])
        if stem is not None and scan.state[match.start()] == UNSEEN:
            scan.set("person", (None, _name_case(stem)), stem)
            scan.take(match.start(), match.end())
            return
    for tok in tokens(scan.low):
        if scan.state[tok.start] != UNSEEN or tok.text in KEYWORDS or tok.text in STOPWORDS:
            continue
        end = tok.end + 2 if scan.low.startswith("'s", tok.end) else tok.end
        written = scan.text[tok.start : end]
        before = _SURNAME_CUE.search(scan.low, max(0, tok.start - 20), tok.start)
        cued = before is not None or _RESULT_AFTER.match(scan.low, end) is not None
        stem = _known_surname(scan, written)
        if stem is None:
            continue
        if not (written[0].isupper() or cued or _distinctive(stem)):
            continue
        if not (written[0].isupper() or cued):
            scan.note(f"read '{stem}' as a runner's surname", P_LOWERCASE_PERSON)
        first = _first_name_before(scan, tok.start)
        scan.set("person", (first[0] if first else None, _name_case(stem)), stem)
        scan.take(first[1] if first else tok.start, end)
        if before is not None and before[0].strip().split()[-1] in ("named", "called", "surname"):
            scan.take(before.start(), before.end())
        return


def search_all(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Overlapping matches, one start position after another (for cue + name patterns)."""
    pos = 0
    while pos < len(text):
        match = pattern.search(text, pos)
        if match is None:
            return
        yield match
        pos = match.start() + 1


def _folded(name: str) -> str:
    """ "Renée" and "renee", "O'Neill" and "oneill": letters only, without accents."""
    decomposed = unicodedata.normalize("NFKD", name.lower())
    return "".join(c for c in decomposed if c.isalpha() and not unicodedata.combining(c))


@functools.lru_cache(maxsize=32)
def _by_folded(known: frozenset[str]) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for name in sorted(known):
        index.setdefault(_folded(name), []).append(name)
    return {k: tuple(v) for k, v in index.items()}


def close_surname(said: str, known: frozenset[str]) -> str | None:
    """ "Wardain" -> "wardian": the one surname of the data a single slip away (a letter
    wrong, missing, extra or two swapped); None when none is, or several are."""
    if len(said) < 5 or not known:
        return None
    hits = process.extract(
        said.lower(), known, scorer=DamerauLevenshtein.distance, score_cutoff=1, limit=2
    )
    return _name_case(hits[0][0]) if len(hits) == 1 else None


def known_name(said: str, known: frozenset[str]) -> bool:
    """Whether the data has this name, however it was typed; with no list, assume so."""
    return not known or said.lower() in known or _folded(said) in _by_folded(known)


def spellings(said: str, known: frozenset[str]) -> tuple[str, ...]:
    """How the data spells a name said without its accents or punctuation; as said when the
    data has it, or has nothing like it."""
    if not known or said.lower() in known:
        return (said,)
    found = _by_folded(known).get(_folded(said))
    return tuple(_name_case(name) for name in found) if found else (said,)
