"""Runners from the display roster (``project88.roster.RosterRow``, i.e. ``race_roster``)."""

from __future__ import annotations

from project88.roster import RosterRow
from project88.scoring.model import Runner, Sex


def runner_from_roster_row(row: RosterRow, wave: str | None = None) -> Runner:
    """The row's runner: its tag is ``read_as`` (tag_code, else the bib).

    ``race_roster`` has no wave column, so the caller says which wave, if any.
    """
    return Runner(
        bib=row.bib,
        tags=(row.read_as,),
        first_name=row.first_name,
        last_name=row.last_name,
        sex=Sex.parse(row.gender),
        age=row.age,
        division=row.division,
        city=row.city,
        wave=wave,
    )
