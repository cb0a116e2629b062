"""Live timing words: a session by number or state, reads per session, mats and tags.

"session 3", "the active session", "the session that is active right now", "reads per
session", "finish reads", "halfway vs finish reads", "unique tags". Mats and tags are read
only once a session is said, so "at the finish" of a results question stays a place.
"""

from __future__ import annotations

import re

from ..query import Op
from .scan import Scan

_LOCATION = re.compile(
    r"\b(?:at|through|across|over|on)\s+the\s+(?P<loc>finish|start)(?:\s+(?:line|mat|location"
    r"|reader))?\b"
)
_MATS = r"start|finish|halfway|midway|turnaround"
_MAT_READS = re.compile(
    rf"\b(?P<mat>{_MATS})(?:\s+(?:mat|line|reader))?(?:\s+(?:vs\.?|versus|and|or|&)\s+"
    rf"(?P<other>{_MATS})(?:\s+(?:mat|line|reader))?)?(?=\s+(?:reads?|read\s+counts?|tags?)\b)"
)
_TAGS = re.compile(r"\b(?:unique\s+|distinct\s+|different\s+)?(?:tags?|chips?|bibs)\b")
_SESSION = re.compile(
    r"\b(?:timing\s+)?session\s*(?:id|number|no\.?|#)?\s*[:#]?\s*(?P<n>\d{1,12})\b"
)

_SESSIONS = re.compile(
    r"\b(?:(?P<state>open|current|active|running|closed|ended|finished)\s+)?"
    r"(?:(?:live\s+)?timing\s+)?sessions?"
    # "the session that is active right now"
    r"(?:\s+(?:that\s+is|that's|which\s+is|that\s+was|which\s+was)\s+(?:still\s+)?"
    r"(?P<state2>open|active|running|live|going|closed|ended|finished)"
    r"(?:\s+(?:right\s+now|now|at\s+the\s+moment|today))?)?\b"
)
_SESSION_STATES = {"open": "active", "current": "active", "active": "active", "running": "active",
                   "live": "active", "going": "active", "closed": "closed", "ended": "closed",
                   "finished": "closed"}  # fmt: skip
_SESSION_STATUS_SHOWN = re.compile(r"\b(?:with\s+)?(?:its|their|the)\s+status(?:es)?\b")
# "reads per session", "by session", "for each session": a row per session
_PER_SESSION = re.compile(
    r"\b(?:per|by|for\s+(?:each|every)|in\s+each|each)\s+(?:timing\s+)?session\b"
)


def extract_live(scan: Scan) -> None:
    for match in scan.takeall(_SESSION):
        number = int(match["n"])
        if 1 <= number <= 2**31 - 1:
            scan.add("session_id", Op.EQ, number)
    if scan.takeall(_PER_SESSION):
        scan.group_by.append("session_id")
        scan.flags.add("per_session")
    for match in scan.takeall(_SESSIONS):
        scan.flags.add("sessions")
        state = match["state"] or match["state2"]
        if state:
            scan.add("session_status", Op.EQ, _SESSION_STATES[state])
    if "sessions" in scan.flags:  # "every session with its status": a column sessions show
        scan.takeall(_SESSION_STATUS_SHOWN)
    sessions_said = any(f.field in ("session_id", "session_status") for f in scan.filters)
    if sessions_said or "per_session" in scan.flags:
        for match in scan.takeall(_LOCATION):
            scan.add("location", Op.EQ, match["loc"])
        for match in scan.takeall(_MAT_READS):  # "finish reads", "halfway vs finish reads"
            scan.add("location", Op.EQ, match["mat"])
            if match["other"]:
                scan.add("location", Op.EQ, match["other"])
                scan.flags.add("mats_compared")  # each mat's reads, side by side
        if scan.takeall(_TAGS):
            scan.flags.add("tags")
