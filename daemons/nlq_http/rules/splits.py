"""Timing points: "the 10K split", "at halfway", "how many reached the 30K".

Read before distances, so "the 10K split" is a timing point, not a 10 km race.
"""

from __future__ import annotations

import re

from ..query import Op
from .scan import Scan


def _point(p: str) -> str:
    return (
        rf"(?P<{p}k>\d{{1,2}})\s?-?\s?k(?:m)?|(?P<{p}half>half[\s-]marathon|half(?:way)?(?:\s+(?:mark|point))?)"
        rf"|mile\s+(?P<{p}m1>\d{{1,2}})|(?P<{p}m2>\d{{1,2}})\s?-?\s?miles?"
    )


_SPLIT_POINT = re.compile(
    rf"\b(?:(?:at|through|thru|by|to|for)\s+(?:the\s+)?)?(?:{_point('a')})\s+(?:split|mark|point"
    r"|checkpoint|timing\s+point|mat|time\s+check)(?:\s+times?)?s?\b"
    rf"|\bsplits?(?:\s+times?)?\s+(?:at|for)\s+(?:the\s+)?(?:{_point('b')})\b"
    r"|\b(?:at|through|thru)\s+(?:the\s+)?(?P<half2>halfway(?:\s+(?:mark|point))?|half\s+way)\b"
    # "how many reached the 30K": a point on the course is reached, a race is run
    r"|\b(?:reach(?:ed|es|ing)?|pass(?:ed|es|ing)?|cross(?:ed|es|ing)?|hit|got\s+to|made\s+it\s+to"
    r"|went\s+through|(?:\d{1,3}\s+)?(?:first|fastest|quickest|slowest|last)\s+(?:through|thru|to"
    r"|past|into))"
    rf"\s+(?:the\s+)?(?:{_point('c')})(?!\s+(?:race|run|event)s?\b)"
    r"(?:\s+(?:split|mark|point|checkpoint|timing\s+point|mat)s?)?(?!\w)"
)
_SPLITS = re.compile(
    r"(?<!by\s)(?<!per\s)(?<!each\s)"  # "by timing point" is a grouping (groups.py)
    r"\b(?:splits\b|split\s+times?\b|intermediate\s+times?\b|timing\s+points?\b"
    r"|checkpoints?\b|split\b(?!\s+(?:up\s+|out\s+)?(?:by|into|per)\b))"
    # "split by race and sex" is a grouping; "splits by timing point" are the splits
)


_RANKED_TO = re.compile(r"(?:(?P<n>\d{1,3})\s+)?(?P<w>first|fastest|quickest|slowest|last)\s")


def _point_name(match: re.Match[str]) -> str | tuple[str, str]:
    got = {k[1:]: v for k, v in match.groupdict().items() if v and k[0] in "abcd"}
    if "k" in got:
        return f"{int(got['k'])}K"
    if "m1" in got or "m2" in got:
        # Timers name mile points both ways ("Mile 5" at a 10 miler, "10 Mile" at a half)
        n = int(got.get("m1") or got["m2"])
        return (f"Mile {n}", f"{n} Mile")
    return "Half"


# "ran a negative split", "negative splits", "who didn't negative split": the second half
# faster than the first (a finisher's, judged at the split nearest halfway).
_NEGATIVE_SPLIT = re.compile(
    r"\b(?:(?P<neg>without|with\s+no|(?:did|does|do)\s*n[o']?t|never|no)\s+)?"
    r"(?:(?:run|ran|running|runs|with|had|have|has|get|got)\s+)?(?:an?\s+)?"
    r"negative[\s-]?split(?:s|ting|ted)?\b"
)


# "which timing points did the Boston Marathon have": the points, the finish among them.
_WHICH_POINTS = re.compile(
    r"\b(?:which|what)\s+(?:(?:timing|split)\s+points|splits|checkpoints|mats|timing\s+mats)"
    r"(?=\s+(?:did|does|do|are|were|was|is|has|had|at|for|in|on|of|there)\b)"
    r"|\b(?:list|show)(?:\s+me)?\s+(?:the\s+)?(?:(?:timing|split)\s+points|checkpoints)\b"
    r"|^\W*(?:(?:timing|split)\s+points|checkpoints)\b"  # terse: "timing points boston 2024"
)


# "the second half", "the stretch from the 30K mat to the finish": from a split to the line,
# the finish time less the split's. Read before the points themselves.
_TO_FINISH = re.compile(
    r"\b(?:the\s+)?(?:(?P<n>\d{1,3})\s+)?(?:(?P<rank>fastest|quickest|best|slowest)\s+)?"
    r"(?:second|2nd|back)\s+(?P<halves>half|halves)(?:\s+(?:splits?|times?))?"
    r"(?:\s+of\s+the\s+(?:race|course|marathon))?(?!\s+marathon)\b"
    # "the second half of 2025", "of the year", "of the season": a part of the calendar
    r"(?!\s+of\s+(?:the\s+)?(?:19|20)\d\d|\s+of\s+(?:the|this|last|next)\s+(?:year|season))"
    r"|\b(?:(?:the\s+)?(?:stretch|leg|segment|section|part|run|time|way)\s+)?from\s+(?:the\s+)?"
    rf"(?:{_point('d')})(?:\s+(?:split|mark|point|checkpoint|timing\s+point|mat))?"
    r"\s+(?:to|in\s?to|until|till)\s+(?:the\s+)?(?:finish(?:\s+line)?|line|end)\b"
)


def extract_to_finish(scan: Scan) -> None:
    for match in scan.takeall(_TO_FINISH):
        named = any(v for k, v in match.groupdict().items() if k[0] == "d")
        point = _point_name(match) if named else "Half"  # "the second half": from halfway
        scan.add("timing_point", Op.IN if isinstance(point, tuple) else Op.EQ, point)
        scan.flags.update({"splits", "to_finish"})
        if match["rank"]:  # "who ran the fastest second half": the one, "the 5 fastest": five
            scan.slots.setdefault("rank", ("chip_time", match["rank"] == "slowest"))
            one = match["halves"] == "half" and not match["n"]
            scan.set("limit", 1 if one else min(int(match["n"] or 10), 100))


def extract_splits(scan: Scan) -> None:
    """Before distances: "the 10K split" is a timing point, not a 10 km race."""
    extract_to_finish(scan)
    for match in scan.takeall(_NEGATIVE_SPLIT):
        scan.add("negative_split", Op.EQ, not match["neg"])
    if scan.takeall(_WHICH_POINTS):
        scan.flags.add("splits")
        scan.group_by.append("timing_point")
    for match in scan.takeall(_SPLIT_POINT):
        ranked = _RANKED_TO.match(match[0])
        if ranked:  # "first through the 30K": the one fastest (or slowest) there
            scan.slots.setdefault("rank", ("chip_time", ranked["w"] in ("slowest", "last")))
            scan.set("limit", min(int(ranked["n"] or 1), 100) or 1)
        point = _point_name(match)
        scan.add("timing_point", Op.IN if isinstance(point, tuple) else Op.EQ, point)
        scan.flags.add("splits")
    if scan.takeall(_SPLITS):
        scan.flags.add("splits")


# "how much longer was gun time than chip time", "the gap between gun and chip time": the
# time from the gun to crossing the start mat. Taken early, before "difference between" is
# read as a comparison and "gun time" as the measure.
_GUN_CHIP_GAP = re.compile(
    r"\b(?:(?P<largest>biggest|largest|longest|greatest|max(?:imum)?)\s+)?(?:"
    r"(?:difference|gap|delta)\s+(?:between|of)\s+(?:the\s+)?(?:gun|clock)(?:\s+times?)?"
    r"\s+(?:and|vs\.?|versus)\s+(?:the\s+)?chip(?:\s+times?)?"
    r"|(?:difference|gap|delta)\s+(?:between|of)\s+(?:the\s+)?chip(?:\s+times?)?"
    r"\s+(?:and|vs\.?|versus)\s+(?:the\s+)?(?:gun|clock)(?:\s+times?)?"
    r"|(?:gun|clock)(?:\s+times?)?\s+(?:and|vs\.?|versus|to|minus)\s+chip(?:\s+times?)?"
    r"\s+(?:difference|gap|delta)s?"
    r"|(?:gun|clock)\s+times?\s+(?:(?:was|were|is|are|ran)\s+)?(?:than|over|above)?\s*"
    r"(?:longer|slower|more|behind)\s+than\s+(?:the\s+)?chip(?:\s+times?)?"
    r"|(?:longer|slower|more)\s+(?:was|were|is|are)\s+(?:the\s+)?(?:gun|clock)\s+times?"
    r"\s+than\s+(?:the\s+)?chip(?:\s+times?)?"
    r")(?!\w)"
)


# "avg gun time vs avg chip time", "chip and gun times compared": both measures side by side
_STAT = r"(?:(?P<{n}>avg|average|mean|median)\s+)?"
_GUN_AND_CHIP = re.compile(
    r"\b(?:the\s+)?"
    + _STAT.format(n="s1")
    + r"(?:gun|clock)\s+times?\s+(?:vs\.?|versus|and|against"
    r"|compared\s+(?:to|with))\s+(?:the\s+)?" + _STAT.format(n="s2") + r"chip\s+times?\b"
    r"|\b(?:the\s+)?" + _STAT.format(n="s3") + r"chip\s+times?\s+(?:vs\.?|versus|and|against"
    r"|compared\s+(?:to|with))\s+(?:the\s+)?" + _STAT.format(n="s4") + r"(?:gun|clock)\s+times?\b"
    r"|\b(?:chip\s+(?:and|vs\.?|versus)\s+(?:gun|clock)|(?:gun|clock)\s+(?:and|vs\.?|versus)\s+chip)"
    r"\s+times?\b"
)


def extract_gun_chip_gap(scan: Scan) -> None:
    for match in scan.takeall(_GUN_CHIP_GAP):
        scan.flags.add("largest_gun_chip_gap" if match["largest"] else "gun_chip_gap")
    for match in scan.takeall(_GUN_AND_CHIP):
        scan.flags.add("gun_and_chip")
        said = {match[g] for g in ("s1", "s2", "s3", "s4") if match[g]}
        scan.flags.add("median" if said == {"median"} else "average")
