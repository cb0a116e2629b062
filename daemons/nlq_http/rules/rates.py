"""Rates and shares: "the DNF rate", "what percentage finished", "bq percentage", "what share
of finishers were women".

Read first (after the refusals), so "DNF rate" is a rate, not a filter on DNFs, and "bq
percentage" is a share of the finishers, not a list of qualifiers. Each names a measure of
the model and the entity it is over (a DNF rate is of the starters, a share of finishers).
"""

from __future__ import annotations

import re

from .bq import QUALIFIED_FOR
from .scan import Scan

_RATE = r"(?:rates?|percentages?|percent|pct|%|proportions?|share|ratio)"
_SHARE_OF = (
    r"(?:what\s+|the\s+)?(?:percentage|percent|%|proportion|share|fraction)\s+"
    r"(?:of\s+(?:the\s+)?(?:starters|runners|entrants|field|people|participants|finishers"
    r"|everyone)\s+)?(?:who|that|which)?\s*"
)
_RATES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    (
        "dnf_rate",
        "entrants",
        re.compile(
            rf"\b(?:dnf|did[\s-]not[\s-]finish|drop[\s-]?out|attrition|non[\s-]?finish(?:er|ing)?)"
            rf"\s+{_RATE}\b"
            rf"|\b{_SHARE_OF}(?:did\s+not|didn'?t|failed\s+to)\s+finish\b"
            rf"|\b{_SHARE_OF}(?:dnf'?d|dropped\s+out|were\s+dnfs?)\b"
        ),
    ),
    (
        "finish_rate",
        "entrants",
        re.compile(
            rf"\b(?:finish(?:ing|er)?|completion)\s+{_RATE}\b"
            rf"|\b{_SHARE_OF}(?:finished|completed(?:\s+the\s+race)?|made\s+it\s+to\s+the\s+finish)"
            r"(?=\s+(?:at|in|of|the|\x00)|\s*[?.!]?$)"
        ),
    ),
    (
        "dns_rate",
        "entrants",
        re.compile(
            rf"\b(?:dns|no[\s-]?show|did[\s-]not[\s-]start)\s+{_RATE}\b"
            rf"|\b{_SHARE_OF}(?:did\s+not|didn'?t|never)\s+(?:start|show(?:\s+up)?)(?:ed)?\b"
        ),
    ),
    (
        "bq_rate",
        "finishers",
        re.compile(
            rf"\b(?:bq|boston[\s-]qualif(?:ying|ier|ication))\s+{_RATE}\b"
            rf"|\b{_SHARE_OF}(?:bq'?d|qualified(?:\s+for\s+boston)?|were\s+(?:boston\s+)?"
            r"qualifiers|met\s+the\s+(?:bq|boston|qualifying)\s+standards?)\b"
            rf"|\b(?:percentage|percent|%|proportion|share)\s+of\s+(?:boston\s+)?(?:qualifiers|bqs)\b"
        ),
    ),
    (
        "women_share",
        "finishers",
        re.compile(
            rf"\b(?:female|women'?s?)\s+(?:share|percentage|proportion|%)\b"
            rf"|\b{_SHARE_OF}(?:were\s+)?(?:women|female|females)\b"
        ),
    ),
    (
        "men_share",
        "finishers",
        re.compile(
            rf"\b(?:male|men'?s?)\s+(?:share|percentage|proportion|%)\b"
            rf"|\b{_SHARE_OF}(?:were\s+)?(?:men|male|males)\b"
        ),
    ),
)


# "what percentage of <whoever, wherever> <did what>": the share asked first, what they did
# later in the sentence; the words between (an event, a year, "who started") are left to the
# other extractors, so none of them is lost.
_SHARE_LEAD = re.compile(
    r"\b(?:what|which)\s+(?:percentage|percent|proportion|share|fraction)\s+of\b"
    r"|\bthe\s+(?:percentage|proportion|share|fraction)\s+of\b"
)
_DID: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("dnf_rate", "entrants", re.compile(
        r"\b(?:did\s+not|didn'?t|failed\s+to|could\s*n[o']t)\s+finish|\bdnf'?d|\bdropped\s+out"
        r"|\bwere\s+dnfs?\b")),
    ("dns_rate", "entrants", re.compile(
        r"\b(?:did\s+not|didn'?t|never)\s+(?:start(?:ed)?|show(?:ed)?(?:\s+up)?)\b"
        r"|\bwere\s+no[\s-]?shows\b")),
    ("bq_rate", "finishers", re.compile(
        r"\b(?:bq'?d|qualified(?:\s+for\s+boston)?|ran\s+(?:a\s+)?(?:boston[\s-])?(?:qualifying"
        r"\s+time|bq)|(?:were|are)\s+(?:boston\s+)?qualifiers|met\s+the\s+(?:bq|boston|qualifying)"
        r"\s+(?:standards?|times?))\b")),
    ("women_share", "finishers", re.compile(r"\b(?:were|are)\s+(?:women|female)\b")),
    ("men_share", "finishers", re.compile(r"\b(?:were|are)\s+(?:men|male)\b")),
    ("cancelled_share", "events", re.compile(
        r"\b(?:were|was|got|ended\s+up(?:\s+being)?|been|are)\s+(?:cancell?ed|called\s+off"
        r"|scrapped)\b")),
    ("finish_rate", "entrants", re.compile(
        r"\b(?:finished|completed\s+(?:it|the\s+race)|made\s+it\s+to\s+the\s+finish)"
        r"(?=\s*[?.!]*$)")),
)  # fmt: skip


def _add_rate(scan: Scan, measure: str, entity: str) -> None:
    rates = scan.slots.setdefault("rates", [])
    if measure not in rates:
        rates.append(measure)
    scan.set("rate_entity", entity)  # a DNF rate and a women's share: unsure


# "which event had the highest DNF rate": the groups ranked by the rate, highest first
_SUPERLATIVE_BEFORE = re.compile(
    r"\b(?P<w>highest|lowest|biggest|smallest|largest|worst|best|greatest)\s+(?:the\s+)?$"
)


def extract_rates(scan: Scan) -> None:
    for measure, entity, pattern in _RATES:
        for match in scan.takeall(pattern):
            _add_rate(scan, measure, entity)
            before = _SUPERLATIVE_BEFORE.search(scan.work, 0, match.start())
            if before is not None:
                scan.take(before.start(), before.end())
                low = before["w"] in ("lowest", "smallest") or (
                    before["w"] == "best" and measure in ("dnf_rate", "dns_rate")
                )
                scan.slots["rank_measure"] = not low
    if scan.slots.get("rates"):
        return
    lead = next(scan.finditer(_SHARE_LEAD), None)
    if lead is None:
        return
    for measure, entity, pattern in _DID:
        did = pattern.search(scan.work, lead.end())
        if (
            did is not None
            and measure == "bq_rate"
            and QUALIFIED_FOR.search(scan.work, did.start())
        ):
            # The share is judged by the latest standards only: a named edition's is not known
            scan.refuse(422, "the qualifying share is by the latest standards; ask how many"
                        " qualified under a named edition's", "unsupported")  # fmt: skip
            return
        if did is not None:
            scan.take(lead.start(), lead.end())
            scan.take(did.start(), did.end())
            _add_rate(scan, measure, entity)
            return
