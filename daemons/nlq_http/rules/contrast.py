"""Contrasts: "the median, not the average", "gun time, not chip time", "the city, not the
state". The words after "not" name what is *not* asked, the alternative of a word said
elsewhere; they are set aside (discarded) rather than read as a filter or a measure.

A "not ..." whose alternative is not said stays for the other extractors (a negation).
"""

from __future__ import annotations

import re

from .scan import Scan

# Each word, and the words of which it is the alternative.
_ALTERNATIVES = {
    "average": r"median|middle", "mean": r"median|middle", "median": r"average|mean|avg",
    "chip": r"gun|clock", "net": r"gun|clock", "gun": r"chip|net", "clock": r"chip|net",
    "state": r"city|town", "city": r"state|country", "country": r"state|city",
}  # fmt: skip
_CONTRAST = re.compile(
    r"\b(?:and\s+|but\s+)?(?:not|rather\s+than|instead\s+of)\s+(?:the\s+)?"
    r"(?P<w>average|mean|median|chip|net|gun|clock|state|city|country)"
    r"(?:\s+times?|\s+one)?\s*\)?(?=\s*[,.?!;]|\s*$|\s+(?:of|at|for|in)\b)"
)


def extract_contrasts(scan: Scan) -> None:
    for match in scan.finditer(_CONTRAST):
        other = re.compile(rf"\b(?:{_ALTERNATIVES[match['w']]})\b")
        rest = scan.low[: match.start()] + " " + scan.low[match.end() :]
        if other.search(rest) is None:
            continue  # "not the state": no city said, a negation for the others to read
        scan.take(match.start(), match.end(), discard=True)
        scan.note(f"read '{match[0].strip(' ,()')}' as what is not asked")
