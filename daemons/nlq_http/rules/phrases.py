"""Phrases for the model's vocabulary: what is counted, measured, grouped, and which status.

Each table below maps the words people use onto names of ``model.MODEL``
(entities, measures, dimensions, enum values). Extractors take what they
match; ``resolve`` then builds the query from the flags and slots they leave.
Adding a synonym here is how coverage grows.
"""

from __future__ import annotations

import re

from .scan import Scan
from .words import lower

# -- subjects, measures and groupings -----------------------------------------------------------
_WORD_FLAGS: tuple[tuple[str, str], ...] = (
    ("neutral", r"race[\s-]day"),  # "the race-day temperature": the event's own weather
    # "the temperature at the start": the first weather reading of the day
    ("at_start", r"(?:at|for)\s+(?:the\s+)?(?:race\s+)?start(?:\s+line)?|at\s+the\s+gun"),
    # "what time does the 5K start", "chicago 2022 start time": a race's scheduled start
    (
        "start_time",
        r"(?:race\s+|gun\s+)?start(?:ing)?\s+times?|what\s+time\s+(?=(?:does|did|do|is|was|will)\b"
        r"[^?.!]{0,80}\bstart\b)|(?<=\s)start(?:s|ed)?(?=\s*[?.!]*$|\s+(?:in|on)\s+[\d\x00])|(?:starts?|started|begins?)\s+at",
    ),
    (
        "lowest_temp",
        r"(?:lowest|minimum|min|coldest|chilliest)\s+(?:temperatures?|temps?|tempratures?)",
    ),
    (
        "highest_temp",
        r"(?:highest|maximum|max|hottest|warmest)\s+(?:temperatures?|temps?|tempratures?)",
    ),
    ("coldest", r"coldest|chilliest"),
    ("hottest", r"hottest|warmest"),
    (
        "weather",
        r"weather|temperatures?|temps?|temprature|humidity|humid|wind(?:y|s|\s+speed)?|conditions"
        r"|rain(?:ing|y|ed)?|snow(?:ing|y|ed)?|sunny|cloudy|overcast|hot|cold|coldest|hottest"
        r"|warmest|chilliest"
        r"|how\s+(?:hot|cold|warm|strong|windy|humid)|forecast|(?<!tag\s)readings?",
    ),
    (
        "revenue",
        r"revenue|income|money|earn(?:ed|ings)?|takings|collected|sales|gross"
        r"|(?:amount\s+|total\s+)?paid(?![\s]+\x00)",  # not "paid between $80 and $120"
    ),
    ("cheapest", r"cheapest|least\s+expensive|lowest\s+(?:fee|price)"),
    ("priciest", r"most\s+expensive|priciest|highest\s+(?:fee|price)|costliest"),
    (
        "fee",
        r"(?:registration\s+|entry\s+)?(?:fees?|prices?|pricing|priced|costs?|costing)"
        r"|how\s+much\s+(?:does|did"
        r"|is|was|do)(?=.*\bcost)|expensive|cheapest|cheap",
    ),
    # "when does registration close", "registration deadline": the platform's listing
    (
        "registration_window",
        r"registration\s+(?:opens?|opened|opening|closes?|closed|closing|deadline|window|dates?)"
        r"|(?:opens?|opened|closes?|closed)\s+(?:for\s+)?(?:registration|sign[\s-]?ups?)"
        r"|(?:sign[\s-]?ups?|entries)\s+(?:opens?|opened|closes?|closed)"
        r"|(?<=registration\s)(?:opens?|opened|closes?|closed)|(?<=\x00\s)(?:open|close)\b",
    ),
    # "free entries", "comped registrations", "paid nothing": registrations at no charge
    (
        "free_entry",
        r"free\s+(?:entr(?:y|ies)|registrations?|spots?|bibs?|places?)|(?:got|get|had)\s+in\s+free"
        r"|comp(?:ed|ped|limentary)\s+(?:entr(?:y|ies)|registrations?|bibs?|spots?)"
        r"|paid\s+(?:nothing|\$?0(?:\.00)?)|did\s+not\s+pay|(?:entered|registered)\s+for\s+free",
    ),
    # Registering is done on a registration platform (RunSignUp): "how many have registered",
    # "registrants"; the timing roster's people are entrants, entries, participants.
    (
        "registrations",
        r"registrations?|sign[\s-]?ups|registered(?:\s+for)?|registrants?|signed\s+up|enrolled",
    ),
    (
        "entrants",
        r"entrants?|entries|participants?|starters?|field\s+size|entered|(?<=\x00\s)field"
        r"|the\s+field",
    ),
    (
        "results",
        r"results?|finish(?:ers?|ed|es|ing)?(?:\s+times?)?|runners?|racers?|athletes?"
        r"|kids|children|youths?|teens|teenagers"
        r"|(?:chip|net)\s+times?|people|folks|ran|completed|times?|performances?|placings?"
        r"|(?:who\s+)?finished",
    ),
    ("gun_time", r"gun(?:\s+times?)?|clock\s+times?"),
    (
        "per_km",
        r"(?:per|/|a)\s*(?:km|kilomet(?:er|re))|min(?:ute)?s?\s*/\s*km|min(?:ute)?s?\s+per\s+km",
    ),
    ("pace", r"pace|min(?:ute)?s?\s*(?:/|per)\s*(?:km|kilomet(?:er|re)|mile|mi)|per\s+(?:km|mile)"),
    (
        "races_of",
        r"(?:how\s+many|number\s+of|count\s+of|what|which|list(?:\s+the)?|show(?:\s+me)?"
        r"(?:\s+the)?)\s+(?:(?:different|separate)\s+)?(?:races|distances|race\s+distances)"
        r"|races(?=\s+(?:(?:per|by|for\s+each|in\s+each)\b|\x00))"  # "races per event"
        r"|(?:^|\bthe\s+)(?:races|distances)(?=\s+(?:at|of|for)\b)",  # "races at hartford 2024"
    ),
    (
        "events",
        r"events?|races|held|calendar|schedule|on\s+the\s+calendar|happening|taking\s+place|catalog(?:ue)?s?"
        r"|what'?s\s+on|what\s+is\s+on"
        r"|going\s+on|scheduled",
    ),
    (
        "when",
        r"when|what\s+(?:date|day)|which\s+(?:date|day)|(?<!with\s)(?<!their\s)(?<!the\s)dates?(?:\s+of)?",
    ),
    ("where", r"where|what\s+city|which\s+city|location\s+of"),
    (
        "live",
        r"timing\s+data|live\s+(?:timing|results?|data|feed|reads|tracking|view)"
        r"|(?:tag\s+|chip\s+|raw\s+)?reads|real[\s-]?time|tags?\s+(?:seen|read|crossed)",
    ),
    ("fahrenheit", r"(?:in\s+)?(?:fahrenheit|farenheit|°\s?f|degrees\s+f)"),
    ("export", r"csv|export(?:ed|s)?|download(?:able)?|spreadsheet|excel|xlsx"),
    (
        "compare",
        r"compared?|compares|comparing|comparison|vs\.?|versus|side\s+by\s+side"
        r"|difference\s+between|against|chang(?:e|ed|es)\s+(?:from|between)|trend"
        r"|chang(?:e|ed|es)(?=[\s\x00]+(?:from|between|over)?[\s\x00]*(?:\x00|[?.!]*$))",
    ),
    ("faster", r"(?:which|who)\s+(?:was|were|is)\s+(?:faster|quicker|slower)(?:\s+on\s+average)?"),
    ("count", r"how\s+many|number\s+of|counts?|tally|total\s+number|headcount"),
    ("total", r"total|in\s+all|all\s+together"),
    ("average", r"average|avg|mean|typical"),
    ("median", r"median|middle"),
    (
        "distribution",
        r"distribution|histogram|spread|(?:half[\s-]hour|30[\s-]minute)\s+"
        r"(?:buckets?|bins?|bands?|intervals?|blocks?)|buckets?|bins?",
    ),
    ("stats", r"statistics|stats|summary|summari[sz]e|overview|analy[sz]e|analysis"),
    (
        "contact",
        r"contact(?:\s+(?:info|information|details))?|e-?mails?(?:\s+address(?:es)?)?"
        r"|phones?(?:\s+numbers?)?",
    ),
    ("find", r"find|look\s?up|search(?:\s+for)?|locate"),
    (
        "list",
        r"show|list|which|who|display|see|view|what\s+are|what\s+were|names?|roster|everyone"
        r"|everybody",
    ),
    ("pr", r"prs?|pbs?|personal\s+(?:best|record)s?"),
    ("age_word", r"ages?|how\s+old"),
    ("started", r"started|(?:who\s+)?(?:toed|toe)\s+the\s+line"),
    (
        "neutral",
        r"(?:took|takes?|taking)\s+place|editions?|years?|season|overall|ever|all-time|combined"
        r"|data|numbers?|race|event"
        r"|any\s+idea|(?:with\s+)?(?:their\s+)?bibs?(?:\s+numbers?)?|how\s+long|take|took"
        r"|went|passed|crossed|reached|(?:with\s+(?:their\s+|the\s+)?)?dates"
        r"|over\s+the\s+years|through\s+the\s+years|down\s+the\s+years"
        r"|this|timing|read|current(?:ly)?|right\s+now|in\s+total|altogether|together|each|every"
        r"|per|by|on\s+record|so\s+far|to\s+date|yet|at\s+the\s+moment|going\s+on|happening"
        r"|timed|time|hosted|host|hold|held|organi[sz]ed|put\s+on|run|came|come|comes|across"
        r"|everything|history|offered|offer|onwards?|great|beat|put\s+you\s+in|records?"
        r"|recorded|anywhere|among|went\s+through|use|used|during|race[\s-]day|all\s+years"
        r"|to\s+enter|same(?:\s+(?:for|but|thing|with))?|instead|again|too|as\s+well|breakdown"
        r"|broken\s+down|(?:during|because\s+of|due\s+to)\s+(?:covid(?:-19)?|the\s+pandemic)"
        r"|break(?:s)?\s+(?:(?:it|that|them|this)\s+)?down|roughly|approximately|approx|more\s+or\s+less"
        r"|(?:the\s+)?finish(?:ing)?\s+line|\bthe\s+\x00+\s+line|seen|spotted|picked\s+up"
        r"|covid(?:-19)?|(?:the\s+)?pandemic|itself|actually|really|exactly"
        r"|\bthe\s+(?:city|town)(?!\s+of\b)|looking\s+at|on\s+offer|offering|on\s+the\s+program(?:me)?"
        r"|(?<=the\s)line|but(?=\s+(?:\x00|(?:did|do|does|was|were|had|have|has|never|then)\b))"
        r"|(?:what|which)\s+(?:place|position)|placed|placing|finish(?:ing)?\s+position"
        r"|(?:his|her|their|its)\s+(?:overall\s+|finishing\s+)?(?:place|position|placing|rank)",
    ),
)
FLAG_PATTERNS = tuple((flag, re.compile(rf"\b(?:{words})\b")) for flag, words in _WORD_FLAGS)


def extract_keywords(scan: Scan) -> None:
    """Marked, not blanked: later flags may read the same words ("events" after "how many")."""
    for flag, pattern in FLAG_PATTERNS:
        for match in scan.finditer(pattern):
            if flag == "neutral":
                scan.mark(match.start(), match.end())
                continue
            scan.take(match.start(), match.end())
            scan.flags.add(flag)
            if flag == "races_of" and match[0].startswith(("how", "number", "count")):
                scan.flags.add("count")
            if flag == "entrants" and match[0].startswith("field"):
                scan.flags.add("count")  # "the field size": how many entered


# Group-by words: "by state", "per age group", "for each division", "state by state".
GROUP_WORDS: tuple[tuple[str, str], ...] = (
    (
        "age_group",
        r"age[\s-]?groups?|age\s+brackets?|age\s+categor(?:y|ies)|age\s+bands?|decades?"
        r"|ages?",
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
    ("distance_km", r"distances?"),
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
    r"\b(?:(?:across|over)\s+(?:all|every|any)|(?:in|at|for)\s+all)"
    r"(?:\s+(?:of\s+)?(?:the|our|their))?"
    r"\s+(?:events?|races?|years|editions|seasons)\b"
)  # "across all years": every edition counted together, not one row a year


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
    rf"\s*(?:,|and|&|then|plus|as\s+well\s+as)\s+(?:(?:by|per|each)\s+)?(?:{_GROUP_ALTS})\b"
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
    rf"\b(?:which|what|any|each|every)\s+(?:[\w\x00]+\s+)?(?:{_GROUP_ALTS})\b"
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


def extract_groups(scan: Scan) -> None:
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
            scan.group_by.append("year")
    ranked = "rank_measure" in scan.slots or scan.slots.get("rank", ("",))[0] in _WEATHER_FIELDS
    if ranked and not scan.group_by:
        for match in scan.finditer(_RANKED_GROUP):
            name = _name_of(match)
            if name is not None:
                scan.take(match.start(), match.end())
                scan.group_by.append(name)
                if _PLURAL_GROUP.search(match[0]):
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


# -- percentiles ------------------------------------------------------------------------------
_PERCENTILE = re.compile(
    r"\b(?:(?P<n>\d{1,2}(?:\.\d)?)(?:st|nd|rd|th)?\s*(?:percentile|pct|%ile)|p(?P<p>\d{2})"
    r"|(?P<q>first|third|1st|3rd|upper|lower)\s+quartile)\b"
)


_SHARE = re.compile(
    r"\b(?:(?P<top>fastest|top|best|quickest|first)|(?P<bottom>slowest|bottom|last))\s+"
    r"(?P<n>\d{1,2})\s?(?:%|percent|per\s+cent)(?:\s+of)?"
)
_QUARTILES = re.compile(
    r"\b(?:quartiles|interquartile(?:\s+range)?"
    r"|(?<!first\s)(?<!third\s)(?<!1st\s)(?<!3rd\s)(?<!upper\s)(?<!lower\s)"
    r"quartile(?=\s+(?:finish(?:ing)?\s+)?times?\b))\b"
)
# "the 25th, 50th and 75th percentiles": one word for several
_PERCENTILE_LIST = re.compile(
    r"\b(?P<list>(?:\d{1,2}(?:st|nd|rd|th)?\s*(?:,\s*(?:and\s+)?|and\s+|&\s*))+\d{1,2}"
    r"(?:st|nd|rd|th)?)\s*percentiles\b"
)


def extract_percentiles(scan: Scan) -> None:
    """ "90th percentile", "p95", "the fastest 10%" (the 10th percentile time), "quartiles"."""
    for match in scan.takeall(_SHARE):
        n = float(match["n"])
        scan.slots.setdefault("percentiles", []).append(n if match["top"] else 100 - n)
    quartiles = bool(scan.takeall(_QUARTILES))
    for match in scan.takeall(_PERCENTILE_LIST):
        for said in re.findall(r"\d{1,2}", match["list"]):
            if 0 < (value := float(said)) < 100 and value not in scan.slots.get("percentiles", []):
                scan.slots.setdefault("percentiles", []).append(value)
        quartiles = False  # said one by one
    if quartiles:
        scan.slots.setdefault("percentiles", []).extend([25.0, 50.0, 75.0])
    for match in scan.takeall(_PERCENTILE):
        if match["q"]:
            value = 25.0 if match["q"] in ("first", "1st", "lower") else 75.0
        else:
            value = float(match["n"] or match["p"])
        if 0 < value < 100:
            scan.slots.setdefault("percentiles", []).append(value)
        else:
            scan.note("ignored a percentile outside 1-99", 0.5)
