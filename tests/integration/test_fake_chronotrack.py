"""The ChronoTrack adapter against FakeChronoTrackLive over real HTTP (requests)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import requests

from daemons.provider_sync.adapters import chronotrack as ct
from daemons.provider_sync.adapters.base import Page, ProviderError, Request, Response
from tests.fakes.fake_chronotrack import FakeChronoTrackLive

EVENT, MARATHON, FIVE_K = 32804, 81829, 81830


def fetch(base_url: str, req: Request, timeout: float = 10.0) -> Response:
    r = requests.request(req.method, base_url + req.path, params=dict(req.params), timeout=timeout)
    return Response(r.status_code, {k.lower(): v for k, v in r.headers.items()}, r.content)


def sync(base_url: str, first: Request, parse: Callable[[Request, Response], Page]) -> list[Page]:
    """The tiny runner of these tests: request, answer, parse, follow ``next``."""
    pages, req = [], first
    while req is not None:
        page = parse(req, fetch(base_url, req))
        pages.append(page)
        req = page.next
    return pages


@pytest.fixture
def fake() -> Iterator[FakeChronoTrackLive]:
    with FakeChronoTrackLive() as server:
        server.add_event(EVENT, "Boston Marathon", 1713182400)
        server.add_race(MARATHON, EVENT, "Marathon", 42195)
        server.add_race(FIVE_K, EVENT, "5K", 5000)
        for n in range(1, 5001):
            server.add_entry(n, MARATHON if n <= 4000 else FIVE_K, str(n))
        for n in range(1, 101):
            server.add_result(n, f"2:{n % 60:02d}:{n % 60:02d}.{n % 10}")
        yield server


def race_ids(fake: FakeChronoTrackLive) -> dict[str, int]:
    pages = sync(fake.base_url, ct.races_request(fake.creds, EVENT), ct.parse_races)
    return {row["name"]: row["id"] for page in pages for row in page.rows}


def test_events_and_races(fake):
    (events,) = sync(fake.base_url, ct.events_request(fake.creds), ct.parse_events)
    assert [e["name"] for e in events.rows] == ["Boston Marathon"]
    assert race_ids(fake) == {"Marathon": MARATHON, "5K": FIVE_K}


def test_full_entry_sync_over_several_pages(fake):
    names = race_ids(fake)
    pages = sync(
        fake.base_url,
        ct.entries_request(fake.creds, EVENT, size=1000),
        lambda q, a: ct.parse_entries(q, a, race_ids_by_name=names),
    )
    assert len(pages) == 5 and pages[-1].next is None
    rows = [row for page in pages for row in page.rows]
    assert len(rows) == 5000 and len({r["entry_id"] for r in rows}) == 5000
    assert sum(r["race_id"] == FIVE_K for r in rows) == 1000
    assert [p for p, _ in fake.requests][-5:] == [f"/api/event/{EVENT}/entry"] * 5
    assert [q["page"] for _, q in fake.requests[-5:]] == ["1", "2", "3", "4", "5"]
    # The password never travels; its SHA-1 does.
    sent = [q for _, q in fake.requests]
    assert all(fake.password not in q.values() for q in sent)
    assert {q["user_pass"] for q in sent} == {hashlib.sha1(fake.password.encode()).hexdigest()}


def test_changed_bib_and_withdrawal_show_in_the_next_sync(fake):
    fake.set_bib(10, "A10")
    fake.withdraw(11)
    pages = sync(
        fake.base_url,
        ct.race_entries_request(fake.creds, MARATHON, size=1000),
        lambda q, a: ct.parse_entries(q, a, event_id=EVENT),
    )
    rows = {r["entry_id"]: r for page in pages for r in page.rows}
    assert rows[10]["bib"] == "A10"
    assert 11 not in rows and [i for p in pages for i in p.removed] == ["11"]
    assert len(rows) == 3999


def test_results(fake):
    by_bib = {str(n): (n, MARATHON) for n in range(1, 5001)}
    pages = sync(
        fake.base_url,
        ct.results_request(fake.creds, EVENT, size=30),
        lambda q, a: ct.parse_results(q, a, entries_by_bib=by_bib),
    )
    assert len(pages) == 4
    rows = [r for page in pages for r in page.rows]
    assert len(rows) == 100
    first = next(r for r in rows if r["entry_id"] == 1)
    assert first["chip_time"] == timedelta(hours=2, minutes=1, seconds=1.1)
    assert first["pace_per_mile"] == timedelta(minutes=8)
    assert first["status"] == "finished" and first["timing_point"] == "Finish"


def test_429_with_retry_after(fake):
    fake.fail_next(429, retry_after=42)
    with pytest.raises(ProviderError) as err:
        sync(fake.base_url, ct.events_request(fake.creds), ct.parse_events)
    assert err.value.retry_after == 42.0
    # The fault is spent: the retry succeeds.
    assert sync(fake.base_url, ct.events_request(fake.creds), ct.parse_events)[0].rows


def test_per_hour_rate_limit(fake):
    now = [1000.0]
    fake.clock = lambda: now[0]
    fake.rate_limit_per_hour = 2
    for _ in range(2):
        sync(fake.base_url, ct.events_request(fake.creds), ct.parse_events)
    with pytest.raises(ProviderError, match="429") as err:
        sync(fake.base_url, ct.events_request(fake.creds), ct.parse_events)
    assert err.value.retry_after == 3600.0
    now[0] += 3600
    assert sync(fake.base_url, ct.events_request(fake.creds), ct.parse_events)[0].rows


def test_5xx_midway_is_retryable(fake):
    names = race_ids(fake)
    first = ct.parse_entries(
        ct.entries_request(fake.creds, EVENT, size=1000),
        fetch(fake.base_url, ct.entries_request(fake.creds, EVENT, size=1000)),
        race_ids_by_name=names,
    )
    fake.fail_next(503)
    with pytest.raises(ProviderError, match="503") as err:
        ct.parse_entries(first.next, fetch(fake.base_url, first.next), race_ids_by_name=names)
    assert err.value.retry_after == ct.DEFAULT_RETRY_5XX


def test_malformed_json(fake):
    fake.malformed_next()
    with pytest.raises(ProviderError, match="malformed JSON"):
        sync(fake.base_url, ct.events_request(fake.creds), ct.parse_events)


def test_bad_credentials(fake):
    creds = fake.creds | {"password": "wrong password"}
    with pytest.raises(ProviderError, match="credentials rejected") as err:
        sync(fake.base_url, ct.events_request(creds), ct.parse_events)
    assert err.value.retry_after is None
    assert "wrong password" not in str(err.value) and fake.user_id not in str(err.value)


def test_slow_answer_times_out_at_the_client(fake):
    fake.delay = 0.5
    with pytest.raises(requests.Timeout):
        fetch(fake.base_url, ct.events_request(fake.creds), timeout=0.1)
