"""The race-day roster from a provider: its participants into ``race_roster``.

After a participants job has brought the provider's rows into
``project88_myappdb``, the event's runners are validated under the roster's own
rules (``project88.roster``: bib and tag codes of at most 8 characters, one
runner per bib and per tag) and written to raw_tag_data's ``race_roster``,
marked with their source so that a later sync replaces only its own rows.

Unlike a CSV import, which is all or nothing, one bad registration (a bib of 12
characters, two runners given one bib) must not keep a whole field of runners
off the finish display on race morning: such runners are left out, and the
source's ``error`` names them for /status.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import psycopg2.extensions
from psycopg2.extras import execute_values

from project88 import roster as rules

from .store import PartnerStore, sql

log = logging.getLogger("provider_sync")
MAX_NAMED = 5  # runners named in the error before "and N more"


@dataclass
class RosterOutcome:
    label: str
    starts_at: dt.datetime | None
    runners: int = 0
    written: int = 0
    removed: int = 0
    left_out: list[str] | None = None

    def note(self) -> str | None:
        if not self.left_out:
            return None
        named = "; ".join(self.left_out[:MAX_NAMED])
        more = len(self.left_out) - MAX_NAMED
        return f"{len(self.left_out)} runner(s) left out: {named}" + (
            f" and {more} more" if more > 0 else ""
        )


def source_name(provider: str, event: str) -> str:
    return f"{provider}:{event}"


def build(store: PartnerStore, provider: str, event: str) -> tuple[RosterOutcome, list]:
    """The event's label and start, and its valid roster rows."""
    found = store.read("roster_event", provider=provider, event=event)
    name, day, start = found[0] if found else (None, None, None)
    label = f"{name} {day:%Y-%m-%d}" if name and day else f"{provider} event {event}"
    if start is None and day is not None:
        start = dt.datetime.combine(day, dt.time(7, 0), dt.UTC)  # no start time given
    outcome = RosterOutcome(label, start)
    people = [rules.Participant(*row) for row in store.read(f"roster_{provider}", event=event)]
    outcome.runners = len(people)
    left_out: list[str] = []
    # A bib (or chip) given to two runners cannot tell them apart on the mat: showing
    # either name could be the wrong one, so neither is on the roster ("Bib N" shows).
    for code, holders in _shared_codes(people).items():
        left_out += [f"{_where(p)}: {code!r} is given to {len(holders)} runners" for p in holders]
        people = [p for p in people if p not in holders]
    for _ in range(len(people) + 1):
        result = rules.from_participants(people)
        if not result.errors or not people:
            break
        # Leave out every runner an error names, and validate the rest again.
        named = {str(e.line) for e in result.errors}
        left_out += [f"{e.line}: {e.message}" for e in result.errors]
        people = [p for p in people if _where(p) not in named]
    outcome.left_out = left_out
    return outcome, (result.rows if not result.errors else [])


def _shared_codes(people: list[rules.Participant]) -> dict[str, list[rules.Participant]]:
    by_code: dict[str, list[rules.Participant]] = {}
    for person in people:
        codes = {(person.bib or "").strip(), (person.chip or "").strip()} - {""}
        for code in codes:
            by_code.setdefault(code, []).append(person)
    return {code: holders for code, holders in by_code.items() if len(holders) > 1}


def _where(person: rules.Participant) -> str:
    name = " ".join(part for part in (person.first_name, person.last_name) if part)
    return f"participant {person.id} ({name or 'no name'}, {person.race})"


def write(raw: psycopg2.extensions.connection, source: str, rows: list) -> tuple[int, int]:
    """Upsert the rows and drop this source's runners no longer there: one transaction."""
    with raw, raw.cursor() as cur:
        cur.execute(sql("roster_lock"))
        values = [(*r.values(), source) for r in rows]
        written = execute_values(cur, sql("roster_write"), values, page_size=1000, fetch=True)
        cur.execute(sql("roster_remove_stale"), {"source": source, "bibs": [r.bib for r in rows]})
        removed = len(cur.fetchall())
    return len(written), removed


def record(
    raw: psycopg2.extensions.connection,
    provider: str,
    event: str,
    partner: int,
    outcome: RosterOutcome | None,
    error: str | None,
) -> None:
    with raw, raw.cursor() as cur:
        cur.execute(
            sql("roster_source_put"),
            {
                "provider": provider,
                "event": event,
                "partner": partner,
                "label": outcome.label if outcome else f"{provider} event {event}",
                "starts_at": outcome.starts_at if outcome else None,
                "runners": (outcome.runners - len(outcome.left_out or [])) if outcome else 0,
                "ok": error is None,
                "error": error,
            },
        )
