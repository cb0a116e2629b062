"""The roster reaching a real display page: from a provider, through the sync, to Chromium.

The fake ChronoTrack Live server (``tests/fakes/fake_chronotrack.py``) has an
event; ``project88 sync run --kind events`` lists it and ``project88 roster sync
--event`` puts its runners on the display's roster, both as an operator runs them
(``tests/integration/provider_sync_env.py``: a production database behind
row-level security, a raw database, the sync key). Then the real
``python -m daemons.display_http`` on that raw database, a timing session, and
reads as the listener writes them (``insert_read``): what Chromium shows at the
finish is the synced runner's name and home town, and "Bib N" for a tag the
roster does not know; the operator's /status lists the source.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import query
from tests.e2e.test_display_browser import (
    PageWatch,
    expect_runner,
    insert_read,
    open_display,
    project88,
    screenshot,
)
from tests.fakes.fake_chronotrack import FakeChronoTrackLive
from tests.integration.provider_sync_env import SyncWorld, make_world
from tests.integration.test_display_operator_auth import OPERATOR, operator_env

EVENT = "32804"
SOURCE = f"chronotrack:{EVENT}"
RUNNERS = {  # entry id: (bib, first, last, city, region)
    1: ("101", "Siobhán", "Ó Briain", "Cork", ""),
    2: ("102", "Marcus", "Whitfield", "Hopkinton", "MA"),
    3: ("103", "Li", "Wei", "Quincy", "MA"),
}


@pytest.fixture
def chronotrack() -> Iterator[FakeChronoTrackLive]:
    fake = FakeChronoTrackLive().start()
    fake.add_event(int(EVENT), "Fall Classic", int(time.time()) + 2 * 86400)
    fake.add_race(1, int(EVENT), "Marathon", 42195)
    for entry, (bib, first, last, city, region) in RUNNERS.items():
        fake.add_entry(entry, 1, bib, athlete_first_name=first, athlete_last_name=last,
                       location_city=city, location_region=region)  # fmt: skip
    yield fake
    fake.stop()


@pytest.fixture
def world(pg, tmp_path) -> Iterator[SyncWorld]:
    w = make_world(pg, tmp_path)
    yield w
    w.stop()


def sync_roster(world: SyncWorld, fake: FakeChronoTrackLive) -> None:
    env = {"P88_SYNC_CHRONOTRACK_URL": fake.base_url}
    world.set_credentials(1, "chronotrack", fake.creds)
    listed = world.cli("sync", "run", "--partner", "1", "--provider", "chronotrack",
                       "--kind", "events", "--event", EVENT, **env)  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    synced = world.cli("roster", "sync", "--event", EVENT, "--no-progress", **env)
    assert synced.returncode == 0, synced.stderr
    assert "3 runners" in synced.stdout, synced.stdout


def test_a_synced_roster_reaches_the_finish_display_and_status(
    browser: Browser,
    context,
    world,
    chronotrack,
    display_factory,
    tmp_path,
):
    sync_roster(world, chronotrack)
    assert query(world.raw_su, "SELECT bib, first_name, last_name, city, state, source"
                               " FROM race_roster ORDER BY bib") == [
        (bib, first, last, city, region or None, SOURCE)
        for bib, first, last, city, region in RUNNERS.values()
    ]  # fmt: skip
    label, runners, error = query(world.raw_su, "SELECT label, runners, error"
                                                " FROM roster_sources")[0]  # fmt: skip
    assert label.startswith("Fall Classic ") and runners == 3 and error is None

    display = display_factory(world.raw_su, **operator_env(tmp_path)).start()
    project88(world.raw_su, "session", "new", "--event", "Fall Classic")
    page, watch = open_display(context, f"{display.url}/?location=finish&hold=2")

    insert_read(world.raw_su, "102")  # Marcus's bib on the finish mat (no chip: the bib)
    expect_runner(page, "102", "Marcus Whitfield", "Hopkinton, MA")
    expect(page.locator("#division")).to_have_text("M 35-39")  # the fake's age 35, sex M
    screenshot(page, "roster-sync-finish.png")
    insert_read(world.raw_su, "101")
    expect_runner(page, "101", "Siobhán Ó Briain", "Cork", timeout=10)
    insert_read(world.raw_su, "777")  # a tag no provider registered
    expect_runner(page, "777", "Bib 777", "", timeout=10)
    expect(page.locator("#division")).to_have_text("")
    assert watch.bad == [] and watch.errors == []

    operator = browser.new_context(
        http_credentials={"username": OPERATOR[0], "password": OPERATOR[1]}
    )
    try:
        status = operator.new_page()
        status_watch = PageWatch(status)
        answered = status.goto(f"{display.url}/status")
        assert answered is not None and answered.status == 200
        row = status.locator(f'#rosters tr[data-source="{SOURCE}"]')
        expect(row).to_be_visible()
        expect(row).to_have_class("synced")
        expect(row.locator("td").nth(0)).to_have_text(f"ChronoTrack event {EVENT} partner 1")
        expect(row.locator("td.label")).to_contain_text(label)
        expect(row.locator("td.runners")).to_have_text("3")
        expect(row.locator("td.synced-at")).to_contain_text(
            re.compile(r"\((just now|\d+ s ago|\d+ min ago)\)")
        )
        expect(row.locator("td.roster-error")).to_have_text("—")
        expect(status.locator("#roster-none")).to_have_count(0)
        screenshot(status, "roster-sync-status.png")
        assert [b for b in status_watch.bad if not b.startswith("401 ")] == []
        assert status_watch.errors == []
    finally:
        operator.close()
