"""Conditions on a count of each group: "states with more than 10 finishers", "events that
had at least 3 races", "only cities with over 20".

Read before times and amounts, so "more than 10 finishers" is a count, not ten hours.
The group is the plural said before ("events", "states") or one said elsewhere ("per
state, only those with more than 10"); ``resolve`` refuses the condition with no group.
"""

from __future__ import annotations

import re

from ..query import Op
from .scan import Scan

_COMPARISON = (
    r"(?P<op>more\s+than|over|above|at\s+least|fewer\s+than|less\s+than|under|below|at\s+most"
    r"|no\s+more\s+than|exactly)"
)
_OPS = {
    "more than": Op.GT, "over": Op.GT, "above": Op.GT, "at least": Op.GE,
    "fewer than": Op.LT, "less than": Op.LT, "under": Op.LT, "below": Op.LT,
    "at most": Op.LE, "no more than": Op.LE, "exactly": Op.EQ,
}  # fmt: skip
# What is counted, and the entity that holds it.
_COUNTED = {
    "finishers": "finishers", "runners": "finishers", "people": "finishers",
    "athletes": "finishers", "racers": "finishers", "results": "finishers",
    "entrants": "entrants", "participants": "entrants", "starters": "entrants",
    "entries": "entrants", "races": "races", "distances": "races", "events": "events",
    "registrations": "registrations", "registrants": "registrations", "sign-ups": "registrations",
    "signups": "registrations",
}  # fmt: skip
_NOUNS = "|".join(sorted((re.escape(n) for n in _COUNTED), key=len, reverse=True))
# The groups a condition keeps, said as a plural just before it.
_GROUPS = {
    "events": "event", "races": "race", "states": "state", "cities": "city", "towns": "city",
    "countries": "country", "divisions": "division", "years": "year", "editions": "year",
    "partners": "partner", "companies": "partner", "months": "month",
}  # fmt: skip
_GROUP_NAMES = "|".join(_GROUPS)
_HAVING = re.compile(
    rf"\b(?:(?:only|just)\s+(?:the\s+)?(?P<only>ones|those|groups|{_GROUP_NAMES})\s+"
    rf"|(?P<group>{_GROUP_NAMES})\s+)?"
    r"(?:(?:that|which)\s+)?(?:with|having|(?:have|had|has|got|drew|attracted)(?:\s+had)?)\s+"
    rf"(?:{_COMPARISON}\s+(?P<n>\d{{1,6}})|(?P<n2>\d{{1,6}})\s+or\s+(?P<more>more|fewer|less))\b"
    rf"(?:\s+(?P<noun>{_NOUNS})\b|\s+(?P<taken>\x00+))?"
)  # "taken": a status read before ("10 or more DNFs"), the count is of those


# "which events has Wardian run more than once": the events with two or more of his results
_REPEATED = re.compile(
    r"\b(?:more\s+than\s+(?:once|1\s+times?)|at\s+least\s+twice|twice\s+or\s+more"
    r"|2\s+or\s+more\s+times|multiple\s+times|repeatedly)\b"
)
_WHICH_GROUP = re.compile(rf"\b(?:which|what)\s+(?P<group>{_GROUP_NAMES})\b")


def _repeated(scan: Scan) -> None:
    which = _WHICH_GROUP.search(scan.low)
    if which is None or not scan.finditer(_REPEATED):
        return
    for _match in scan.takeall(_REPEATED):
        scan.slots["having"] = (Op.GE, 2)
        scan.flags.add("repeated")
        group = _GROUPS[which["group"]]
        if group not in scan.group_by:
            scan.group_by.append(group)
        scan.take(which.start(), which.end())


def extract_having(scan: Scan) -> None:
    _repeated(scan)
    for match in scan.finditer(_HAVING):
        noun, said = match["noun"], match["group"] or match["only"]
        if said is None or (noun is None and match["only"] is None and not match["taken"]):
            continue  # "runners with over 3 hours", "with 10 finishers" of no group said
        if match["n"] is not None:
            op, n = _OPS[re.sub(r"\s+", " ", match["op"])], int(match["n"])
        else:
            op, n = (Op.GE if match["more"] == "more" else Op.LE), int(match["n2"])
        if said in _GROUPS and _GROUPS[said] not in scan.group_by:
            scan.group_by.append(_GROUPS[said])
        scan.take(match.start(), match.end("n") if match["n"] else match.end("more"))
        if noun is not None:
            scan.take(match.start("noun"), match.end("noun"))
        scan.slots["having"] = (op, n)
        if noun is not None:
            scan.slots["having_of"] = _COUNTED[noun]
