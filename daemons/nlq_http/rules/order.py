"""Order, limits and places: "top 10", "the slowest 5", "last finisher", "winners of each
division", "the 3 fastest women", "newest", "alphabetically", "3rd place", "bib 1234"."""

from __future__ import annotations

import re

from ..query import MAX_ROWS, Op
from .live import extract_live
from .scan import Scan

_NOT_AN_AGE = r"(?!\s?-?\s?(?:years?|yrs?|yo|y/o)\b|\+|\s?-?\s?(?:and|or)\s+(?:over|older|up))"
_TOP_N = re.compile(
    r"\b(?P<w>top|first|last|fastest|quickest|best|slowest|bottom|worst)\s+(?P<n>\d{1,5})\b"
    + _NOT_AN_AGE
    + r"|\b(?P<n2>\d{1,5})\s+(?P<w2>fastest|quickest|best|slowest|worst|last)\b"
)
# "which 5 finishers had the fastest gun times", "the 3 most expensive events": a number of
# rows said before the rows, ranked by a word elsewhere in the question.
_COUNTED_ROWS = re.compile(
    r"(?:^|\b(?:which|what|the|list|show|name|find|give\s+me)\s+)(?P<n>\d{1,3})\s+"
    r"(?!(?:k|km|mi|miles?|hours?|hrs?|minutes?|mins?|years?|yrs?|yo|ages?)\b|[+%-])"
    r"(?!(?:fastest|quickest|best|slowest|worst|last)\b)"  # "the 10 fastest": _TOP_N's
    r"(?=(?:[\w\x00]+\s+){0,3}?(?:finishers?|runners?|athletes?|racers?|women|men|ladies|guys"
    r"|people|registrants|entrants|events?|races?)\b)"
)
_RANK_WORD = re.compile(
    r"\b(?:fastest|quickest|slowest|best|worst|top|most|least|highest|lowest|oldest|youngest"
    r"|biggest|largest|smallest|cheapest|priciest|expensive|first|last|earliest|latest)\b"
)
# "who was leading at the halfway mark", "first through the 30K": the fastest split there
_LEADING = re.compile(
    r"\b(?:leading|in\s+(?:the\s+)?lead|led|first\s+(?:through|to|at|past|across|over|into))\b"
)
# "the longest race we've ever put on", "our shortest races": races by their distance
_LONGEST = re.compile(r"\b(?P<w>longest|shortest)\s+(?P<what>races?|distances?|events?|courses?)\b")
# "the most generous qualifying time", "the toughest standard": the standards by their time
_LENIENCY = re.compile(
    r"\b(?:(?P<slow>most\s+generous|loosest|easiest|most\s+lenient|softest)"
    r"|toughest|hardest|strictest|most\s+demanding)\b(?P<many>(?:\s+\w+){0,2}?\s+\w+s\b)?"
)
# "fastest and slowest chip time": two measures, the second word names the time for both
_BOTH_EXTREMES = re.compile(
    r"\b(?P<w>fastest|quickest|best|slowest|worst)\s+(?:and|&|vs\.?|versus)\s+(?=(?:fastest"
    r"|quickest|best|slowest|worst)\s+(?:(?:chip|gun|clock|net|finish(?:ing)?)\s+)?times?\b)"
)
# "the fastest 5 by gun time": ranked on the gun's clock, not the chip's
_BY_GUN = re.compile(r"\b(?:by|on|using|according\s+to)\s+(?:the\s+)?(?:gun|clock)(?:\s+times?)?\b")
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
_SORTED_FIRST = re.compile(
    r"\b(?:(?:sorted|ordered|ranked|listed|with\s+the)\s+)?(?:by\s+)?"
    r"(?P<w>fastest|quickest|best|slowest|worst)\s+(?:ones?\s+)?(?:first|on\s+top|at\s+the\s+top)\b"
)
_TOP_GROUPS = re.compile(
    rf"\b(?:the\s+)?(?P<w>top|bottom)\s+(?P<n>\d{{1,3}})\s+{_GROUPS}"
    r"(?:\s+(?:by|for|with\s+the\s+most)\s+(?:the\s+)?(?:number|count|most)(?:\s+of)?)?\b"
)
_GROUP_DIMS = {
    "age": "division", "div": "division", "cat": "division", "bra": "division", "cla": "division",
    "sex": "sex", "gen": "sex", "yea": "year", "edi": "year", "eve": "event", "rac": "race",
    "sta": "state", "cit": "city", "cou": "country",
}  # fmt: skip
_LAST_FINISHER = re.compile(
    r"\b(?:(?:the\s+)?(?:very\s+|dead\s+)?last\s+(?:finisher|runner|person|one|athlete)"
    r"(?:\s+to\s+finish)?|finish(?:ed)?\s+(?:dead\s+)?last|last\s+(?!\d)(?:[\w\x00]+\s+){0,2}?to\s+"
    r"(?:finish|cross(?:\s+the\s+line)?)|final\s+finisher|last\s+place|slowest\s+finisher"
    r"|(?:brought|bringing|brings|bring)\s+up\s+the\s+rear|(?:the\s+)?lanterne\s+rouge)\b"
)
_SEX_IN_LAST = re.compile(r"\b(?:(?P<f>woman|women|female|lady|girl)|man|men|male|guy)\b")
_WEATHER_ORDER = {
    "coldest": ("temperature_c", False), "chilliest": ("temperature_c", False),
    "hottest": ("temperature_c", True), "warmest": ("temperature_c", True),
    "windiest": ("wind_kph", True), "calmest": ("wind_kph", False),
    "most humid": ("humidity_pct", True), "least humid": ("humidity_pct", False),
    "muggiest": ("humidity_pct", True),
}  # fmt: skip
_WEATHER_RANK = re.compile(
    r"\b(?P<w>coldest|chilliest|hottest|warmest|windiest|calmest|most\s+humid|least\s+humid"
    r"|muggiest)\b(?:\s+(?:[\w\x00]+\s+)?(?P<what>events?|races?|marathons?|days?|editions?"
    r"|years?|readings?|temperatures?|temps?|ones?|\x00+))?"
)
_AGE_EXTREME = r"(?:youngest|oldest|minimum|maximum|lowest|highest|min|max)"
_AGE_EXTREMES = re.compile(
    rf"\b(?:the\s+)?{_AGE_EXTREME}(?:\s+(?:and|&|or|to)\s+(?:the\s+)?{_AGE_EXTREME})?\s+ages?\b"
    r"|\bage\s+range\b|\brange\s+of\s+ages\b"
)
_ORDINAL = re.compile(
    r"\b(?P<n>second|third|fourth|fifth|2nd|3rd|4th|5th|\d{1,2}th)[\s-]+(?P<w>fastest|quickest"
    r"|best|slowest|youngest|oldest)\b"
)
_ORDINALS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5}
_FIRST_FINISHER = re.compile(
    r"\b(?:first\s+(?:finisher|place|overall|across\s+the\s+line)|finish(?:ed)?\s+first"
    r"|first\s+to\s+finish|who\s+won|won|winners?|champions?|victor|wins?"
    r"|(?:took|take|takes|taking|claimed|grabbed)\s+(?:the\s+)?top\s+(?:spot|step|honou?rs))\b"
)
_SINGULAR = re.compile(
    r"\b(?P<w>fastest|quickest|slowest|best|youngest|oldest|first)(?=\s+(?:woman|man|runner|finisher"
    r"|person|athlete|female|male|lady|girl|guy|boy|non-binary|nonbinary|overall|one|entrant"
    r"|participant|marathoner)\b)"
)
_PERSONAL_BEST = re.compile(r"\b(?:personal\s+(?:best|record)s?|prs?|pbs?|lifetime\s+best)\b")
_PLURAL = re.compile(r"\b(?P<w>fastest|quickest|slowest|best|youngest|oldest)\b")
_MEASURE_TIME = re.compile(
    r"\b(?P<w>fastest|quickest|best|winning|slowest|worst|longest)[\s\x00]+"
    r"(?:(?:\x00+|(?P<gun>gun|clock)|net|overall|race|winning|recorded)[\s\x00]+)?"
    r"(?:finish(?:ing)?\s+|chip\s+)?(?:times?|(?=split)|(?=pace))(?:\s+on\s+(?:the\s+)?course)?\b"
)  # only a word that keeps the meaning may stand between: "the fastest gun time" is a gun time
_NEXT = re.compile(
    r"\b(?P<w>next|upcoming|coming)\s+(?:(?P<n>\d{1,3})\s+)?(?=(?:[\w\x00]+\s+)?(?P<what>events?|races?)\b"
    r"|(?P<one>\x00+)(?![\w\x00]))"  # "our next marathon": a distance said, taken before
)
_LATEST = re.compile(
    r"\b(?:most\s+recent|latest|last|previous|past|recent)\s+(?:(?P<n>\d{1,3})\s+)?"
    r"(?:(?:[\w\x00]+\s+)?(?P<what>events?|races?|results?|finish(?:es)?|runs?)\b"
    r"|(?=(?P<one>\x00+)(?![\w\x00])))"
)  # "our most recent Boston Marathon": the event named, its latest edition
_ORDER_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "newest",
        re.compile(
            r"\b(?:(?:most\s+recent|newest|latest)\s+(?:ones?\s+)?first|most\s+recent|newest"
            r"|latest|recent(?:ly)?|last\s+(?=events?\b))\b"
        ),
    ),
    (
        "oldest",
        re.compile(
            r"\b(?:(?:earliest|oldest)\s+(?:ones?\s+)?first|earliest|least\s+recent"
            r"|first\s+(?=events?\b))\b"
        ),
    ),
    (
        "name",
        re.compile(
            r"\b(?:alphabetical(?:ly)?|(?:sorted\s+|ordered\s+)?by\s+(?:last\s+)?name|a\s?-\s?z)\b"
        ),
    ),
)
_PLACES_BETWEEN = re.compile(
    r"\b(?:placed\s+|finished\s+)?(?P<a>\d{1,4})(?:st|nd|rd|th)\s+(?:through|thru|to|-|and)\s+"
    r"(?P<b>\d{1,4})(?:st|nd|rd|th)(?:\s+(?:place|places|overall))?\b"
)
_IN_THE_TOP = re.compile(
    r"\b(?:finished\s+|placed\s+|were\s+|was\s+)?(?:in|inside|within)\s+the\s+top\s+"
    r"(?P<n>\d{1,4})(?:\s+(?:overall|places?|finishers?))?\b"
)
_PLACE = re.compile(
    r"\b(?:who\s+(?:came|finished|was|placed)\s+(?:in\s+)?)?(?P<n>\d{1,4})(?:st|nd|rd|th)"
    r"\s+(?:place|overall|finisher)\b"
    r"|\b(?:came|finished|placed|was)\s+(?:in\s+)?(?P<n2>\d{1,4})(?:st|nd|rd|th)\b"
)
_BIB = re.compile(r"\bbib\s*(?:number|no\.?|#)?\s*[:#]?\s*(?P<n>\d{1,6})\b")
# "the slowest average of any year", "which state had the fastest median": groups ranked by
# their measure. Only the superlative is taken; "average"/"median" name the measure.
_RANKED_MEASURE = re.compile(
    r"\b(?P<w>fastest|quickest|best|slowest|worst|highest|lowest|longest|shortest)"
    r"(?=\s+(?:average|avg|mean|median)\b)"
)


def _set_limit(scan: Scan, n: int) -> None:
    if n < 1:
        scan.note("ignored a limit below 1", 0.5)
    elif n > MAX_ROWS:
        scan.note(f"limited to {MAX_ROWS} rows")
        scan.set("limit", MAX_ROWS)
    else:
        scan.set("limit", n)


def _limit_latest(scan: Scan, match: re.Match[str]) -> None:
    """ "the last 3 races": three; "the latest race", "the most recent Boston": one."""
    if match["n"]:
        _set_limit(scan, int(match["n"]))
    elif match["one"] is not None or not match["what"].endswith("s"):
        scan.set("limit", 1)


def extract_order(scan: Scan) -> None:
    if _RANK_WORD.search(scan.low):
        for match in scan.takeall(_COUNTED_ROWS):
            _set_limit(scan, int(match["n"]))
            scan.flags.add("counted_rows")
    if any(f.field == "timing_point" for f in scan.filters) and scan.takeall(_LEADING):
        scan.slots.setdefault("rank", ("chip_time", False))
        scan.set("limit", 1)
    if scan.takeall(_BY_GUN):
        scan.flags.update({"gun_time", "rank_by_gun"})
    extract_live(scan)  # here, as before: after the gun, before bibs and places
    for match in scan.takeall(_BIB):
        scan.add("bib", Op.EQ, match["n"])
    for match in scan.takeall(_PLACES_BETWEEN):  # "11th through 20th overall"
        first, last = sorted((int(match["a"]), int(match["b"])))
        scan.add("overall_place", Op.BETWEEN, (first, last))
        if "overall" in match[0]:
            scan.flags.add("overall_place_said")
    for match in scan.takeall(_IN_THE_TOP):
        # "how many women finished in the top 10": of the overall places (of their own, the
        # count would always be ten); "the top 10 women" is _TOP_N's
        scan.add("overall_place", Op.LE, int(match["n"]))
        scan.flags.add("overall_place_said")
    for match in scan.takeall(_PLACE):
        scan.add("overall_place", Op.EQ, int(match["n"] or match["n2"]))  # by sex: filters.py
    for match in scan.takeall(_PER_GROUP):
        n = int(match["n"]) if match["n"] else 1
        if not 1 <= n <= 100:
            scan.note("a top N per group is 1 to 100", 0.5)
            continue
        scan.slots["per_group"] = n
        scan.group_by.append(_GROUP_DIMS[(match["dim"] or match["dim2"])[:3]])
    for match in scan.takeall(_RANKED_MEASURE):
        scan.slots["rank_measure"] = match["w"] in ("slowest", "worst", "highest", "longest")
    for match in scan.takeall(_AGE_EXTREMES):  # "the youngest and oldest ages": min and max
        words = set(re.findall(r"youngest|oldest|minimum|maximum|lowest|highest|min|max|range",
                               match[0]))  # fmt: skip
        if words & {"youngest", "minimum", "lowest", "min", "range"}:
            scan.flags.add("youngest_age")
        if words & {"oldest", "maximum", "highest", "max", "range"}:
            scan.flags.add("oldest_age")
    for match in scan.takeall(_ORDINAL):
        word = match["n"]
        n = _ORDINALS.get(word) or int(re.sub(r"\D", "", word))
        scan.slots["offset"] = n - 1
        scan.slots.setdefault("rank", _rank_of(match["w"]))
        scan.set("limit", 1)
        scan.flags.add("ranked_one")
    if "standards" in scan.flags or "boston_qualifier" in scan.flags:
        for match in scan.takeall(_LENIENCY):
            scan.slots.setdefault("rank", ("chip_time", bool(match["slow"])))
            scan.flags.add("standards")
            if not match["many"]:
                scan.set("limit", 1)
    for match in scan.takeall(_LONGEST):
        scan.slots.setdefault("rank", ("distance_km", match["w"] == "longest"))
        scan.flags.add("races_listed")
        if not match["what"].endswith("s"):
            scan.set("limit", 1)
    for match in scan.takeall(_BOTH_EXTREMES):
        slow = match["w"] in ("slowest", "worst")
        scan.flags.add("slowest_time" if slow else "fastest_time")
    for match in scan.takeall(_MEASURE_TIME):
        slow = match["w"] in ("slowest", "worst", "longest")
        if match["gun"]:
            scan.flags.add("gun_time")
        if "counted_rows" in scan.flags:
            # "which 5 finishers had the fastest gun times": five rows, not one time
            scan.slots.setdefault("rank", ("chip_time", slow))
            if match["gun"]:
                scan.flags.add("rank_by_gun")
            continue
        if "winning" in match[0] and match["w"] != "winning":
            # "the slowest winning time": each group's winning (fastest) time, ranked
            scan.flags.add("fastest_time")
            scan.slots["rank_measure"] = slow
            continue
        scan.flags.add("slowest_time" if slow else "fastest_time")
    for match in scan.takeall(_WEATHER_RANK):  # "the coldest race": by its temperature
        scan.slots.setdefault("rank", _WEATHER_ORDER[" ".join(match["w"].split())])
        scan.flags.add("weather")
        if not (match["what"] or "").endswith("s"):
            scan.set("limit", 1)  # "the coldest (reading, edition)": one row, its value shown
    for match in scan.takeall(_LAST_FINISHER):
        scan.slots.setdefault("rank", ("chip_time", True))
        scan.set("limit", 1)
        sex = _SEX_IN_LAST.search(match[0])  # "the last man to finish": the last of the men
        if sex:
            scan.sexes.append("F" if sex["f"] else "M")
    for match in scan.takeall(_LATEST):
        scan.set("order", "newest")
        if match["what"] and not match["what"].startswith(("event", "race")):
            scan.flags.add("latest_results")  # a runner's; of no runner: resolve.py refuses
            _limit_latest(scan, match)
            continue
        scan.flags.add("events")
        scan.slots["past"] = True  # "our most recent event" has been held
        if match["one"] is not None:
            scan.flags.add("latest_edition")
        _limit_latest(scan, match)
    for match in scan.takeall(_SORTED_FIRST):  # "sorted fastest first": every row, in order
        slow = match["w"] in ("slowest", "worst")
        scan.slots["rank_measure"], scan.slots["rank_all"] = slow, True
        scan.slots.setdefault("rank", ("chip_time", slow))
        scan.flags.add("sort_first")
    for match in scan.takeall(_TOP_GROUPS):  # "the top 3 states by number of finishers"
        scan.group_by.append(_GROUP_DIMS[match["dim"][:3]])
        scan.slots["rank_groups"] = "asc" if match["w"] == "bottom" else "desc"
        scan.slots["rank_all"] = True
        _set_limit(scan, int(match["n"]))
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
        scan.flags.add("winner")
        if not match[0].endswith("s") and "per_group" not in scan.slots:
            scan.set("limit", 1)
    if scan.takeall(_PERSONAL_BEST):
        scan.flags.add("pr")
    for match in scan.takeall(_PLURAL):
        scan.slots.setdefault("rank", _rank_of(match["w"]))
        if "limit" not in scan.slots and _one_thing_after(scan, match.end()):
            scan.set("limit", 1)  # "the fastest 5K split", "the fastest Smith": one row
    for match in scan.takeall(_NEXT):
        scan.set("order", "soonest")
        scan.add("event_date", Op.GE, scan.today)
        scan.flags.add("events")  # what is next is on the calendar
        if match["n"]:
            _set_limit(scan, int(match["n"]))
        elif match["one"] is not None or not match["what"].endswith("s"):
            scan.set("limit", 1)
    for order, pattern in _ORDER_WORDS:
        for match in scan.takeall(pattern):
            scan.set("order", order)
            if _ONE_EVENT.match(scan.low, match.end()):
                scan.set("limit", 1)  # "our first event in 2027": the one event
    if "winner" in scan.flags and "rank_measure" not in scan.slots:
        # "who won, and what was the winning time?": the winner's row, which shows the time
        scan.flags.discard("fastest_time")


_ONE_EVENT = re.compile(r"\s*(?:event|race)\b(?!s)")
_ONE_THING = frozenset(
    {"marathon", "half", "halfway", "race", "run", "result", "finish", "split", "time",
     "performance", "effort", "ultra", "mile", "miler", "km", "k"}
)  # fmt: skip
_MANY_THINGS = frozenset(
    {"finishers", "runners", "results", "times", "splits", "women", "men", "people", "athletes",
     "racers", "marathons", "races", "performances", "entrants", "participants", "ones"}
)  # fmt: skip
_WORDS_AFTER = re.compile(r"[\w'-]+")
_AGE_WORDS = frozenset({"year", "years", "yr", "yrs", "old", "yo", "plus", "and", "over", "up"})
_ONE_PERSON = frozenset(
    {"woman", "man", "runner", "finisher", "person", "athlete", "female", "male", "lady", "guy",
     "girl", "boy", "one", "entrant", "participant", "marathoner", "qualifier"}
)  # fmt: skip


def _one_thing_after(scan: Scan, end: int) -> bool:
    """A superlative before one thing ("marathon", "5k split", a surname), not before many."""
    words = _WORDS_AFTER.findall(scan.low, end, end + 60)
    while words and (words[0].isdigit() or words[0] in _AGE_WORDS):
        if words[0] in ("old", "yo"):  # "the fastest 40 year old": one runner
            return True
        words = words[1:]  # "the fastest 60+ woman": the age, then who
    if words[:1] in (["boston"], ["bq"]):
        words = words[1:]  # "the fastest Boston qualifier"
    words = words[:2]
    if not words:
        return False
    first = words[0]
    one = (
        first in _ONE_THING
        or first in _ONE_PERSON
        or re.fullmatch(r"\d+(?:\.\d+)?(?:k|km|-?mile)", first) is not None
        or first in scan.vocab.last_names
    )
    return one and not (len(words) > 1 and words[1] in _MANY_THINGS)


def _rank_of(word: str) -> tuple[str, bool]:
    if word == "youngest":
        return ("age", False)
    if word == "oldest":
        return ("age", True)
    return ("chip_time", word == "slowest")
