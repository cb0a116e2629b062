"""/status's Rosters section: the display's roster sources as roster_sources records them.

A real ``python -m daemons.display_http`` logged in to PostgreSQL as a member of
``p88_display`` only (as the deployment runs it), so the page shows what that
role's grants let it read; the rows are written the way ``project88 roster
sync`` leaves them (tests/integration/test_provider_sync*.py run the sync itself).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import psycopg2
import pytest
import requests

from tests.conftest import query
from tests.integration.test_display_operator_auth import OPERATOR, operator_env

DISPLAY_LOGIN = "p88_display_daemon"
ZONE = "America/New_York"  # the display's P88_TIMEZONE in tests (conftest.DisplayProcess)


class Table(HTMLParser):
    """The rows of one table (by id) as {"attrs": tr's attributes, "cells": [text, ...]}."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.rows = table_id, False, []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append({"attrs": dict(attrs), "cells": []})
        elif self.inside and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1]["cells"].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table(html: str, table_id: str) -> list[dict]:
    parser = Table(table_id)
    parser.feed(html)
    return parser.rows


def display_role_dsn(pg, dsn: str) -> str:
    """``dsn`` as a login role that is a member of p88_display and nothing else."""
    conn = psycopg2.connect(pg.dsn("postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT FROM pg_roles WHERE rolname = %s", (DISPLAY_LOGIN,))
        if cur.fetchone() is None:
            cur.execute(f"CREATE ROLE {DISPLAY_LOGIN} LOGIN IN ROLE p88_display")
    conn.close()
    return dsn.replace(f"user={pg.superuser}", f"user={DISPLAY_LOGIN}")


@pytest.fixture
def status(pg, raw_dsn, display_factory, tmp_path):
    display = display_factory(display_role_dsn(pg, raw_dsn), **operator_env(tmp_path)).start()

    def page() -> str:
        answer = requests.get(f"{display.url}/status", auth=OPERATOR, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.text

    return page


def local(dsn: str, column: str, provider: str) -> str:
    """The source's ``column`` as the event's local wall clock, the way /status writes it."""
    sql = (
        f"SELECT to_char({column} AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI:SS')"
        " FROM roster_sources WHERE provider = %s"
    )
    return query(dsn, sql, (ZONE, provider))[0][0]


def add_roster(dsn: str, bibs: range, source: str | None) -> None:
    for bib in bibs:
        query(dsn, "INSERT INTO race_roster (bib, first_name, last_name, source)"
                   " VALUES (%s, 'First', 'Last', %s)", (str(bib), source))  # fmt: skip


def test_sources_are_listed_with_their_error(raw_dsn, status):
    query(raw_dsn, """
        INSERT INTO roster_sources (provider, provider_event, timing_partner_id, label,
            starts_at, follow, runners, synced_at, attempted_at, error) VALUES
        ('chronotrack', '32804', 1, 'Fall Classic 2026-10-11', now() + interval '3 days',
         true, 40, now() - interval '7 minutes 10 seconds', now() - interval '7 minutes', NULL),
        ('runsignup', '150123', 2, 'Harbour 10K 2026-10-12', now() + interval '4 days',
         true, 12, now() - interval '3 hours', now() - interval '2 minutes',
         'runsignup: 401 Unauthorized: renew the API key'),
        ('raceroster', '555', 1, 'raceroster event 555', NULL,
         true, 0, NULL, now() - interval '20 minutes', 'raceroster: event 555 not found')
    """)  # fmt: skip
    add_roster(raw_dsn, range(1, 41), "chronotrack:32804")
    add_roster(raw_dsn, range(101, 113), "runsignup:150123")
    add_roster(raw_dsn, range(900, 903), None)  # a CSV import besides the synced runners
    html = status()
    assert "<h2>Rosters</h2>" in html
    header, *rows = table(html, "rosters")
    assert header["cells"] == ["Source", "Event", "Runners", "Last successful sync",
                               "Last attempt", "Error"]  # fmt: skip
    assert [r["attrs"]["data-source"] for r in rows] == [
        "chronotrack:32804", "runsignup:150123", "raceroster:555",  # soonest start first
    ]  # fmt: skip
    ok, failing, never = (r["cells"] for r in rows)

    assert [r["attrs"]["class"] for r in rows] == ["synced", "failed", "failed"]
    assert ok[0] == "ChronoTrack event 32804 partner 1"
    assert ok[1].startswith("Fall Classic 2026-10-11 starts ")
    assert ok[2] == "40"
    assert ok[3] == f"{local(raw_dsn, 'synced_at', 'chronotrack')} (7 min ago)"
    assert ok[4] == f"{local(raw_dsn, 'attempted_at', 'chronotrack')} (7 min ago)"
    assert ok[5] == "—"

    assert failing[0] == "RunSignUp event 150123 partner 2"
    assert failing[2] == "12"  # the last good sync's runners stay on the display
    assert failing[3] == f"{local(raw_dsn, 'synced_at', 'runsignup')} (3 h ago)"
    assert failing[4].endswith("(2 min ago)")
    assert failing[5] == (
        "Error: runsignup: 401 Unauthorized: renew the API key"
        " (the display keeps the roster of the last successful sync)"
    )
    assert re.search(r'<strong class="error">Error:</strong> <span class="error">runsignup: 401',
                     html)  # fmt: skip

    assert never[0] == "Race Roster event 555 partner 1"
    assert never[1] == "raceroster event 555"
    assert never[2] == "0"
    assert never[3] == "never"
    assert never[5] == "Error: raceroster: event 555 not found"

    assert "Also on the roster: 3 runners from a CSV import" in html
    assert 'id="roster-none"' not in html


def test_no_sources(raw_dsn, status):
    html = status()
    assert "<h2>Rosters</h2>" in html and 'id="rosters"' not in html
    assert "No roster is synced from a provider." in html
    assert "The roster is empty" in html
    assert "<code>project88 roster sync --event ID</code>" in html
    add_roster(raw_dsn, range(1, 41), None)  # project88 roster import
    html = status()
    assert "The roster's 40 runners come from a CSV import" in html
    assert "<code>project88 roster import FILE.csv</code>" in html
    assert "<code>project88 roster sync --event ID</code>" in html
