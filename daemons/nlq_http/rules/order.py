"""Order, limits and places: "top 10", "the slowest 5", "last finisher", "winners of each
division", "the 3 fastest women", "newest", "alphabetically", "3rd place", "bib 1234"."""

from __future__ import annotations

import re

from ..query import MAX_ROWS, Op
from .scan import Scan

_TOP_N = re.compile(
    r"\b(?P<w>top|first|last|fastest|quickest|best|slowest|bottom|worst)\s+(?P<n>\d{1,5})\b"
    r"|\b(?P<n2>\d{1,5})\s+(?P<w2>fastest|quickest|best|slowest|worst|last)\b"
)
_LIMIT = re.compile(r"\blimit(?:ed)?\s+(?:it\s+|them\s+|to\s+)*(?P<n>\d{1,5})(?:\s+rows?)?\b")
_GROUPS = (
    r"(?P<dim>age[\s-]?groups?|divisions?|categor(?:y|ies)|brackets?|class(?:es)?|sex(?:es)?"
    r"|genders?|years?|editions?|events?|races?|states?|cit(?:y|ies)|countr(?:y|ies))"
)
_PER_GROUP = re.compile(
    r"\b(?:(?:the\s+)?(?:top|first|fastest|best)\s+(?P<n>\d{1,3})\s+|(?P<win>winners?|champions?"
    r"|fastest|leaders?)\s+)(?:(?:finishers?|runners?|athletes?|men|women|people)\s+)?(?:in|of|for"
    rf"|from|per|by)\s+(?:each|every|all(?:\s+the)?|the)?\s*{_GROUPS}\b"
    rf"|\b{_GROUPS.replace('?P<dim>', '?P<dim2>')}\s+(?P<win2>winners?|champions?|leaders?)\b"
)
_GROUP_DIMS = {
    "age": "division", "div": "division", "cat": "division", "bra": "division", "cla": "division",
    "sex": "sex", "gen": "sex", "yea": "year", "edi": "year", "eve": "event", "rac": "race",
    "sta": "state", "cit": "city", "cou": "country",
}  # fmt: skip
_LAST_FINISHER = re.compile(
    r"\b(?:(?:the\s+)?(?:very\s+|dead\s+)?last\s+(?:finisher|runner|person|one|athlete)"
    r"(?:\s+to\s+finish)?|finish(?:ed)?\s+(?:dead\s+)?last|last\s+to\s+finish|final\s+finisher"
    r"|last\s+place|slowest\s+finisher)\b"
)
_FIRST_FINISHER = re.compile(
    r"\b(?:first\s+(?:finisher|place|overall|across\s+the\s+line)|finish(?:ed)?\s+first"
    r"|first\s+to\s+finish|who\s+won|won|winners?|champions?|victor)\b"
)
_SINGULAR = re.compile(
    r"\b(?P<w>fastest|quickest|slowest|best|youngest|oldest)(?=\s+(?:woman|man|runner|finisher"
    r"|person|athlete|female|male|lady|girl|guy|boy|non-binary|nonbinary|overall|one|entrant"
    r"|participant|marathoner)\b)"
)
_PLURAL = re.compile(r"\b(?P<w>fastest|quickest|slowest|best|youngest|oldest)\b")
_MEASURE_TIME = re.compile(
    r"\b(?P<w>fastest|quickest|best|winning|slowest|worst)\s+(?:finish(?:ing)?\s+|chip\s+)?time\b"
)
_ORDER_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "newest",
        re.compile(r"\b(?:most\s+recent|newest|latest|recent(?:ly)?|last\s+(?=events?\b))\b"),
    ),
    ("oldest", re.compile(r"\b(?:earliest|least\s+recent|first\s+(?=events?\b))\b")),
    (
        "name",
        re.compile(
            r"\b(?:alphabetical(?:ly)?|(?:sorted\s+|ordered\s+)?by\s+(?:last\s+)?name|a\s?-\s?z)\b"
        ),
    ),
)
_PLACE = re.compile(
    r"\b(?:who\s+(?:came|finished|was|placed)\s+(?:in\s+)?)?(?P<n>\d{1,4})(?:st|nd|rd|th)"
    r"\s+(?:place|overall|finisher)\b"
)
_BIB = re.compile(r"\bbib\s*(?:number|no\.?|#)?\s*[:#]?\s*(?P<n>\d{1,6})\b")
_SESSION = re.compile(
    r"\b(?:timing\s+)?session\s*(?:id|number|no\.?|#)?\s*[:#]?\s*(?P<n>\d{1,12})\b"
)


def _set_limit(scan: Scan, n: int) -> None:
    if n < 1:
        scan.note("ignored a limit below 1", 0.5)
    elif n > MAX_ROWS:
        scan.note(f"limited to {MAX_ROWS} rows")
        scan.set("limit", MAX_ROWS)
    else:
        scan.set("limit", n)


def extract_order(scan: Scan) -> None:
    for match in scan.takeall(_SESSION):
        number = int(match["n"])
        if 1 <= number <= 2**31 - 1:
            scan.add("session_id", Op.EQ, number)
    for match in scan.takeall(_BIB):
        scan.add("bib", Op.EQ, match["n"])
    for match in scan.takeall(_PLACE):
        scan.add("overall_place", Op.EQ, int(match["n"]))
    for match in scan.takeall(_PER_GROUP):
        scan.slots["per_group"] = int(match["n"]) if match["n"] else 1
        scan.group_by.append(_GROUP_DIMS[(match["dim"] or match["dim2"])[:3]])
    for match in scan.takeall(_MEASURE_TIME):
        scan.flags.add("slowest_time" if match["w"] in ("slowest", "worst") else "fastest_time")
    if scan.takeall(_LAST_FINISHER):
        scan.slots.setdefault("rank", ("chip_time", True))
        scan.set("limit", 1)
    for match in scan.takeall(_TOP_N):
        word = match["w"] or match["w2"]
        _set_limit(scan, int(match["n"] or match["n2"]))
        slowest = word in ("slowest", "last", "bottom", "worst")
        scan.slots.setdefault("rank", ("chip_time", slowest))
    for match in scan.takeall(_LIMIT):
        _set_limit(scan, int(match["n"]))
    for match in scan.takeall(_SINGULAR):
        scan.slots.setdefault("rank", _rank_of(match["w"]))
        scan.set("limit", 1)
    for match in scan.takeall(_FIRST_FINISHER):
        scan.slots.setdefault("rank", ("chip_time", False))
        if not match[0].endswith("s") and "per_group" not in scan.slots:
            scan.set("limit", 1)
    for match in scan.takeall(_PLURAL):
        scan.slots.setdefault("rank", _rank_of(match["w"]))
    for order, pattern in _ORDER_WORDS:
        if scan.takeall(pattern):
            scan.set("order", order)


def _rank_of(word: str) -> tuple[str, bool]:
    if word == "youngest":
        return ("age", False)
    if word == "oldest":
        return ("age", True)
    return ("chip_time", word == "slowest")
