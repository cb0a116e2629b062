"""What a thing has or lacks: "finishers with no phone number", "events with no results
yet", "our 2026 events that didn't include a half marathon", "events with both a marathon
and a half".

Read after distances, so the distance said is a blank in the working copy that this takes
back from the race filters: a distance an event offers is a condition on the event, not a
race to list. Only said of events ("events", "which of our events") do distances and
results become the events' contents.
"""

from __future__ import annotations

import re

from ..query import HALF_MARATHON_KM, Op
from .scan import Scan

_LACKS = r"(?:with\s+no|without(?:\s+(?:an?|any))?|missing(?:\s+(?:an?|their))?|lacking|no)"
_CONTACT = re.compile(
    rf"\b{_LACKS}\s+(?:(?P<phone>(?:tele)?phone(?:\s+numbers?)?|mobile(?:\s+numbers?)?)"
    r"|(?P<email>e-?mail(?:\s+address(?:es)?)?))(?:\s+on\s+(?:file|record))?\b"
)
_EVENTS_SAID = re.compile(r"\bevents?\b")
# "run over more than one day", "multi-day events", "single-day events"
_DAYS_LONG = re.compile(
    r"\b(?:(?:run|runs|ran|last|lasts|lasted|span|spans|spanned|go(?:es)?|went|held)\s+)?"
    r"(?:over|across|for)?\s*(?:more\s+than\s+(?:one|1|a\s+single)\s+day|several\s+days"
    r"|multiple\s+days|two\s+or\s+more\s+days)\b"
    r"|\bmulti[\s-]?days?\b|\b(?P<one>(?:single|one)[\s-]day)\b"
)
_NO_RESULTS = re.compile(
    rf"\b(?:{_LACKS}|(?:have|has|had)\s+no|(?:do|does|did|have|has)\s+not\s+(?:got|have)(?:\s+any)?)"
    r"\s+results?(?:\s+(?:posted|loaded|uploaded|in))?(?:\s+yet)?\b"
)
_OFFERS = re.compile(
    r"\b(?:(?P<neg>without|with\s+no|(?:did|does|do)\s+not\s+(?:include|offer|have|hold|put\s+on)"
    r"|not\s+(?:including|offering)|no)"
    r"|with|offering|including|(?:that\s+|which\s+)?(?:had|have|has|offered|offers?|included"
    r"|includes?))"
    r"\s+(?:both\s+)?(?:an?\s+)?(?P<d1>\x00+)(?:\s+(?:race|distance|option))?"
    r"(?:\s+(?:and|&|or)\s+(?:an?\s+)?(?:(?P<d2>\x00+)|(?P<half>half)\b)"
    r"(?:\s+(?:race|distance|option))?)?"
)  # "a marathon and a half": the half is a half marathon


def extract_contents(scan: Scan) -> None:
    for match in scan.takeall(_CONTACT):
        scan.add("has_phone" if match["phone"] else "has_email", Op.EQ, False)
    if not _EVENTS_SAID.search(scan.low):
        return
    for match in scan.takeall(_DAYS_LONG):
        scan.add("multi_day", Op.EQ, not match["one"])
        scan.flags.add("events")
    if scan.takeall(_NO_RESULTS):
        scan.add("has_results", Op.EQ, False)
        scan.flags.add("events")
    read = dict(scan.distance_kms)
    kms = scan.slots.get("distances") or []
    for match in scan.takeall(_OFFERS):
        op = Op.NE if match["neg"] else Op.EQ
        for group in ("d1", "d2"):
            km = read.get(match.start(group)) if match[group] else None
            if km is None:
                continue
            scan.add("offers_distance", op, km)
            if km in kms and list(read.values()).count(km) == 1:
                kms.remove(km)  # a distance the event offers, not a race to list
        if match["half"]:
            scan.add("offers_distance", op, HALF_MARATHON_KM)
        scan.flags.add("events")
