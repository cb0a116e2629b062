"""Race scoring: tag reads, gun times and a roster in; status, times and places out.

Pure: no database, network or clock; everything comes in as arguments, so a
daemon is the thin shell that reads ``timing_reads``, ``timing_gun_times`` and
``race_roster`` and writes the results.

- ``score(course, roster, reads, guns)`` scores everything from scratch;
- ``Scoreboard`` keeps the same answer up to date as inputs arrive in any
  order, and says which runners' results changed.

The rules, each documented where it is applied:

- crossings (crossings.py): first read per mat; bounces within the minimum
  lap time, warm-ups before the gun, walking back over the start are ignored;
- the gun (``Guns.for_runner``): wave gun, else finish gun, else start gun;
- chip time counts from the start read, else from the gun (flagged);
- places (places.py): by gun time, by chip time while no gun is known; ties
  to the earlier finish read, then the lower bib.
"""

from project88.scoring.board import Scoreboard
from project88.scoring.from_roster import runner_from_roster_row
from project88.scoring.model import Course, Guns, Location, Read, Role, Runner, Sex
from project88.scoring.results import (
    Changes,
    Result,
    ScoreSheet,
    SplitTime,
    StartSource,
    Status,
    TimeBasis,
)
from project88.scoring.score import score

__all__ = [
    "Changes",
    "Course",
    "Guns",
    "Location",
    "Read",
    "Result",
    "Role",
    "Runner",
    "ScoreSheet",
    "Scoreboard",
    "Sex",
    "SplitTime",
    "StartSource",
    "Status",
    "TimeBasis",
    "runner_from_roster_row",
    "score",
]
