"""Questions about what a word means ("what is a BQ", "define pace") or why something
happened ("why was the runner disqualified").

The data holds results, not a glossary. Read as data, "what is chip time" would list
every chip time on record with full confidence; it is refused instead, with a reason.
Only the whole question counts: "what is the chip time of bib 12 at Boston" is data.
"""

from __future__ import annotations

import re

from .scan import Scan

# The asked-about term: one to three plain words, no digits and no preposition (a data
# question names what it is about: "at Boston", "in 2024", "for the women").
# Nor words that make it a list of the data ("what are upcoming races").
_DATA_WORDS = (
    r"(?!(?:[a-z'-]+\s+){0,2}(?:events|races|results|finishers|runners|entrants|registrations"
    r"|sessions|standards|upcoming|active|cancell?ed|recent|latest|next|today|tomorrow|this"
    r"|happening|going|on|weekend|week|month|year|tonight|new)\b)"
)
_TERM = (
    rf"{_DATA_WORDS}(?!(?:the|our|my|your)\b)[a-z'-]+"
    r"(?:\s+(?!(?:at|in|on|for|of|by|from|with)\b)[a-z'-]+){0,2}"
)
_DEFINITION = re.compile(
    r"^\W*(?:"
    rf"(?:what|wat)(?:'s|\s+is|\s+are|s)\s+(?:an?\s+)?{_TERM}"
    rf"|(?:what|wat)\s+(?:does|do)\s+(?:an?\s+|the\s+(?:word|term|abbreviation)\s+)?{_TERM}"
    r"\s+(?:mean|stand\s+for)"
    rf"|(?:define|explain|meaning\s+of|definition\s+of)\s+(?:an?\s+|the\s+(?:term\s+)?)?{_TERM}"
    rf"|what\s+is\s+meant\s+by\s+(?:an?\s+)?{_TERM}"
    r")\W*$"
)
NOT_A_GLOSSARY = (
    "that asks what a word means; I answer questions about the timing data, e.g. "
    "'how many Boston qualifiers were there at Chicago 2024?'"
)


# "why was the runner disqualified", "how come the 5K started late": the data records what
# happened and when, never why.
_WHY = re.compile(r"^\W*(?:why|how\s+come|for\s+what\s+reason|what\s+(?:was|is)\s+the\s+reason)\b")
NO_REASONS = "the data records what happened and when, not why"


def extract_definitions(scan: Scan) -> None:
    if _DEFINITION.match(scan.low):
        scan.refuse(422, NOT_A_GLOSSARY, "unsupported")
    elif _WHY.match(scan.low):
        scan.refuse(422, NO_REASONS, "unsupported")
