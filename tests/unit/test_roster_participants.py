"""An event's participants as roster rows: pure, the CSV's rules, every error named."""

from __future__ import annotations

from project88.demodata import times
from project88.roster import Participant, RosterRow, from_participants, participant_division


def person(pid: int, bib: str | None, **kw: object) -> Participant:
    values: dict = {"race": "Marathon", "first_name": "Ann", "last_name": "Lee", "sex": "F"}
    values["age"] = 41
    values.update(kw)
    return Participant(id=pid, bib=bib, **values)


def test_division_is_the_results_else_the_age_group_rule():
    assert participant_division("M", 49, "M 45-49") == "M 45-49"
    assert participant_division("M", 49, "Elite") == "Elite"  # the result's wins
    assert participant_division("M", 49, None) == "M 45-49"
    assert participant_division("F", 40, "  ") == "F 40-44"
    assert participant_division("X", 17, None) == "X 14-19"
    assert participant_division("F", None, None) is None
    assert participant_division(None, 30, None) is None
    for age in range(1, 121):  # the same rule as the results data
        assert participant_division("M", age, None) == times.division("M", age)


def test_rows_map_every_column_and_trim():
    result = from_participants(
        [
            person(1, " 7 ", city=" Hartford ", state="CT", country="US", division=None),
            person(2, "8", first_name="Bo", last_name="", sex="M", age=None, country="CA"),
        ]
    )
    assert result.ok, result.errors
    assert result.rows == [
        RosterRow("7", "Ann", "Lee", "Hartford", "CT", "US", 41, "F", "F 40-44"),
        RosterRow("8", "Bo", None, None, None, "CA", None, "M", None),
    ]


def test_every_problem_names_the_participant_and_no_rows_are_kept():
    result = from_participants(
        [
            person(1, "1"),
            person(2, "123456789", first_name="Bo", last_name="Long"),
            person(3, "1", race="Half Marathon"),
            person(4, ""),
            person(5, "ok", age=200),
        ]
    )
    assert result.rows == []
    assert [str(e) for e in result.errors] == [
        "participant 2 (Bo Long, Marathon): bib '123456789' must be 1-8 printable characters",
        "participant 3 (Ann Lee, Half Marathon): bib '1' already appears on participant 1 "
        "(Ann Lee, Marathon)",
        "participant 4 (Ann Lee, Marathon): bib is empty",
        "participant 5 (Ann Lee, Marathon): age '200' must be empty or a whole number 0-120",
    ]


def test_nobody_is_an_error():
    result = from_participants([])
    assert [str(e) for e in result.errors] == ["participants: there are none to import"]
