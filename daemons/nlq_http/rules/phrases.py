"""Phrases for the model's vocabulary: what is counted, measured, grouped, and which status.

Each table below maps the words people use onto names of ``model.MODEL``
(entities, measures, dimensions, enum values). Extractors take what they
match; ``resolve`` then builds the query from the flags and slots they leave.
Adding a synonym here is how coverage grows.
"""

from __future__ import annotations

import re

from .scan import Scan

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
    # "paid something", "not counting free entries", "paying registrants": more than nothing.
    # Before "free_entry", which "not counting free entries" would otherwise be.
    (
        "paid_entry",
        r"paid\s+(?:something|anything|money|at\s+all)|paying\s+(?:registrants|entrants|runners"
        r"|customers)|paid\s+(?:entries|registrations)"
        r"|(?:so\s+)?(?:not\s+counting|excluding|leaving\s+out|except(?:\s+for)?|without|other\s+than)"
        r"\s+(?:the\s+)?(?:free|comp(?:ed|ped|limentary))\s+(?:entr(?:y|ies)|registrations?|ones)",
    ),
    # Before "revenue", which takes "paid".
    # "free entries", "comped registrations", "paid nothing": registrations at no charge
    (
        "free_entry",
        r"free\s+(?:entr(?:y|ies)|registrations?|spots?|bibs?|places?)|(?:got|get|had)\s+in\s+free"
        r"|comp(?:ed|ped|limentary)\s+(?:entr(?:y|ies)|registrations?|bibs?|spots?)"
        r"|paid\s+(?:nothing|\$?0(?:\.00)?)|did\s+not\s+pay|(?:entered|registered)\s+for\s+free"
        r"|nothing\s+paid|(?:at|for)\s+no\s+(?:cost|charge)|without\s+paying",
    ),
    # "the biggest single payment", "the most anyone paid": one registration's amount paid
    (
        "highest_paid",
        r"(?:biggest|largest|highest|top|max(?:imum)?)\s+(?:single\s+|individual\s+)?"
        r"(?:registration\s+)?(?:payments?|amounts?\s+paid|(?:entry\s+)?fees?\s+paid)"
        r"|most\s+(?:any(?:one|body)|some(?:one|body)|a\s+(?:registrant|runner|person))"
        r"\s+(?:has\s+|have\s+|ever\s+)*paid"
        r"|(?:biggest|largest|highest)\s+(?:single\s+)?amount\s+(?:any(?:one|body)|some(?:one|body))"
        r"\s+(?:has\s+|have\s+|ever\s+)*paid",
    ),
    (
        "lowest_paid",
        r"(?:smallest|lowest|min(?:imum)?)\s+(?:single\s+|individual\s+)?"
        r"(?:registration\s+)?(?:payments?|amounts?\s+paid|(?:entry\s+)?fees?\s+paid)"
        r"|least\s+(?:any(?:one|body)|some(?:one|body)|a\s+(?:registrant|runner|person))"
        r"\s+(?:has\s+|have\s+|ever\s+)*paid",
    ),
    (
        "revenue",
        r"revenue|income|money|earn(?:ed|ings)?|takings|collected|sales|gross"
        r"|(?:taken|took|brought|bring|take)\s+in|raised"
        r"|(?:amount\s+|total\s+)?paid(?![\s]+\x00)",  # not "paid between $80 and $120"
    ),
    (
        "cheapest",
        r"cheapest|least\s+expensive|(?:lowest|smallest)\s+(?:entry\s+|registration\s+)?(?:fee|price)",
    ),
    (
        "priciest",
        r"most\s+expensive|priciest|costliest"
        r"|(?:highest|biggest|largest|steepest)\s+(?:entry\s+|registration\s+)?(?:fee|price)",
    ),
    (
        "fee",
        r"(?:registration\s+|entry\s+)?(?:fees?|prices?|pricing|priced|costs?|costing)"
        r"|how\s+much\s+(?:does|did"
        r"|is|was|do)(?=.*\bcost)|expensive|cheapest|cheap",
    ),
    # "when does registration close", "registration deadline": the platform's listing
    (
        "registration_window",
        r"registration\s+(?:(?:opens?|opening)\s+and\s+(?:closes?|closing)\b|opens?|opened|opening"
        r"|closes?|closed|closing|deadline|window|dates?)"
        r"|(?:opens?|opened|closes?|closed)\s+(?:for\s+)?(?:registration|sign[\s-]?ups?)"
        r"|(?:sign[\s-]?ups?|entries)\s+(?:opens?|opened|closes?|closed)"
        r"|(?<=registration\s)(?:opens?|opened|closes?|closed)|(?<=\x00\s)(?:open|close)\b",
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
        r"|(?:chip|net)\s+times?|people|folks|ran|completed|performances?|placings?"
        r"|(?<!\bwe\s)(?<!\bthey\s)(?<!\byou\s)times?"  # "which events did we time": a verb
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
        r"when|what\s+(?:date|day)|which\s+(?:date|day)|(?<!with\s)(?<!their\s)(?<!the\s)dates?(?:\s+of)?"
        r"|what(?:'s|\s+is|\s+was|\s+are|\s+were)\s+the\s+dates?(?:\s+of)?"
        # "when does the trail series end", "its end date": the events' end_date column
        r"|(?:the\s+)?end\s+dates?(?:\s+of)?|(?<=\s)(?:end|ends|wrap\s+up|conclude)(?=\s*[?.!]*$)",
    ),
    ("where", r"where|what\s+city|which\s+city|location\s+of"),
    (
        "live",
        r"timing\s+data|live\s+(?:timing|results?|data|feed|reads|tracking|view)"
        r"|(?:tag\s+|chip\s+|raw\s+)?reads|read\s+counts?|real[\s-]?time"
        r"|tags?\s+(?:seen|read|crossed)",
    ),
    ("fahrenheit", r"(?:in\s+)?(?:fahrenheit|farenheit|°\s?f|degrees\s+f)"),
    ("export", r"csv|export(?:ed|s)?|download(?:able)?|spreadsheet|excel|xlsx"),
    (
        "compare",
        r"compared?|compares|comparing|comparison|vs\.?|versus|side\s+by\s+side"
        r"|difference\s+between|against|chang(?:e|ed|es)\s+(?:from|between)|trend"
        r"|chang(?:e|ed|es)(?=[\s\x00]+(?:from|between|over)?[\s\x00]*(?:\x00|[?.!]*$))"
        # "the median both years" (faster or slower: comparisons.py)
        r"|(?:for\s+|in\s+)?both\s+(?:years|editions)",
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
        r"|phones?(?:\s+numbers?)?|how\s+(?:to|we\s+can|I\s+can)\s+(?:reach|contact|get\s+hold\s+of)"
        r"(?:\s+them)?",
    ),
    ("find", r"find|look\s?up|search(?:\s+for)?|locate"),
    (
        "list",
        r"show|list|which|who|display|see|view|what\s+are|what\s+were|names?|roster|everyone"
        r"|everybody",
    ),
    ("pr", r"prs?|pbs?|personal\s+(?:best|record)s?"),
    # "the oldest women's age group" of the standards: a band, one row (resolve.py)
    ("age_band", r"age\s+(?:groups?|bands?|brackets?|categor(?:y|ies))"),
    ("age_word", r"ages?|how\s+old"),
    ("started", r"started|(?:who\s+)?(?:toed|toe)\s+the\s+line"),
    (
        "neutral",
        # before "per" and "overall": the longer phrase first
        r"per\s+(?:person|head|runner|registrant|entrant|participant|capita)"
        r"|overall\s+(?:place|position|placing|rank|finish)"  # "Wardian's overall place": shown
        r"|(?:took|takes?|taking)\s+place|editions?|years?|season|overall|ever|all-time|combined"
        r"|data|numbers?|race|event"
        r"|any\s+idea|(?:with\s+)?(?:their\s+)?bibs?(?:\s+numbers?)?|how\s+long|take|took"
        r"|went|passed|crossed|reached|(?:with\s+(?:their\s+|the\s+)?)?dates"
        r"|over\s+the\s+years|through\s+the\s+years|down\s+the\s+years"
        r"|this|timing|read|current(?:ly)?|right\s+now|in\s+total|altogether|together|each|every"
        r"|per|by|on\s+record|so\s+far|to\s+date|yet|at\s+the\s+moment|going\s+on|happening"
        r"|timed|time|hosted|host|hold|held|organi[sz]ed|put\s+on|run|came|come|comes|across"
        r"|everything|history|offered|offer|onwards?|great|beat|put\s+you\s+in|records?"
        r"|recorded|anywhere|among|represented|went\s+through|use|used|during|race[\s-]day|all\s+years"
        r"|to\s+enter|same(?:\s+(?:for|but|thing|with))?|instead|again|too|as\s+well|breakdown"
        r"|broken\s+down|(?:during|because\s+of|due\s+to)\s+(?:covid(?:-19)?|the\s+pandemic)"
        r"|break(?:s)?\s+(?:(?:it|that|them|this)\s+)?down|roughly|approximately|approx|more\s+or\s+less"
        r"|(?:the\s+)?finish(?:ing)?\s+line|\bthe\s+\x00+\s+line|seen|spotted|picked\s+up"
        r"|covid(?:-19)?|(?:the\s+)?pandemic|itself|actually|really|exactly"
        r"|\bthe\s+(?:city|town)(?!\s+of\b)|looking\s+at|on\s+offer|offering|on\s+the\s+program(?:me)?"
        r"|(?<=the\s)line|but(?=\s+(?:\x00|(?:did|do|does|was|were|had|have|has|never|then)\b))"
        r"|(?:what|which)\s+(?:place|position)|placed|placing|finish(?:ing)?\s+position"
        r"|(?:his|her|their|its)\s+(?:overall\s+|finishing\s+)?(?:place|position|placing|rank)"
        # "counting every year", "taking them together", "gone under", "the bib he wore"
        r"|counting|taking|gone|wear|wore|worn|along\s+with|at\s+some\s+point|hit"
        r"|(?<!pace\s)in\s+(?:km|kilomet(?:er|re)s)(?=\s*[?.!]*$)"  # a race's length, shown in km
        r"|\b(?:did|does|do)\s+(?:he|she|they)\s+(?:place|rank)",  # "where did he place": shown
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
            if flag in ("cheapest", "priciest"):
                scan.flags.add("fee")  # "the highest fee" is taken whole: a fee is asked


# -- percentiles ------------------------------------------------------------------------------
_PERCENTILE = re.compile(
    r"\b(?:(?P<n>\d{1,2}(?:\.\d)?)(?:st|nd|rd|th)?\s*(?:percentile|pct|%ile)|p(?P<p>\d{2})"
    r"|(?P<q>first|third|1st|3rd|upper|lower)\s+quartile)\b"
)


_SHARE = re.compile(
    # "the time that marked the start of the slowest 10%": that percentile's time
    r"\b(?:(?:marked|marks|mark|was|is)\s+)?(?:the\s+)?(?:(?:start|beginning|edge|cut-?off"
    r"|boundary|threshold|border)\s+(?:of|for|into)\s+(?:the\s+)?)?"
    r"(?:(?P<top>fastest|top|best|quickest|first)|(?P<bottom>slowest|bottom|last))\s+"
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


_IQR = re.compile(r"\b(?:inter[\s-]?quartile\s+(?:range|spread)|iqr)\b")


def extract_percentiles(scan: Scan) -> None:
    """ "90th percentile", "p95", "the fastest 10%" (the 10th percentile time), "quartiles"."""
    if scan.takeall(_IQR):  # the spread of the middle half: one value, not the three quartiles
        scan.flags.add("iqr")
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
