"""Outcomes and event statuses: "did not finish", "DQ'd", "cancelled", "upcoming".

Read before names, so "did not start" is never a runner called Not Start.
"""

from __future__ import annotations

import re

from ..query import Op
from .scan import Scan

_OUTCOMES: tuple[tuple[str, Op, re.Pattern[str]], ...] = (
    (
        "dnf",
        Op.EQ,
        re.compile(
            r"\b(?:dnf'?s?|dnf'?d|did[\s-]*n[o']?t[\s-]+finish(?:ed|es|ers)?|didnt\s+finish"
            r"|not\s+finish(?:ed|ing)?|did\s+not\s+(?:make\s+it\s+to|reach|get\s+to|cross)\s+the"
            r"\s+finish(?:\s+line)?|did\s+not\s+make\s+it"
            r"|dropped\s+out|drop[\s-]?outs?|dropp?ed|quit|non[\s-]?finish(?:ers|ed)?|unfinished"
            r"|failed\s+to\s+finish|never\s+finished|abandon(?:ed)?)\b"
        ),
    ),
    (
        "dns",
        Op.EQ,
        re.compile(
            r"\b(?:dns'?s?|did[\s-]*n[o']?t[\s-]+start(?:ed|s|ers)?|didnt\s+start|not\s+start(?:ed)?"
            r"|no[\s-]?shows?|never\s+start(?:ed)?|failed\s+to\s+start|non[\s-]?starters?"
            r"|never\s+(?:crossed|hit|touched)\s+(?:a\s+single|any)\s+(?:timing\s+)?mats?"
            r"|did[\s-]*n[o']?t\s+(?:show|turn)(?:\s+up)?|never\s+(?:showed|turned)(?:\s+up)?"
            r"|failed\s+to\s+show(?:\s+up)?)\b"
        ),
    ),
    (
        "dq",
        Op.EQ,
        re.compile(r"\b(?:dq'?s?|dq'?d|dqed|disqualif(?:ied|ications?|y))\b"),
    ),
)
# "finished" said in one list with the statuses read before ("finished, DNF or DNS")
_FINISHED_LISTED = re.compile(
    r"\bfinish(?:ed|ers)\s*(?:,|/|and|or|&|vs\.?|versus)\s*(?=\x00)"
    r"|(?<=\x00)\s*(?:,|/|and|or|&|vs\.?|versus)\s*finish(?:ed|ers)\b"
)
_EVENT_STATUS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("cancelled", re.compile(r"\b(?:cancell?ed|cancell?ations?|called\s+off|scrapped)\b")),
    (
        "completed",
        re.compile(r"\b(?:completed|past|finished|previous|earlier)(?=\s+(?:events?|races)\b)"),
    ),
    ("active", re.compile(r"\b(?:active|ongoing|in\s+progress|happening\s+now|under\s+way)\b")),
    ("upcoming", re.compile(r"\b(?:upcoming|coming\s+up|future|scheduled|planned)\b")),
)
# A past year's events "scheduled" or "planned" were so then: no status of today's.
_SCHEDULED_FOR = re.compile(
    r"\b(?:(?:that\s+)?(?:were|was)\s+)?(?:scheduled|planned)\s+(?:for|in)\s+(?:the\s+year\s+)?"
    r"(?P<y>(?:19|20)\d\d)\b"
)
_POSTPONED = re.compile(r"\b(?:postponed?|rescheduled|delayed|moved\s+to\s+a\s+later\s+date)\b")


# "our events that aren't completed yet", "events that weren't cancelled": every other status.
_NOT_STATUS = re.compile(
    r"\b(?:are|is|was|were|have|has|had)\s+not\s+(?:yet\s+)?(?:been\s+)?"
    r"(?P<w>completed|complete|over|done|cancell?ed|called\s+off|active|upcoming)\b(?:\s+yet)?"
)
_NOT_STATUS_WORDS = {"completed": "completed", "complete": "completed", "over": "completed",
                     "done": "completed", "active": "active", "upcoming": "upcoming"}  # fmt: skip
_EVENTS_SAID = re.compile(r"\bevents?\b")
_BUT_CANCELLED = re.compile(
    r"\b(?:not\s+counting|excluding|except(?:\s+for)?|leaving\s+out|ignoring|without)\s+(?:the\s+)?"
    r"(?:cancell?ed|called[\s-]off)(?:\s+(?:ones?|events?|races?))?\b"
)


# "events that had no DNFs", "races with zero finishers": groups without any such runner.
# The outcome filter alone would count the DNFs instead: refused until it can be asked.
_NONE_OF_OUTCOME = re.compile(
    r"\b(?:no|zero|not\s+(?:a\s+single|one|any)|without(?:\s+(?:a\s+single|any))?)\s+"
    r"(?:dnf'?s?|dns'?s?|dq'?s?|no[\s-]?shows?|drop[\s-]?outs?|non[\s-]?finishers?|finishers?"
    r"|starters?|disqualifications?)\b"
)
_GROUPS_SAID = re.compile(r"\b(?:events?|races?|editions?|years?|states?|divisions?)\b")


def extract_statuses(scan: Scan) -> None:
    if _GROUPS_SAID.search(scan.low) and scan.takeall(_NONE_OF_OUTCOME):
        scan.refuse(
            422,
            "groups without any runner of an outcome cannot be listed yet; ask how many each"
            " group had (e.g. 'DNFs per event in 2024')",
            "unsupported",
        )
        return
    if scan.takeall(_BUT_CANCELLED):  # "not counting the cancelled ones"
        scan.add("event_status", Op.NE, "cancelled")
    if _EVENTS_SAID.search(scan.low):
        for match in scan.takeall(_NOT_STATUS):
            status = _NOT_STATUS_WORDS.get(match["w"], "cancelled")
            scan.add("event_status", Op.NE, status)
    for outcome, op, pattern in _OUTCOMES:
        if scan.takeall(pattern):
            scan.add("outcome", op, outcome)
    if any(f.field == "outcome" for f in scan.filters) and scan.takeall(_FINISHED_LISTED):
        scan.add("outcome", Op.EQ, "finished")  # "(finished, dnf, dns, dq)": one of the list
        if "outcome" not in scan.group_by:
            scan.group_by.append("outcome")  # "finishers vs DNFs": each counted, side by side
    for match in scan.finditer(_SCHEDULED_FOR):  # "scheduled for 2020": planned then, not now
        if int(match["y"]) < scan.today.year:
            scan.take(match.start(), match.start("y"))  # the year stays, for the dates
    for status, pattern in _EVENT_STATUS:
        if scan.takeall(pattern):
            scan.add("event_status", Op.EQ, status)
    if scan.takeall(_POSTPONED):
        scan.refuse(
            422,
            "the data records no postponed events: an event is upcoming, active, completed or"
            " cancelled (ask for those)",
            "unsupported",
        )
