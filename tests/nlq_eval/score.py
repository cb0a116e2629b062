"""Is a service's table the reference's answer? Values are compared, never column names.

The rule (README.md): the row counts are equal, and every reference column
matches some service column -- a column of its own, or two text columns read
as one ("Michael" + "Wardian" for "Michael Wardian") -- such that the rows,
projected onto those columns, are the reference's rows: as a multiset, or in
order when the question is ordered (rows whose ``order_by`` columns tie may
come in any order among themselves). A one-value reference is so matched by
a one-row answer that contains the value anywhere.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tests.nlq_eval.normalize import Value, normalize, same

MAX_ASSIGNMENTS = 5000  # column assignments tried before giving up (wide, ambiguous answers)

Row = tuple[Value, ...]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[Row, ...]

    @classmethod
    def of(cls, columns: Sequence[str] | None, rows: Sequence[Sequence[Any]]) -> Table:
        width = len(rows[0]) if rows else len(columns or ())
        names = tuple(columns) if columns else tuple(f"column{i + 1}" for i in range(width))
        return cls(names, tuple(tuple(normalize(v) for v in row) for row in rows))

    def column(self, index: int) -> list[Value]:
        return [row[index] for row in self.rows]


def _rows_equal(reference: Sequence[Row], answer: Sequence[Row]) -> bool:
    return len(reference) == len(answer) and all(
        len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
        for a, b in zip(reference, answer, strict=True)
    )


def _multiset_equal(reference: Sequence[Row], answer: Sequence[Row]) -> bool:
    def key(row: Row) -> tuple:
        return tuple(v.sort_key() for v in row)

    return _rows_equal(sorted(reference, key=key), sorted(answer, key=key))


def _candidates(answer: Table) -> list[tuple[tuple[int, ...], list[Value]]]:
    """Service columns, and pairs of text columns joined with a space (first + last name)."""
    out: list[tuple[tuple[int, ...], list[Value]]] = [
        ((i,), answer.column(i)) for i in range(len(answer.columns))
    ]
    text = [
        i
        for i in range(len(answer.columns))
        if answer.rows and all(v.kind == "str" for v in answer.column(i))
    ]
    for i, j in itertools.permutations(text, 2):
        joined = [normalize(f"{row[i].text} {row[j].text}") for row in answer.rows]
        out.append(((i, j), joined))
    return out


def _project(columns: list[list[Value]]) -> list[Row]:
    return [tuple(values) for values in zip(*columns, strict=True)] if columns else []


def _in_order(reference: list[Row], answer: list[Row], order_by: Sequence[int] | None) -> bool:
    """Ordered rows; runs of rows tied on ``order_by`` compared as multisets."""
    if len(reference) != len(answer):
        return False
    if order_by is None:
        return _rows_equal(reference, answer)
    start = 0
    while start < len(reference):
        end = start + 1
        while end < len(reference) and all(
            same(reference[start][k], reference[end][k]) for k in order_by
        ):
            end += 1
        if not _multiset_equal(reference[start:end], answer[start:end]):
            return False
        start = end
    return True


def matches(
    reference: Table, answer: Table, ordered: bool = False, order_by: Sequence[int] | None = None
) -> bool:
    if len(reference.rows) != len(answer.rows):
        return False
    if not reference.rows:
        return True
    width = len(reference.columns)
    pool = _candidates(answer)
    options: list[list[list[Value]]] = []
    for k in range(width):
        wanted = [(v,) for v in reference.column(k)]
        fits = [values for _cols, values in pool if _multiset_equal(wanted, [(v,) for v in values])]
        if not fits:
            return False
        options.append(fits)
    expected = list(reference.rows)
    for tried, choice in enumerate(itertools.product(*options)):
        if tried >= MAX_ASSIGNMENTS:
            return False
        got = _project(list(choice))
        if ordered:
            if _in_order(expected, got, order_by):
                return True
        elif _multiset_equal(expected, got):
            return True
    return False
