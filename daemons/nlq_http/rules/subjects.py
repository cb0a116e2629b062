"""Which entity a question is about: the most specific subject word wins (standards, weather,
revenue, fees, splits, outcomes, races of an event, entrants, events, finishers), and a bare
noun phrase of people ("dnfs at chicago 2023") is a headcount.
"""

from __future__ import annotations

import re

from .scan import Scan

COUNTED = re.compile(
    r"\b(?:how\s+many|number\s+of|count\s+of|total\s+number\s+of)\s+(?:\W*\w+\W+){0,3}?"
    r"(?P<noun>events|races|finishers|runners|entrants|participants"
    r"|registrations|registrants|sign\W?ups|people|starters)\b"
)
_TIMED = re.compile(r"\b(?:have|has|had|did)\s+(?:we|they|you|you\s+all)\s+(?:ever\s+)?timed\b")
_NOUN_ENTITY = {
    "events": "events", "races": "races", "finishers": "finishers", "runners": "finishers",
    "entrants": "entrants", "participants": "entrants",
    "starters": "entrants", "registrants": "registrations", "registrations": "registrations",
}  # fmt: skip


# Nouns that name people counted, and the words that ask for their rows instead.
_HEADCOUNT_NOUN = re.compile(
    r"\b(?:finishers|runners|entrants|participants|starters|registrations|registrants"
    r"|sign-?ups|dnfs|dnss?|dqs|dq'?s|women|men|females|males|did[\s-]+not[\s-]+(?:starts|finishes)"
    r"|no[\s-]?shows|drop[\s-]?outs|non[\s-]?(?:finishers|starters))\b"
)
_ROWS_WANTED = re.compile(
    r"\b(?:results?|times?|splits?|names?|who|whom|what|which|when|where|list|show|give|get"
    r"|find|tell|display|export|download|csv|roster|details?|everyone|all|each|every|their"
    r"|them|bibs?|ages?|places?|paces?|fastest|slowest|top|first|last)\b"
    r"(?!\s+(?:the\s+)?(?:year|month|week|weekend|season|spring|summer|fall|autumn|winter|time"
    r"|race|distance|edition)s?\b)"  # "finishers all races": every race's, counted
)
_LISTING_FLAGS = frozenset({"list", "find", "export", "contact", "pr", "age_word", "pace"})


def terse_headcount(scan: Scan, entity: str) -> bool:
    """A bare noun phrase of people ("dnfs at chicago 2023"), with no word asking for rows."""
    if entity not in ("finishers", "entrants", "registrations") or scan.flags & _LISTING_FLAGS:
        return False
    if scan.group_by or scan.slots.get("person") is not None:
        return False
    if any(scan.slots.get(s) for s in ("rank", "limit", "order", "offset", "per_group")):
        return False
    return bool(_HEADCOUNT_NOUN.search(scan.low)) and not _ROWS_WANTED.search(scan.low)


def _about_sessions(scan: Scan) -> bool:
    """ "which event is session 2 for", "list the timing sessions": the sessions themselves,
    not their reads (no reads, tags or mat said)."""
    fields = {f.field for f in scan.filters}
    said = "sessions" in scan.flags or "session_id" in fields
    return said and not scan.flags & {"live", "tags"} and "location" not in fields


def entity_for(scan: Scan, previous: str | None = None) -> str:
    flags = scan.flags
    if scan.slots.get("rate_entity"):
        return str(scan.slots["rate_entity"])  # "the DNF rate": of the entrants who started
    if scan.slots.get("having_of"):
        return str(scan.slots["having_of"])  # "events with more than 2 races": races counted
    if _about_sessions(scan):
        return "sessions"
    if {f.field for f in scan.filters} & {"had_rain", "had_snow"}:
        return "events"  # "which editions had rain": the events, by their day's weather
    counted = COUNTED.search(scan.low)
    quiet = {"standards", "weather", "splits", "revenue", "live", "fee", "boston_qualifier"}
    listed = _listed_events(scan, counted)
    if counted is not None and not flags & quiet and not scan.slots.get("provider") and not listed:
        noun = _NOUN_ENTITY.get(counted["noun"], "registrations")
        if counted["noun"] == "people":  # "how many people …" says nothing of its own
            noun = "finishers"
            outcome = any(f.field == "outcome" for f in scan.filters)
            paying = flags & {"registrations", "free_entry", "paid_entry", "highest_paid",
                              "lowest_paid"}  # fmt: skip
            if paying and "started" not in flags and not outcome:
                noun = "registrations"  # "how many people have registered (paid nothing)"
            elif flags & {"entrants", "started"} or outcome:  # "signed up but did not start"
                noun = "entrants"
        fields = {f.field for f in scan.filters}
        if noun in ("events", "races") and scan.slots.get("person") is not None:
            return "finishers"  # "how many races has Wardian run (won)": his results
        if noun not in ("events", "races") or not (fields & {"outcome", "chip_time", "age", "sex"}):
            if noun == "finishers" and ("outcome" in fields or "started" in flags):
                return "entrants"  # "how many runners started": everyone but the no-shows
            return noun
    fields = {f.field for f in scan.filters}
    if "session_id" in fields or flags & {"live", "per_session"}:
        return "live_reads"
    people = (
        flags & {"boston_qualifier", "results", "entrants"}
        or scan.slots.get("person")
        or scan.events
    )
    if "standards" in flags and not people:
        return "standards"
    if "standards" in flags:
        flags.add("boston_qualifier")  # "runners who met the 2025 standards"
    if flags & {"weather", "lowest_temp", "highest_temp", "coldest", "hottest"}:
        return "weather"
    if "races_listed" in flags:
        return "races"  # "the longest race we've put on": races by their distance
    if "start_time" in flags and (scan.events or "races_of" in flags):
        return "races"  # "what time does the 5K start": the race's start time
    if "registration_window" in flags:
        return "listings"  # "when does registration close for X": the platform's listing
    if listed:
        return "listings"  # "how many RunSignUp events in 2025": the platform's own list
    runsignup = scan.slots.get("provider") == "runsignup"
    if runsignup and flags & {"entrants", "registrations"} and "fee" not in flags:
        return "registrations"  # "registered on RunSignUp"
    if flags & {"free_entry", "paid_entry"}:
        return "registrations"  # "how many got a free entry": paid nothing to register
    if "registrations" in flags and "outcome" in fields:
        return "entrants"  # "signed up but never started": the timed entrants have outcomes
    if flags & {"revenue", "paid", "highest_paid", "lowest_paid"} or (
        "registrations" in flags and "fee" not in flags
    ):
        return "registrations"
    if "fee" in flags or "fee" in fields:
        return "fees"
    if ("splits" in flags or "timing_point" in fields) and "negative_split" not in fields:
        return "splits"  # a negative split is the finisher's, not a split row
    if "outcome" in fields or "started" in flags:
        return "entrants"
    if "races_of" in flags and scan.events:
        return "races"
    if scan.slots.get("person") is not None and _TIMED.search(scan.low) and "results" not in flags:
        return "entrants"  # "how many O'Briens have we timed": everyone timed, finished or not
    if scan.slots.get("person") is not None or "boston_qualifier" in flags:
        return "finishers"
    if "entrants" in flags:
        return "entrants"
    if flags & {"results", "pace", "gun_time", "fastest_time", "slowest_time"}:
        return "finishers"
    if scan.slots.get("provider") == "runsignup" and "entrants" in flags:
        return "registrations"  # "registered on RunSignUp"
    if scan.slots.get("provider") in ("runsignup", "raceroster"):
        return "fees"  # the registration platforms' events are known by their fees
    if flags & {"events", "when", "where", "races_of"} or "event_status" in fields:
        return "events"
    return previous or "finishers"


def _listed_events(scan: Scan, counted: re.Match[str] | None) -> bool:
    """Events said of a registration platform, with no fee or registration asked for."""
    provider = scan.slots.get("provider") in ("runsignup", "raceroster", "haku") or (
        "provider" in scan.group_by
    )
    events = "events" in scan.flags or (counted is not None and counted["noun"] == "events")
    asked = scan.flags & {"fee", "revenue", "registrations", "entrants", "results", "paid"}
    return provider and events and not asked
