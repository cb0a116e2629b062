"""Boston qualifying and providers: read before names, so "Boston" in "Boston qualifiers" is
not the Boston Marathon, and "RunSignUp" is a provider, not a word of an event.

"Boston qualifiers", "BQ'd", "qualified for Boston" are finishers within the
standard for their age and sex; "the qualifying standards", "BQ times for a 45
year old woman" are the standards themselves (unless runners are asked for:
"runners who met the 2025 standards").
"""

from __future__ import annotations

import re

from ..query import Op
from .durations import AMOUNT_OF_TIME, seconds_of
from .scan import Scan

_BQ_EDITION = re.compile(
    r"\b(?:(?:under|by|using|per|with|against|to|met|meet|meeting)\s+(?:the\s+)?)?"
    r"(?:(?P<y1>\d{4})\s+(?:(?:bq|boston|qualifying|baa|b\.a\.a\.)\s+){0,3}(?:standards?|times?"
    r"|cut-?offs?)"
    r"|(?:(?:bq|boston|qualifying)\s+){1,2}(?:standards?|times?|cut-?offs?)\s+(?:of|for|from)"
    r"\s+(?:the\s+)?(?P<y2>\d{4})(?:\s+edition)?)\b"
)
_QUALIFIERS = re.compile(
    r"\b(?:boston(?:\s+marathon)?[\s-]+qualif(?:iers?|ying|ied|ication)(?=\s+(?:runners?|finishers?"
    r"|athletes?|people|results?)\b|\s*$|\s*[?.!,])"
    r"|boston(?:\s+marathon)?[\s-]+qualifiers?"
    r"|bq(?:'?d|s|ed|ing|ers?)?\b(?!\s+(?:standards?|times?|cut-?offs?))"
    r"|bq\s+(?:runners?|finishers?|performances?|results?|times\s+run)"
    r"|qualif(?:ied|y|ying|iers?|ication)\s+(?:for|to)\s+(?:run\s+)?(?:the\s+)?boston"
    r"(?:\s+marathon)?"
    r"|(?:met|meet|meeting|made|make|hit|beat)\s+(?:the\s+)?(?:bq|boston|qualifying)"
    r"(?:\s+(?:standards?|times?|cut-?offs?))?)\b"
)
_STD_NOUN = r"(?:standards?|times?|cut-?offs?|requirements?)"
_STANDARDS = re.compile(
    rf"\b(?:(?:bq|boston(?:\s+marathon)?)[\s-]+(?:qualifying|qualification)[\s-]+{_STD_NOUN}"
    rf"|bq[\s-]+{_STD_NOUN}|boston(?:\s+marathon)?[\s-]+(?:standards?|cut-?offs?|requirements?)"
    # "Boston times" is the standards only when asked for someone ("... for a 45 year old
    # woman"): "wardian boston times" is his times at the Boston Marathon
    r"|boston[\s-]+times?(?=\s+(?:for|by|needed|required)\b)"
    rf"|(?:qualifying|qualification)\s+{_STD_NOUN}|standards?\s+(?:for\s+)?(?:boston|bq)"
    r"|what\s+time\s+(?=(?:do|does)\b[^?.!]{0,60}\b(?:need|have)\s+to\s+(?:run\s+to\s+)?"
    r"(?:qualify|bq))"
    r"|what\s+times?\s+(?=(?:do|does|would|will)\b[^?.!]{0,60}\bneeds?\s+(?:for|at)\s+boston)|(?:need|have)\s+to\s+(?:run\s+to\s+)?"
    r"(?:qualify|bq)(?:\s+for\s+boston)?|time\s+needed\s+to\s+(?:qualify|bq)"
    # "how much time does a 66-year-old man get under the Boston standards": the standard
    r"|how\s+much\s+time\s+(?=(?:do|does|would|will)\b[^?.!]{0,60}\b(?:get|have)\b)"
    r"|(?:get|gets|have|has|allowed)\s+under\s+(?:the\s+)?(?:\d{4}\s+)?(?:boston|bq)"
    r"(?:\s+marathon)?(?:\s+qualifying)?\s+(?:standards?|rules)"
    # "what time does a 57-year-old man need for Boston": the standard, not the marathon
    r"|(?:needs?|needed|required|requires?)\s+(?:to\s+(?:run|qualify)\s+)?(?:for|at"
    r"|to\s+get\s+into)\s+(?:the\s+)?boston(?:\s+marathon)?)\b"
)
_PROVIDERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("runsignup", re.compile(r"\brun\s?-?\s?sign\s?-?\s?up\b|\brsu\b")),
    ("raceroster", re.compile(r"\brace\s?-?\s?roster\b")),
    ("chronotrack", re.compile(r"\bchrono\s?-?\s?track(?:\s+live)?\b")),
    ("haku", re.compile(r"\bhaku\b")),
)


_CURRENT_STANDARDS = re.compile(
    r"\b(?:(?:under|by|using|per|with|against|to)\s+)?(?:the\s+)?(?:current|latest|newest"
    r"|present|existing|today'?s)\s+(?:(?:bq|boston|qualifying)\s+){0,2}(?:standards?|times?"
    r"|cut-?offs?)\b"
)
# "finished under the Boston standard", "beat the BQ time": qualifiers ("how much time does
# a man get under the standards" is the standard itself: _STANDARDS)
_UNDER_STANDARD = re.compile(
    r"\b(?<!get\s)(?<!gets\s)(?<!have\s)(?<!has\s)(?:under|within|inside|beneath|beat|beating)"
    r"\s+(?:the\s+|their\s+|a\s+)?(?:(?:bq|boston|qualifying|baa)\s+){1,2}(?:standards?|times?"
    r"|cut-?offs?|marks?)\b"
)
_QUALIFIED = re.compile(r"\b(?:qualif(?:ied|y|ying|iers?)|bq'?d|bqs?)\b")
# "ran fast enough to qualify for Boston": the qualifiers
_FAST_ENOUGH = re.compile(
    r"\b(?:(?:ran|run|runs|were|was|is|are)\s+)?fast\s+enough\s+to(?=\s+(?:qualify|bq)\b)"
)


# "qualified for Boston 2025", "BQ'd for the 2026 Boston Marathon": that edition's standards,
# not results of 2025. The year is the standards', never a year of the results.
QUALIFIED_FOR = re.compile(
    r"\b(?:qualif(?:ied|y|ying|ies)|bq'?d|earned\s+(?:a\s+)?(?:bq|spot))\s+for\s+(?:the\s+)?"
    r"(?:(?P<y1>\d{4})\s+(?:boston(?:\s+marathon)?|bq)"
    r"|(?:boston(?:\s+marathon)?|bq)\s+(?P<y2>\d{4}))\b"  # "for Boston in 2024": results' year
)


_SOMEONE_OF_AN_AGE = re.compile(
    r"\b(?:an?|one)\s+\d{1,3}[\s-]*(?:years?|yrs?)[\s-]*old\s+(?:[\w-]+\s+){0,2}?"
    r"(?P<noun>runners?|athletes?|persons?|people|racers?)\b"
)


# Said once, or not at all ("BQ'd by 10 minutes"); never only spaces, which a long run of
# them would make slow to try.
_STANDARD_NOUN = (
    r"(?:(?:(?:their|the|a|his|her)\s+)?(?:(?:boston|bq|qualifying)\s+){0,2}"
    r"(?:standards?|times?|cut-?offs?|qualifiers?|bq)\s+)?"
)
# "beat their Boston standard by 20 minutes or more", "BQ'd by at least 10 minutes"
_BEAT_BY = re.compile(
    rf"\b(?:beat|beating|beaten|bq'?d|qualified|under|inside)\s+{_STANDARD_NOUN}by\s+"
    rf"(?:at\s+least\s+|more\s+than\s+|over\s+)?{AMOUNT_OF_TIME}(?:\s+or\s+more)?"
)
# "missed a BQ by under a minute", "missed the standard by less than 5 minutes"
_MISSED_BY = re.compile(
    rf"\b(?:missed|missing|miss|just\s+missed)\s+{_STANDARD_NOUN}by\s+"
    rf"(?:less\s+than|under|fewer\s+than|no\s+more\s+than|at\s+most|within|only)?\s*{AMOUNT_OF_TIME}"
)


def _margins(scan: Scan) -> None:
    for field, pattern in (("beat_bq_by", _BEAT_BY), ("missed_bq_by", _MISSED_BY)):
        for match in scan.takeall(pattern):
            seconds = seconds_of(match)
            if 0 < seconds <= 4 * 3600:
                scan.add(field, Op.EQ, seconds)
                scan.flags.add("results")
            else:
                scan.note("ignored a qualifying margin outside 4 hours", 0.5)


# "did not run a Boston qualifying time", "didn't BQ", "non-qualifiers", "missed the BQ":
# the finishers who are not qualifiers (a margin, "missed it by", is _MISSED_BY's)
_NOT_QUALIFIED = re.compile(
    r"\b(?:(?:did\s+not|never|failed\s+to|could\s+not|cannot|did\s+not\s+manage\s+to)\s+"
    r"(?:(?:run|get|make|hit|meet|earn|achieve)\s+(?:a|the|their)?\s*)?(?:boston[\s-]+)?"
    r"(?:qualify(?:\s+for\s+boston)?|qualifying\s+(?:times?|standards?)|bq(?:\s+times?)?"
    r"|(?:bq|boston|qualifying)\s+(?:standards?|times?|cut-?offs?))"
    r"|non[\s-]?(?:qualifiers?|bqs?|qualifying)"
    r"|missed\s+(?:the|a|their)\s+(?:bq|boston(?:\s+qualifying)?|qualifying)"
    r"(?:\s+(?:standards?|times?|cut-?offs?))?(?!\s+by))\b"
)


def extract_boston(scan: Scan) -> None:
    _margins(scan)  # first: "beat their Boston standard by 20 minutes" is a margin
    if scan.takeall(_FAST_ENOUGH):
        scan.flags.add("boston_qualifier")
    if scan.takeall(_NOT_QUALIFIED):
        scan.flags.update({"boston_qualifier", "results"})
        scan.slots["bq_negated"] = True
    for match in scan.takeall(QUALIFIED_FOR):
        year = int(match["y1"] or match["y2"])
        if 2020 <= year <= 2100:
            scan.set("bq_edition", year)
            scan.flags.add("boston_qualifier")
        else:
            scan.note("ignored a qualifying-standards edition outside 2020-2100", 0.5)
    for match in scan.takeall(_BQ_EDITION):  # first: "met the 2025 qualifying standards"
        year = int(match["y1"] or match["y2"])
        if 2020 <= year <= 2100:
            scan.set("bq_edition", year)
        else:
            scan.note("ignored a qualifying-standards edition outside 2020-2100", 0.5)
        scan.flags.add("standards")
    if scan.takeall(_UNDER_STANDARD):  # before the standards: "finished under the BQ time"
        scan.flags.add("boston_qualifier")
    if scan.takeall(_CURRENT_STANDARDS):  # "under the current standards": the latest edition
        scan.flags.add("standards")
    if scan.takeall(_STANDARDS):
        scan.flags.add("standards")
        for match in scan.finditer(_SOMEONE_OF_AN_AGE):
            # "what qualifying time does a 44-year-old non-binary runner need": who the
            # standard is for, not runners' results
            scan.take(match.start("noun"), match.end("noun"))
    if scan.takeall(_QUALIFIERS):
        scan.flags.add("boston_qualifier")
    if scan.takeall(_QUALIFIED):
        # "using the 2025 standards, how many women qualified", "how many qualified at
        # Chicago": the only qualifying the data knows is for Boston
        scan.flags.add("boston_qualifier")


_VIA = r"(?:(?:through|via|using|on|from|with|in)\s+)?"  # "taken through RunSignUp"


def extract_providers(scan: Scan) -> None:
    for provider, pattern in _PROVIDERS:
        if scan.takeall(re.compile(_VIA + pattern.pattern)):
            scan.set("provider", provider)
