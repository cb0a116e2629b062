"""Groupings: "by state", "per age group", "for each division", "state by state", "which
state had the most", "across all our events" (a total, not a grouping), "every Boston
Marathon" (each edition), and where runners are from.

Each group word names a dimension of ``model.MODEL``; ``resolve`` maps it onto the entity's
own (a runner's state, or the event's when counting events).
"""

from __future__ import annotations

import re

from .scan import Scan
from .words import lower

# Group-by words: "by state", "per age group", "for each division", "state by state".
GROUP_WORDS: tuple[tuple[str, str], ...] = (
    # "by decade of age", "10-year age bands": ages by the ten, never a race's divisions
    (
        "age_decade",
        r"decades?(?:\s+of\s+age)?|age\s+decades?|(?:10|ten)[\s-]year\s+age\s+(?:groups?|bands?"
        r"|brackets?)",
    ),
    (
        "age_group",
        r"age[\s-]?groups?|age\s+brackets?|age\s+categor(?:y|ies)|age\s+bands?|ages?",
    ),
    ("division", r"divisions?|categor(?:y|ies)|brackets?|classes"),
    ("state", r"(?:home\s+)?states?|provinces?"),
    ("location", r"locations?|mats?|readers?"),
    ("city", r"(?:home\s+)?(?:cities|city|towns?|hometowns?)"),
    ("country", r"countr(?:y|ies)|nations?|nationalit(?:y|ies)"),
    ("sex", r"sex(?:es)?|genders?"),
    ("year", r"years?|editions?|seasons?|annually|yearly"),
    ("month", r"months?|monthly"),
    ("provider", r"(?:registration\s+)?(?:providers?|platforms?)"),
    ("partner", r"(?:timing\s+)?partners?|(?:timing\s+)?compan(?:y|ies)|timers?|customers?"),
    ("outcome", r"status(?:es)?|outcomes?"),
    ("timing_point", r"splits?|timing\s+points?|checkpoints?"),
    ("distance_km", r"(?:race\s+)?(?:distances?|lengths?)"),
    ("conditions", r"conditions|weather"),
    ("race", r"races?"),
    ("event", r"events?"),
)
_GROUP_ALTS = "|".join(f"(?P<{name}>{words})" for name, words in GROUP_WORDS)
_GROUP = re.compile(
    rf"\b(?:(?:broken\s+down|split(?:\s+(?:up|out))?|grouped|sorted|organi[sz]ed|group"
    rf"|break(?:\s+it)?\s+down|(?<=\S)\s+down)"
    rf"\s+)?(?:by|per|(?:for|in)\s+(?:each|every)(?:\s+(?:one\s+)?of\s+(?:our|the|their))?"
    rf"|(?:each|every)(?:\s+(?:one\s+)?of\s+(?:our|the|their|its))?|across(?:\s+(?:the|all))?)"
    rf"[\s\x00]+(?:{_GROUP_ALTS})\b"
    r"|\b(?P<s_state>state)[\s-]+by[\s-]+state|\b(?P<s_year>year)[\s-]+(?:by|over|on)[\s-]+year\b"
    r"|\b(?P<s_event>event)[\s-]+by[\s-]+event|\b(?P<s_race>race)[\s-]+by[\s-]+race\b"
    rf"|\b(?:{_GROUP_ALTS.replace('?P<', '?P<b_')})\s+(?:breakdown|split|distribution)\b"
)
_WHICH_MOST = re.compile(
    rf"\b(?:which|what)\s+(?:{_GROUP_ALTS.replace('?P<', '?P<w_')})\b[^.?!]{{0,60}}?"
    r"\b(?P<most>most|fewest|least|highest\s+number|lowest\s+number|biggest|largest|smallest)\b"
)


_PLURAL_GROUP = re.compile(r"(?:ies|[^su]s|states|races|classes)$")
# "across all our events" totals them; "for each event" groups them.
_ACROSS_ALL = re.compile(
    r"\b(?:(?:across|over|counting|taking|including)\s+(?:all|every|any)|(?:in|at|for)\s+all)"
    r"(?:\s+(?:of\s+)?(?:the|our|their))?"
    r"\s+(?:events?|races?|years?|editions?|seasons?)\b"
)  # "across all years", "counting every year": every edition counted together, not by year
# "taking every Boston Marathon from 2019 through 2025 together": one total of the editions
_TOGETHER = re.compile(r"\b(?:together|combined|altogether|in\s+total|all\s+told|as\s+a\s+whole)\b")
_TOTALLED_BEFORE = re.compile(r"\b(?:taking|counting|across|over|including)\s+$")


def _group_name(match: re.Match[str]) -> str | None:
    for name, value in match.groupdict().items():
        if value and name not in ("most",):
            return name.split("_", 1)[1] if name[:2] in ("s_", "b_", "w_") else name
    return None


def _name_of(match: re.Match[str]) -> str | None:
    found = _group_name(match)
    if found is None:
        return None
    for name, _ in GROUP_WORDS:  # the prefixed names carry the dimension after the prefix
        if found == name or found.endswith(name):
            return name
    return found


_MORE_GROUP = re.compile(
    r"\s*(?:,|and|&|then|plus|as\s+well\s+as)\s+"
    # "for each year, split by sex": "split" there says a grouping, it is no timing point
    r"(?:(?:split|broken\s+down|grouped|sorted)(?:\s+(?:up|out))?\s+(?=by\b))?"
    rf"(?:(?:by|per|each)\s+)?(?:{_GROUP_ALTS})\b"
)


def _more_groups(scan: Scan, end: int) -> None:
    """ "by state and sex", "by year, then division": every grouping said in one list."""
    while (more := _MORE_GROUP.match(scan.work, end)) is not None:
        name = _name_of(more)
        if name is None:
            return
        scan.take(more.start(), more.end())
        if name not in scan.group_by:
            scan.group_by.append(name)
        end = more.end()


_RANKED_GROUP = re.compile(
    rf"\b(?:which|what|any|each|every)\s+(?:of\s+(?:our|the|their)\s+)?(?:[\w\x00]+\s+)?"
    rf"(?:{_GROUP_ALTS})\b"
)
_WHOLE_EVENT = re.compile(
    r"(?<=\x00)\s+weekend\b|\b(?:all|every|each\s+of\s+the)\s+(?:the\s+)?(?:races|distances)\s+"
    r"(?:of|at|in)\b|\b(?:the\s+)?whole\s+event\b|\ball\s+distances\b"
    r"|\b(?:counting|including|across|over)\s+(?:every|each|all(?:\s+the)?|both(?:\s+the)?)\s+"
    r"(?:races?|distances?)(?:\s+together)?\b"
    r"|\b(?:all|both)\s+(?:the\s+)?(?:races|distances)(?:\s+(?:together|combined))?(?=\s*[?.!]*$)"
)
_WHICH_PARTNERS = re.compile(
    r"\b(?:which|what)\s+(?:timing\s+)?(?:partners|companies|timers)\b(?:\s+(?:have|had|has))?"
)
# "which cities has Windy City Timing held events in", "what states do our runners come from":
# the places themselves, each once (a grouping, with its count).
_WHICH_PLACES = re.compile(
    r"\b(?:which|what)\s+(?:different\s+|other\s+)?(?P<what>cities|towns|states|countries)\b"
)
_PLACE_DIMS = {"cities": "city", "towns": "city", "states": "state", "countries": "country"}
_WEATHER_FIELDS = ("temperature_c", "wind_kph", "humidity_pct")
_BREAK = re.compile(r"\bbreak\b(?=[^?.!]*$)")
_LISTED_EACH = re.compile(r"\b(?:list|show|name|display|give\s+me|see)(?:\s+me)?\s+$")
_EVERY_EDITION = re.compile(r"\b(?:every|each)\s+(?:one\s+of\s+)?(?:the\s+)?\x00+")


# "which city is Michael Wardian from", "where are our runners from": their home places.
_HOME_OF = re.compile(
    r"\b(?:which|what)\s+(?P<what>city|town|hometown|state|country)\s+(?=(?:is|was|are|were"
    r"|does|did|do)\b[^?.!]*\bfrom\b)|\bwhere\s+(?=(?:is|was|are|were|does|did|do)\b"
    r"[^?.!]*\bfrom\b)"
)
_HOME_DIMS = {"city": ("city",), "town": ("city",), "hometown": ("city",), "state": ("state",),
              "country": ("country",), None: ("city", "state", "country")}  # fmt: skip


# "the events in each state": where the events were held, not where their runners live
_EVENT_STATE = re.compile(
    r"\b(?:events?|races?)\s+(?:(?:were\s+)?held\s+)?(?:in|by|per)\s+(?:each|every)\s+state\b"
    r"|\beach\s+state'?s\s+(?:events|races)\b"
)


# "how many states were represented", "how many different countries did they come from":
# the places counted, not the runners
_HOMES_COUNTED = re.compile(
    r"\bhow\s+many\s+(?:different\s+|distinct\s+|unique\s+|separate\s+|individual\s+)?"
    r"(?P<what>states|countries|nations|cities|towns|hometowns)\b"
    r"(?=[^?.!]*\b(?:represented|come|came|from|among|were\s+there|sent|did\s+\w+\s+come)\b)"
)
_HOMES = {"states": "distinct_states", "countries": "distinct_countries",
          "nations": "distinct_countries", "cities": "distinct_cities", "towns": "distinct_cities",
          "hometowns": "distinct_cities"}  # fmt: skip


def extract_groups(scan: Scan) -> None:
    for match in scan.takeall(_HOMES_COUNTED):
        scan.slots.setdefault("homes_counted", []).append(_HOMES[match["what"]])
        scan.flags.add("results")
    if scan.takeall(_EVENT_STATE):
        scan.group_by.append("event_state")
        scan.flags.add("results")
    for match in scan.finditer(_ACROSS_ALL):
        scan.take(match.start(), match.end())
        if match[0].rstrip().endswith(("races", "race")):
            scan.flags.add("whole_event")  # every race of the event, not its main one
    for match in scan.finditer(_WHOLE_EVENT):
        scan.take(match.start(), match.end())
        scan.flags.add("whole_event")
    for match in scan.finditer(_HOME_OF):
        scan.take(match.start(), match.end())
        scan.group_by.extend(d for d in _HOME_DIMS[match["what"]] if d not in scan.group_by)
        scan.flags.add("results")
    if scan.events:
        for match in scan.finditer(_EVERY_EDITION):  # "every Boston Marathon": each year's
            said = set(scan.low[match.start() : match.end()].split()[1:])
            if not any(said & set(lower(name).split()) for name in scan.events):
                continue  # "every DNF": the blank is a status, not an event's name
            scan.take(match.start(), match.end())
            totalled = _TOTALLED_BEFORE.search(scan.low, max(0, match.start() - 12), match.start())
            if not (totalled or _TOGETHER.search(scan.low)):
                scan.group_by.append("year")
    ranked = "rank_measure" in scan.slots or scan.slots.get("rank", ("",))[0] in _WEATHER_FIELDS
    if ranked and not scan.group_by:
        for match in scan.finditer(_RANKED_GROUP):
            name = _name_of(match)
            if name is not None:
                scan.take(match.start(), match.end())
                scan.group_by.append(name)
                # "which years were the coldest": all of them ranked; "which of our events
                # had the highest": the one
                if _PLURAL_GROUP.search(match[0]) and not re.search(
                    r"\bof\s+(?:our|the|their)\b", match[0]
                ):
                    scan.slots["rank_all"] = True
                break
    for match in scan.finditer(_WHICH_MOST):
        name = _name_of(match)
        if name is None:
            continue
        scan.take(match.start(), match.start() + len(match[0].split()[0]))
        scan.take(match.start("most"), match.end("most"))
        for group in match.groupdict():
            if group.startswith("w_") and match[group]:
                scan.take(match.start(group), match.end(group))
        scan.group_by.append(name)
        fewest = match["most"] in ("fewest", "least", "lowest number", "smallest")
        scan.slots["rank_groups"] = "asc" if fewest else "desc"
        said = next(match[g] for g in match.groupdict() if g.startswith("w_") and match[g])
        if _PLURAL_GROUP.search(said):  # "which states had the most": every state, ranked
            scan.slots["rank_all"] = True
    for match in scan.takeall(_WHICH_PLACES):
        if _PLACE_DIMS[match["what"]] not in scan.group_by:
            scan.group_by.append(_PLACE_DIMS[match["what"]])
    if scan.takeall(_WHICH_PARTNERS) and "partner" not in scan.group_by:
        scan.group_by.append("partner")  # "which timing partners had events cancelled"
    for match in scan.finditer(_GROUP):
        name = _name_of(match)
        if _LISTED_EACH.search(scan.low, max(0, match.start() - 20), match.start()):
            continue  # "list every event": the events themselves, not a count per event
        if name is not None and name in scan.group_by:
            scan.take(match.start(), match.end())  # said twice ("per state, only states with")
        elif name is not None:
            scan.take(match.start(), match.end())
            scan.group_by.append(name)
            _more_groups(scan, match.end())
            if match[0].lstrip().startswith("down"):  # "break the Boston field down by country"
                said = _BREAK.search(scan.work, max(0, match.start() - 80), match.start())
                if said is not None:
                    scan.take(said.start(), said.end())
