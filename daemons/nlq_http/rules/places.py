"""Places: US states (names and postal codes) and the cities the data knows.

"from Texas", "runners from Portland", "who live in Ohio" are where runners live
(the participant's state or city); "in Texas", "held in Boston" are where events
are. A city that begins an event's name ("at Boston") is left to the event names.
Postal codes count only written in capitals ("TX"), and the ones that are also
English words ("IN", "OR", "ME", "OK", "HI") only after a cue ("from OR").
"""

from __future__ import annotations

import re

from ..query import Op
from .scan import Scan
from .words import EVENT_GENERIC, lower

STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA",
    "kansas": "KS", "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD",
    "massachusetts": "MA", "michigan": "MI", "minnesota": "MN", "mississippi": "MS",
    "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV", "new hampshire": "NH",
    "new jersey": "NJ", "new mexico": "NM", "new york": "NY", "north carolina": "NC",
    "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
    "rhode island": "RI", "south carolina": "SC", "south dakota": "SD", "tennessee": "TN",
    "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "district of columbia": "DC",
    "washington dc": "DC", "washington d.c.": "DC",
}  # fmt: skip
# What a state's residents are called: "Virginians", "excluding Texans", "non-New Yorkers".
_RESIDENTS = {
    "alabamian": "AL", "alaskan": "AK", "arizonan": "AZ", "arkansan": "AR", "californian": "CA",
    "coloradan": "CO", "delawarean": "DE", "floridian": "FL", "hawaiian": "HI",
    "idahoan": "ID", "illinoisan": "IL", "hoosier": "IN", "iowan": "IA", "kansan": "KS",
    "kentuckian": "KY", "louisianan": "LA", "mainer": "ME", "marylander": "MD",
    "bay stater": "MA", "michigander": "MI", "minnesotan": "MN", "mississippian": "MS",
    "missourian": "MO", "montanan": "MT", "nebraskan": "NE", "nevadan": "NV",
    "new hampshirite": "NH", "new jerseyan": "NJ", "new mexican": "NM", "new yorker": "NY",
    "north carolinian": "NC", "north dakotan": "ND", "ohioan": "OH", "oklahoman": "OK",
    "oregonian": "OR", "pennsylvanian": "PA", "rhode islander": "RI",
    "south carolinian": "SC", "south dakotan": "SD", "tennessean": "TN", "texan": "TX",
    "utahn": "UT", "vermonter": "VT", "virginian": "VA", "washingtonian": "WA",
    "west virginian": "WV", "wisconsinite": "WI", "wyomingite": "WY",
}  # fmt: skip
COUNTRIES = {
    "united states of america": "US", "united states": "US", "usa": "US", "u.s.a.": "US",
    "u.s.": "US", "america": "US", "american": "US", "americans": "US",
    "canada": "CA", "canadian": "CA", "canadians": "CA", "mexico": "MX", "mexican": "MX",
    "kenya": "KE", "kenyan": "KE", "kenyans": "KE", "ireland": "IE", "irish": "IE",
    "brazil": "BR", "brazilian": "BR", "united kingdom": "GB", "great britain": "GB",
    "britain": "GB", "british": "GB", "uk": "GB", "england": "GB", "english": "GB",
    "germany": "DE", "german": "DE", "germans": "DE", "japan": "JP", "japanese": "JP",
    "france": "FR", "french": "FR", "italy": "IT", "italian": "IT", "spain": "ES",
    "spanish": "ES", "australia": "AU", "australian": "AU", "ethiopia": "ET",
    "ethiopian": "ET", "china": "CN", "chinese": "CN", "india": "IN", "indian": "IN",
    "netherlands": "NL", "dutch": "NL", "sweden": "SE", "swedish": "SE", "norway": "NO",
    "norwegian": "NO", "denmark": "DK", "danish": "DK", "south africa": "ZA",
    "new zealand": "NZ", "argentina": "AR", "colombia": "CO", "switzerland": "CH",
    "swiss": "CH", "poland": "PL", "polish": "PL",
}  # fmt: skip
# "non-US", "not from Ohio", "outside the US", "excluding Texas": the place is excluded.
_NOT = (
    r"(?P<neg>(?:who\s+(?:are|were|is|was)\s+)?(?:not|never)\s+|non[\s-]?|outside\s+(?:of\s+)?"
    r"|excluding\s+|except(?:\s+for)?\s+|other\s+than\s+|apart\s+from\s+|besides\s+)?"
)
_COUNTRY_NAMES = "|".join(sorted((re.escape(n) for n in COUNTRIES), key=len, reverse=True))
_WORDLIKE_CODES = frozenset({"IN", "OR", "ME", "OK", "HI", "ID", "DE", "LA", "MA", "PA", "OH"})
_CODES = frozenset(STATES.values())
_HOME_CUE = (
    r"(?:(?:who\s+)?(?:came|come|comes|are|were|is|was|hail(?:s|ed)?)\s+from|from"
    r"|(?:who\s+)?(?:live|lives|lived|living|reside|resides|residing)\s+in(?:\s+the\s+city\s+of)?"
    r"|residents?\s+of|based\s+in"
    r"|hometown(?:\s+(?:of|is))?|home\s+(?:state|city)(?:\s+(?:of|is))?)"
)
_EVENT_CUE = r"(?:in|held\s+in|located\s+in|at)"
_STATE_NAMES = "|".join(sorted((re.escape(n) for n in STATES), key=len, reverse=True))
_STATE = re.compile(
    rf"(?<![\w-]){_NOT}(?:(?P<home>{_HOME_CUE})\s+|(?P<at>{_EVENT_CUE})\s+)?(?:the\s+state\s+of\s+)?"
    rf"(?P<name>{_STATE_NAMES})\b(?!\s+(?:marathon|half|\d))"
)
_MORE_STATES = re.compile(
    rf"\s*(?:,\s*)?(?:or|and|nor|,)\s+(?:from\s+|in\s+)?(?:the\s+state\s+of\s+)?"
    rf"(?P<name>{_STATE_NAMES})\b(?!\s+(?:marathon|half|\d))"
)
_COUNTRY = re.compile(
    rf"(?<![\w-]){_NOT}(?:(?P<home>{_HOME_CUE})\s+|(?P<at>{_EVENT_CUE})\s+)?(?:the\s+)?"
    rf"(?P<name>{_COUNTRY_NAMES})(?![\w.])"
)
_US = re.compile(
    rf"(?<![\w-]){_NOT.replace('?P<neg>', '?P<neg>')}(?:(?P<home>{_HOME_CUE})\s+)?(?:the\s+)?US\b"
)
# "not from the us": lower case, "us" is the country only after "the"
_THE_US = re.compile(rf"(?<![\w-]){_NOT}(?:(?P<home>{_HOME_CUE})\s+)?the\s+u\.?s\.?(?:a\.?)?(?!\w)")
_RESIDENT_NAMES = "|".join(sorted((re.escape(n) for n in _RESIDENTS), key=len, reverse=True))
_RESIDENT = re.compile(rf"(?<![\w-]){_NOT}(?:the\s+)?(?P<name>{_RESIDENT_NAMES})s?\b")
_CODE = re.compile(
    rf"\b{_NOT}(?:(?P<home>{_HOME_CUE})|(?P<at>{_EVENT_CUE})\s+)?\s*(?P<code>[A-Z]{{2}})\b"
)
_CITY_CUE = re.compile(
    rf"\b(?:(?P<home>{_HOME_CUE})|(?P<at>{_EVENT_CUE}))\s+(?:the\s+)?(?P<said>(?:city|town)\s+of\s+)?"
)
# "in Chicago (the city)", "in Hartford itself, the city": the place, not its event
_EVENTS_ASKED = re.compile(r"\b(?:events|races)\b(?!\s+(?:of|at)\b)")
_CITY_SAID = re.compile(r"[\s(]*(?:itself\W+)?the\s+(?:city|town)\b")
_CITY_WORD = re.compile(r"[A-Za-z][\w.'-]*")


def _place(scan: Scan, kind: str, home: bool, value: str, negated: bool = False) -> None:
    field = kind if home or negated or kind == "country" else f"event_{kind}"
    scan.add(field, Op.NE if negated else Op.EQ, value)


# "Connecticut runners", "CT women": people who live there, not events held there
_PEOPLE_NEXT = re.compile(
    r"\s+(?:-based\s+)?(?:runners?|finishers?|entrants?|participants?|athletes?|racers?|people"
    r"|residents?|women|men|males?|females?|locals?|folks|registrants?|kids|juniors?|masters)\b"
)


def _people_next(scan: Scan, match: re.Match[str]) -> bool:
    return not match["at"] and _PEOPLE_NEXT.match(scan.low, match.end()) is not None


# "international finishers", "runners from abroad": from outside the US (the data's home)
_ABROAD = re.compile(
    r"\b(?:international|foreign|overseas|non[\s-]?american)(?=\s+(?:finishers?|runners?|athletes?"
    r"|entrants?|participants?|registrants?|people|women|men)\b)|\bfrom\s+(?:abroad|overseas)\b"
)


def extract_places(scan: Scan) -> None:
    if scan.takeall(_ABROAD):
        _place(scan, "country", True, "US", True)
    for match in scan.finditer(_COUNTRY):
        scan.take(match.start(), match.end())
        _place(scan, "country", True, COUNTRIES[match["name"]], bool(match["neg"]))
    for match in (*_US.finditer(scan.cased), *scan.finditer(_THE_US)):
        scan.take(match.start(), match.end())
        _place(scan, "country", True, "US", bool(match["neg"]))
    for match in scan.finditer(_RESIDENT):  # where runners live
        scan.take(match.start(), match.end())
        _place(scan, "state", True, _RESIDENTS[match["name"]], bool(match["neg"]))
        scan.flags.add("results")  # "how many Texans finished": people
    listed_until = -1
    for match in scan.finditer(_STATE):
        if match.start() < listed_until:
            continue  # read already, as the next of a list ("not from Virginia or Ohio")
        cued = match["home"] or match["at"] or match["neg"]
        if not cued and scan.text[match.start("name")].islower() and not _people_next(scan, match):
            # A bare lower-case state name ("washington") may be a surname or a city; before
            # runners ("illinois finishers") it is where they live.
            continue
        scan.take(match.start(), match.end())
        home = bool(match["home"]) or _people_next(scan, match)
        _place(scan, "state", home, STATES[match["name"]], bool(match["neg"]))
        end = match.end()
        while cued and (more := _MORE_STATES.match(scan.work, end)) is not None:
            # "not from Virginia or North Carolina": the cue and the negation hold for each
            scan.take(more.start(), more.end())
            _place(scan, "state", home, STATES[more["name"]], bool(match["neg"]))
            end = listed_until = more.end()
    for match in _CODE.finditer(scan.cased):
        code = match["code"]
        cued = match["home"] or match["at"] or match["neg"]
        if code not in _CODES or (code in _WORDLIKE_CODES and not cued):
            continue
        scan.take(match.start(), match.end())
        _place(scan, "state", bool(match["home"]) or _people_next(scan, match), code,
               bool(match["neg"]))  # fmt: skip
    _extract_cities(scan)


def _extract_cities(scan: Scan) -> None:
    """A cue, then up to three words that together are a city of the data."""
    if not scan.vocab.cities:
        return
    for cue in list(scan.finditer(_CITY_CUE)):
        words = []
        pos = cue.end()
        for _ in range(3):
            word = _CITY_WORD.match(scan.cased, pos)
            if word is None:
                break
            words.append(word)
            pos = word.end() + 1
        for n in range(len(words), 0, -1):
            said = lower(scan.text[words[0].start() : words[n - 1].end()])
            if said not in scan.vocab.cities:
                continue
            after = scan.low[words[n - 1].end() :]
            city_said = (
                cue["said"] is not None
                or _CITY_SAID.match(after) is not None
                # "events in Chicago": the events held there, not the Chicago Marathon
                or (bool(cue["at"]) and cue["at"] != "at" and _EVENTS_ASKED.search(scan.low))
            )
            if not city_said and (
                _EVENT_WORD.match(after)
                or (
                    _begins_event(scan, said, after)
                    and (not cue["home"] or _YEAR_NEXT.match(after))
                )
            ):
                break  # "at Boston", "from Hartford 2024": the event; "Big Sur Marathon": a name
            end = words[n - 1].end()
            if (named := _CITY_SAID.match(scan.low, end)) is not None:
                end = named.end()  # "(the city)" said: taken with the city
            scan.take(cue.start(), end)
            _place(
                scan, "city", bool(cue["home"]), scan.text[words[0].start() : words[n - 1].end()]
            )
            break


_EVENT_WORD = re.compile(
    r"\s*(?:marathon|half|ultra|\d{1,3}\s?-?\s?(?:k|km|mile|miler)s?\b|road\s+race)"
)
_YEAR_NEXT = re.compile(r"\s*(?:'|,)?\s*(?:19|20)\d\d\b")


def _begins_event(scan: Scan, city: str, after: str) -> bool:
    """ "at Boston" names the Boston Marathon (the city and generic words), "at Albany
    Lakefront" the Albany Lakefront 10 Miler (the name goes on as said); "in Albany" alone
    is a place."""
    said_next = after.split()[:1]
    for name in scan.vocab.event_names:
        low = lower(name)
        if low.startswith(city + " "):
            rest = low[len(city) + 1 :].split()
            if all(w in EVENT_GENERIC or w.isdigit() for w in rest) or rest[:1] == said_next:
                return True
    return False
