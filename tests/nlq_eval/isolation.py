"""Did a partner's answer show another partner's rows? Checked by value, in every cell.

For a partner key, the "foreign" values are those that only other partners
own: event names (results, RunSignUp, Race Roster and the catalogue),
partner names, participants' and registrants' e-mail addresses, and row ids
(looked for only in columns whose name ends in ``id``). A cell holding one
of them, unless the question itself says it (an echo of the question tells
nothing), marks its row as another partner's. This catches leaks whatever the
answer's shape; a leak inside an aggregate (a count over every partner)
shows as a wrong answer against the partner-filtered reference instead.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg2

_TEXTS = (
    "SELECT name, timing_partner_id FROM ct_events",
    "SELECT name, timing_partner_id FROM runsignup_events",
    "SELECT name, timing_partner_id FROM raceroster_events",
    "SELECT name, timing_partner_id FROM events",
    "SELECT name, id FROM timing_partners",
    "SELECT email, timing_partner_id FROM ct_participants WHERE email IS NOT NULL",
    "SELECT email, timing_partner_id FROM runsignup_participants WHERE email IS NOT NULL",
)
_IDS = (
    "SELECT id, timing_partner_id FROM ct_events",
    "SELECT id, timing_partner_id FROM ct_races",
    "SELECT id, timing_partner_id FROM ct_participants",
    "SELECT id, timing_partner_id FROM runsignup_events",
    "SELECT id, timing_partner_id FROM runsignup_races",
    "SELECT id, timing_partner_id FROM raceroster_events",
)


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


@dataclass(frozen=True)
class ForeignValues:
    partner_id: int
    texts: frozenset[str]
    ids: frozenset[int]

    @classmethod
    def load(cls, dsn: str, partner_id: int) -> ForeignValues:
        def split(queries: Sequence[str], key: Any) -> tuple[set, set]:
            mine: set = set()
            theirs: set = set()
            with conn.cursor() as cur:
                for query in queries:
                    cur.execute(query)
                    for value, owner in cur.fetchall():
                        (mine if owner == partner_id else theirs).add(key(value))
            return mine, theirs

        conn = psycopg2.connect(dsn)  # as the superuser: every partner's rows
        try:
            mine_t, theirs_t = split(_TEXTS, fold)
            mine_i, theirs_i = split(_IDS, int)
        finally:
            conn.close()
        return cls(partner_id, frozenset(theirs_t - mine_t), frozenset(theirs_i - mine_i))

    def foreign_rows(
        self, columns: Sequence[str], rows: Sequence[Sequence[Any]], question: str
    ) -> list[int]:
        """Indexes of the rows that show a value only another partner owns."""
        said = fold(question)
        id_columns = {i for i, name in enumerate(columns) if str(name).lower().endswith("id")}
        found = []
        for n, row in enumerate(rows):
            for i, value in enumerate(row):
                if isinstance(value, str):
                    text = fold(value)
                    if text in self.texts and text not in said:
                        found.append(n)
                        break
                elif (
                    i in id_columns
                    and isinstance(value, int)
                    and not isinstance(value, bool)
                    and value in self.ids
                ):
                    found.append(n)
                    break
        return found
