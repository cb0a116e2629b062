"""The race roster (bib -> runner details for the display): parsing and validation.

Pure: a CSV's text or bytes, or an event's participants read from the
production database, in; validated rows and every error (with where it is)
out. Both sources produce the same ``RosterRow``s under the same rules, and
``project88 roster import`` is the thin shell that reads the file or the
participants and writes the rows to ``race_roster``.

The file: UTF-8 (an optional byte-order mark is ignored), a header row naming
the columns (any case, any order), then one runner per row. Only ``bib`` is
required; a column the roster does not know is an error, so that a misspelt
header cannot silently drop a column. Blank rows are skipped.

- ``bib``: 1-8 printable characters, once per file.
- ``tag_code``: the chip code when it differs from the bib, same rules; empty
  means the chip reads as the bib. No two runners may be read by the same tag.
- ``age``: empty or a whole number 0-120.
- every value is trimmed; an empty value is stored as NULL.

An event's participants (``from_participants``) map onto the same columns:
``sex`` is the gender, the division is the one on the participant's finish
result, or for someone without one (not run yet) the age-group rule of the
results data ("M 40-44"); tag_code is the chip when a provider gives one that
differs from the bib; message stays NULL.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields

from project88.demodata.times import division as age_group

MAX_CODE = 8  # bib and tag_code are VARCHAR(8), like timing_reads.tag_code
MAX_AGE = 120
BOM = "\ufeff"
_AGE = re.compile(r"[0-9]{1,3}")


@dataclass(frozen=True)
class RosterRow:
    """One runner, validated; field order is the column order of ``race_roster``."""

    bib: str
    first_name: str | None = None
    last_name: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    age: int | None = None
    gender: str | None = None
    division: str | None = None
    message: str | None = None
    tag_code: str | None = None

    @property
    def read_as(self) -> str:
        """The tag code the mats report for this runner."""
        return self.tag_code if self.tag_code is not None else self.bib

    def values(self) -> tuple[str | int | None, ...]:
        return tuple(getattr(self, name) for name in COLUMNS)


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(RosterRow))


@dataclass(frozen=True)
class RosterError:
    """A problem and where it is: a CSV line number, or a participant of an event."""

    line: int | str
    message: str

    def __str__(self) -> str:
        return f"{self.line}: {self.message}"


def _mention(where: int | str) -> str:
    return f"line {where}" if isinstance(where, int) else where


@dataclass
class RosterResult:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RosterError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _code_problem(column: str, value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) > MAX_CODE or not value.isprintable():
        return f"{column} {value!r} must be 1-{MAX_CODE} printable characters"
    return None


def _age(value: str | None) -> tuple[int | None, str | None]:
    if value is None:
        return None, None
    if not _AGE.fullmatch(value) or int(value) > MAX_AGE:
        return None, f"age {value!r} must be empty or a whole number 0-{MAX_AGE}"
    return int(value), None


def _header(names: list[str], line: int, errors: list[RosterError]) -> list[str] | None:
    columns = [name.strip().lower() for name in names]
    ok = True
    for position, name in enumerate(columns, start=1):
        if not name:
            errors.append(RosterError(line, f"column {position} has no name in the header"))
            ok = False
        elif name not in COLUMNS:
            known = ", ".join(COLUMNS)
            errors.append(RosterError(line, f"unknown column {name!r} (known: {known})"))
            ok = False
        elif columns.index(name) != position - 1:
            errors.append(RosterError(line, f"column {name!r} appears more than once"))
            ok = False
    if "bib" not in columns:
        errors.append(RosterError(line, "the header has no 'bib' column"))
        ok = False
    return columns if ok else None


def parse(lines: Iterable[str]) -> RosterResult:
    """Validate a roster CSV given as text lines (a text stream works too).

    Lines keep their line ends, as ``file.readlines()`` gives them; a stream
    should be opened with ``newline=""``. A leading byte-order mark is ignored.
    """
    result = RosterResult()
    errors = result.errors

    def strip_bom(source: Iterable[str]) -> Iterator[str]:
        first = True
        for text in source:
            yield text.removeprefix(BOM) if first else text
            first = False

    reader = csv.reader(strip_bom(lines), strict=True)
    columns: list[str] | None = None
    header_seen = False
    collector = _Collector(result)
    last_line = 0
    while True:
        start = reader.line_num + 1  # a quoted field may span several lines
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RosterError(start, f"malformed CSV: {exc}"))
            break
        last_line = reader.line_num
        if not any(value.strip() for value in record):
            continue  # blank line, or a spreadsheet's row of empty cells
        if not header_seen:
            header_seen = True
            columns = _header(record, start, errors)
            if columns is None:
                break  # rows cannot be read without a usable header
            continue
        assert columns is not None
        if len(record) != len(columns):
            errors.append(
                RosterError(start, f"expected {len(columns)} fields, found {len(record)}")
            )
            continue
        collector.add(start, dict(zip(columns, record, strict=True)))
    if not header_seen:
        errors.append(RosterError(1, "empty file: a header row naming the columns is required"))
    elif columns is not None and not result.rows and not errors:
        errors.append(RosterError(max(last_line, 1), "no runners after the header row"))
    if errors:
        result.rows.clear()
    return result


class _Collector:
    """Adds validated rows to a result, one runner at a time, whatever the source.

    Checks each runner on its own (``_row``) and against the runners before it:
    a bib only once, and no two runners read by the same tag.
    """

    def __init__(self, result: RosterResult) -> None:
        self.result = result
        self.by_bib: dict[str, int | str] = {}  # bib -> where
        self.by_tag: dict[str, tuple[str, int | str]] = {}  # tag read on the mat -> (bib, where)

    def add(self, where: int | str, raw: dict[str, str | None]) -> None:
        """``raw``: column -> value as given; values are trimmed, empty ones become None."""
        errors = self.result.errors
        values = {name: (value or "").strip() or None for name, value in raw.items()}
        bib = values.get("bib")
        # A repeated bib is reported even when either row has other problems too,
        # so that one pass shows everything to fix.
        repeated = bib is not None and bib in self.by_bib
        if repeated:
            assert bib is not None
            first = _mention(self.by_bib[bib])
            errors.append(RosterError(where, f"bib {bib!r} already appears on {first}"))
        elif bib is not None:
            self.by_bib[bib] = where
        row = _row(values, where, errors)
        if row is None or repeated:
            return
        self.result.rows.append(row)
        if row.read_as in self.by_tag:
            other_bib, other_where = self.by_tag[row.read_as]
            errors.append(
                RosterError(
                    where,
                    f"bib {row.bib!r} would be read by tag {row.read_as!r}, like bib "
                    f"{other_bib!r} on {_mention(other_where)}",
                )
            )
        else:
            self.by_tag[row.read_as] = (row.bib, where)


def _row(
    values: dict[str, str | None], line: int | str, errors: list[RosterError]
) -> RosterRow | None:
    """A row from its trimmed values (empty: None), or None after adding its errors."""
    problems: list[str] = []
    bib = values.get("bib")
    if bib is None:
        problems.append("bib is empty")
    for column in ("bib", "tag_code"):
        problem = _code_problem(column, values.get(column))
        if problem:
            problems.append(problem)
    age, problem = _age(values.get("age"))
    if problem:
        problems.append(problem)
    errors.extend(RosterError(line, problem) for problem in problems)
    if problems or bib is None:
        return None
    text = {name: value for name, value in values.items() if name not in ("bib", "age")}
    return RosterRow(bib=bib, age=age, **text)


def parse_bytes(data: bytes) -> RosterResult:
    """Validate a roster file's raw bytes: UTF-8, optional BOM.

    A line that is not valid UTF-8 is an error of its own; the rest of the file
    is still checked, so one pass reports every problem.
    """
    lines: list[str] = []
    decode_errors: list[RosterError] = []
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            decode_errors.append(
                RosterError(
                    number,
                    f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})",
                )
            )
            lines.append(raw.decode("utf-8", errors="replace"))
    result = parse(lines)
    if decode_errors:
        result.errors[:0] = decode_errors
        result.errors.sort(key=lambda error: error.line)
        result.rows.clear()
    return result


@dataclass(frozen=True)
class Participant:
    """One participant of an event as the production database has them.

    ``division`` is the one on the participant's finish result, None when
    there is none (not run yet) or it is empty.
    """

    id: int
    race: str
    bib: str | None
    first_name: str | None
    last_name: str | None
    sex: str | None
    age: int | None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    division: str | None = None
    chip: str | None = None  # the chip's code when the provider gives one


def participant_division(sex: str | None, age: int | None, result: str | None) -> str | None:
    """The roster division: the result's if there is one, else the age group ("M 40-44")."""
    if result and result.strip():
        return result
    if not sex or not sex.strip() or age is None:
        return None
    return age_group(sex.strip(), age)


def from_participants(participants: Iterable[Participant]) -> RosterResult:
    """Validate an event's participants as roster rows, under the CSV's rules.

    Every problem names its participant ("participant 17 (Ann Lee, Marathon)");
    on any error there are no rows, so nothing is written.
    """
    result = RosterResult()
    collector = _Collector(result)
    for person in participants:
        name = " ".join(part for part in (person.first_name, person.last_name) if part)
        where = f"participant {person.id} ({name or 'no name'}, {person.race})"
        collector.add(
            where,
            {
                "bib": person.bib,
                "first_name": person.first_name,
                "last_name": person.last_name,
                "city": person.city,
                "state": person.state,
                "country": person.country,
                "age": None if person.age is None else str(person.age),
                "gender": person.sex,
                "division": participant_division(person.sex, person.age, person.division),
                # A chip that reads as the bib needs no tag code.
                "tag_code": person.chip if person.chip not in (None, person.bib) else None,
            },
        )
    if not result.rows and not result.errors:
        result.errors.append(RosterError("participants", "there are none to import"))
    if result.errors:
        result.rows.clear()
    return result
