"""The /status page's Rosters section and its wording of times, rendered without a server."""

from __future__ import annotations

import datetime as dt

import jinja2
import pytest

from daemons.display_http import timefmt
from daemons.display_http.chart import minute_chart

NY = dt.timezone(dt.timedelta(hours=-4))
NOW = dt.datetime(2026, 5, 2, 11, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("offset", "words"),
    [
        (None, "never"),
        (dt.timedelta(seconds=10), "just now"),
        (dt.timedelta(seconds=-30), "just now"),
        (dt.timedelta(seconds=50), "50 s ago"),
        (dt.timedelta(minutes=4, seconds=10), "4 min ago"),
        (dt.timedelta(minutes=89), "89 min ago"),
        (dt.timedelta(hours=2), "2 h ago"),
        (dt.timedelta(hours=3, minutes=5), "3 h 5 min ago"),
        (dt.timedelta(days=3, hours=1), "3 days ago"),
        (-dt.timedelta(minutes=20), "in 20 min"),
        (-dt.timedelta(days=2), "in 2 days"),
    ],
)
def test_ago(offset, words):
    when = None if offset is None else (NOW - offset).astimezone(NY)  # any zone: a moment
    assert timefmt.ago(when, NOW) == words


def render(**context) -> str:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("daemons.display_http", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["ago"] = timefmt.ago
    page = {
        "base": "", "nonce": "n", "sessions": [], "session_id": None, "totals": {},
        "locations": [], "by_location": {}, "split_locations": [], "controllers": [],
        "chart": minute_chart([]), "roster_sources": [], "roster": {"total": 0, "unsourced": 0},
        "error": None, "hub_connected": True, "streams": 0, "now": NOW,
    }  # fmt: skip
    return env.get_template("status.html").render(**(page | context))


def source(**fields) -> dict:
    row = {
        "provider": "chronotrack", "provider_name": "ChronoTrack", "provider_event": "32804",
        "source": "chronotrack:32804", "timing_partner_id": 1, "label": "Fall Classic 2026-05-03",
        "starts_at": dt.datetime(2026, 5, 3, 7, 0, tzinfo=NY), "follow": True, "runners": 40,
        "synced_at": (NOW - dt.timedelta(minutes=4)).astimezone(NY),
        "attempted_at": (NOW - dt.timedelta(minutes=4)).astimezone(NY), "error": None,
    }  # fmt: skip
    return row | fields


def test_a_source_shows_its_times_local_and_relative():
    html = render(roster_sources=[source()])
    assert 'data-source="chronotrack:32804"' in html
    assert "ChronoTrack event <code>32804</code>" in html
    assert "Fall Classic 2026-05-03" in html
    assert '<time datetime="2026-05-02T06:56:00-04:00">2026-05-02 06:56:00</time>' in html
    assert "(4 min ago)" in html
    assert "(in 1 days)" not in html and "(in 24 h" in html  # starts 2026-05-03 07:00 -04
    assert 'class="synced"' in html and "Error:" not in html
    assert 'id="roster-none"' not in html


def test_a_failed_source_is_marked_and_escaped():
    failed = source(synced_at=None, error="401 <bad credentials>", runners=0)
    html = render(roster_sources=[failed])
    assert '<tr class="failed"' in html
    assert '<strong class="error">Error:</strong>' in html
    assert "401 &lt;bad credentials&gt;" in html
    assert "never" in html
    assert "last successful sync)" not in html  # nothing synced yet to keep


def test_no_source_says_where_the_roster_comes_from():
    empty = render()
    assert "No roster is synced from a provider." in empty
    assert "The roster is empty" in empty
    assert "<code>project88 roster sync --event ID</code>" in empty
    imported = render(roster={"total": 40, "unsourced": 40})
    assert "The roster's 40 runners come from a CSV import" in imported
    down = render(roster=None, error="connection refused")
    assert "The roster comes from a CSV import or is empty." in down
