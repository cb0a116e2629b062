"""Two things counted against each other: "did more people finish in 2024 than 2023", "were
there more women than men", "which had more finishers, Boston or Chicago".

The answer is each side's count, side by side, grouped by the dimension said with two values.
Read after dates, so "than 2023" is a year compared, and before times and ages, so a number
after "than" ("more than 300 finishers", "more than 3 hours") stays a threshold.
"""

from __future__ import annotations

import re

from .scan import Scan

# "more … than <not a number>" ("how much more … than" asks for a difference: not this);
# a year (19xx/20xx, or already read) is compared, not a threshold.
_MORE_THAN = re.compile(
    r"(?<!much\s)(?<!many\s)\b(?P<w>more|fewer|less)\b(?=(?:[\s\x00]+[^\s\x00]+){0,6}?[\s\x00]+than\b)"
    r"|(?<=\s)than\b(?![\s\x00]*(?:\$|an?\b|one\b|half\b|(?!(?:19|20)\d\d\b)\d))"
)
_WHICH_MORE = re.compile(
    r"\b(?:which|who|what)\s+(?:\w+\s+){0,2}?(?:had|has|have|drew|got|saw|gets|draws)\s+"
    r"(?P<w>more|fewer)\b"
)

# "were there more finishers in 2024 or in 2023?", "was it colder at Boston or at Chicago?",
# "were times quicker at Chicago or at Boston?": a comparative, then the two sides joined by
# "or". Which dimension has the two sides is the resolver's (a year, an event, a sex).
_COMPARATIVE_OR = re.compile(
    r"\b(?P<w>more|fewer|bigger|larger|smaller|quicker|faster|slower|colder|warmer|hotter"
    r"|chillier)\b(?![\s\x00]+than\b)(?=[^?.!]{0,80}?\bor\b)"
)
_KIND = {"quicker": "faster", "faster": "faster", "slower": "faster", "colder": "weather",
         "warmer": "weather", "hotter": "weather", "chillier": "weather"}  # fmt: skip


# "did Boston get faster or slower from 2022 to 2023", "was 2023 faster or slower than 2022":
# the two sides compared, neither one asserted
_FASTER_OR_SLOWER = re.compile(
    r"\b(?:(?:get|got|getting|gotten|become|became|grow|grew)\s+)?"
    r"(?:(?:faster|quicker)\s+or\s+slower|slower\s+or\s+(?:faster|quicker))(?:\s+than)?\b"
    r"|\b(?:get|got|getting|gotten|become|became|grow|grew)\s+(?:faster|quicker|slower)\b"
)


def extract_comparisons(scan: Scan) -> None:
    if scan.takeall(_FASTER_OR_SLOWER):
        scan.flags.add("compare")
    found = list(scan.finditer(_MORE_THAN))
    words = [m for m in found if m["w"]]
    thans = [m for m in found if not m["w"]]
    if len(words) == 1 and len(thans) == 1 and words[0].start() < thans[0].start():
        for match in (words[0], thans[0]):
            scan.take(match.start(), match.end())
        scan.flags.update({"count", "compare_count"})
        return
    if scan.takeall(_WHICH_MORE):
        scan.flags.update({"count", "compare_count"})
        return
    if thans:
        return
    for match in scan.takeall(_COMPARATIVE_OR)[:1]:
        kind = _KIND.get(match["w"])
        if kind == "faster":
            scan.flags.add("faster")  # each side's average time
        elif kind == "weather":
            scan.flags.update({"weather", "average", "compare"})  # each side's temperature
        else:
            scan.flags.update({"count", "compare_count"})
