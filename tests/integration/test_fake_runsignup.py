"""The RunSignUp adapter against FakeRunSignUp over real HTTP (requests)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
import requests

from daemons.provider_sync import fetch as shared
from daemons.provider_sync.adapters import runsignup as rsu
from daemons.provider_sync.adapters import runsignup_race as rsu_race
from daemons.provider_sync.adapters.base import Page, ProviderError, Request, Response
from tests.fakes.fake_runsignup import FakeRunSignUp, Fault

EVENT = 1001


@pytest.fixture
def fake() -> Iterator[tuple[FakeRunSignUp, str]]:
    f = FakeRunSignUp()
    with f.serve() as base:
        yield f, base


def fetch(base: str, req: Request) -> Response:
    r = requests.request(
        req.method, base + req.path, params=dict(req.params), headers=dict(req.headers), timeout=10
    )
    return Response(r.status_code, {k.lower(): v for k, v in r.headers.items()}, r.content)


def run(
    base: str, first: Request, parse: Callable[..., Page], cursor: str | None = None
) -> tuple[list[Page], str | None]:
    """The tiny runner: request, answer, parse, follow next; merge the pages' cursors."""
    pages, req = [], first
    while req is not None:
        page = parse(req, fetch(base, req), cursor=cursor)
        pages.append(page)
        req = page.next
    return pages, rsu.merge_cursors(cursor, *(p.cursor for p in pages))


def creds(f: FakeRunSignUp, **kw: Any) -> rsu.Credentials:
    return rsu.Credentials(f.api_key, f.api_secret, **kw)


def sync(f: FakeRunSignUp, base: str, cursor: str | None, **kw: Any):
    first = rsu.participants_request(creds(f, **kw), f.race_id, EVENT, cursor)
    return run(base, first, rsu.parse_participants, cursor)


def test_full_then_incremental_sync_with_bib_change_and_removal(fake):
    f, base = fake
    regs = f.add_many(6000)
    f.add_many(5, event_id=1002)  # another event's runners are not listed

    pages, cursor = sync(f, base, None)
    assert len(pages) == 3  # 2,500 + 2,500 + 1,000
    rows = [r for p in pages for r in p.rows]
    assert len(rows) == 6000 and len({r["registration_id"] for r in rows}) == 6000
    assert all(r["runsignup_race_id"] == EVENT and r["registered_at"].tzinfo for r in rows)
    assert cursor.startswith(f"{f.clock}:")

    # Nothing changed: the inclusive cursor brings the same second back, and it is dropped.
    pages, same = sync(f, base, cursor)
    assert [r for p in pages for r in p.rows] == [] and same == cursor

    # A modification in the same second as the cursor, and one later.
    f.add_participant(first_name="Late")
    f.clock += 5
    f.modify(regs[10], city="Cherry Hill")
    f.set_bib(regs[20], "4242", "CHIP42")
    pages, cursor2 = sync(f, base, cursor)
    changed = {r["registration_id"]: r for p in pages for r in p.rows}
    assert set(changed) == {regs[10], regs[20], max(f.participants)}
    assert changed[regs[10]]["city"] == "Cherry Hill" and changed[regs[20]]["bib"] == "4242"
    assert cursor2.startswith(f"{f.clock}:")

    # Bibs straight from get-bib-chip.
    bib_req = rsu.bib_chip_request(creds(f), f.race_id, EVENT)
    bibs = rsu.parse_bib_chip(bib_req, fetch(base, bib_req))
    assert {"registration_id": regs[20], "bib": "4242", "chip": "CHIP42"} in bibs.rows

    # A removal shows in removed-participants, not in participants.
    f.clock += 5
    f.remove(regs[30])
    first = rsu.removed_request(creds(f), f.race_id, EVENT, None)
    removed, rcursor = run(base, first, rsu.parse_removed)
    assert [x for p in removed for x in p.removed] == [str(regs[30])]
    again, _ = run(
        base, rsu.removed_request(creds(f), f.race_id, EVENT, rcursor), rsu.parse_removed, rcursor
    )
    assert [x for p in again for x in p.removed] == []


def test_race_listing_and_header_auth(fake):
    f, base = fake
    req = rsu.race_request(creds(f, header_secret=True), f.race_id)
    assert "api_secret" not in req.params
    answer = fetch(base, req)
    events = rsu_race.parse_race(req, answer, partner_id=1)
    races = rsu_race.parse_race_events(req, answer, partner_id=1)
    assert events.rows[0]["id"] == f.race_id
    assert [r["id"] for r in races.rows] == list(f.event_ids)


def test_bare_object_form(fake):
    f, base = fake
    f.bare_object = True
    f.add_many(3)
    pages, _ = sync(f, base, None)
    assert len(pages[0].rows) == 3


def test_429_with_retry_after_then_success(fake):
    f, base = fake
    f.add_many(3)
    f.fail_next(Fault(status=429, retry_after=7))
    with pytest.raises(ProviderError) as exc:
        sync(f, base, None)
    assert exc.value.retry_after == 7.0
    pages, _ = sync(f, base, None)  # the runner retries after the wait
    assert len(pages[0].rows) == 3


def test_5xx_malformed_and_hourly_limit(fake):
    f, base = fake
    f.fail_next(Fault(status=503, retry_after=None))
    with pytest.raises(ProviderError) as exc:
        sync(f, base, None)
    assert exc.value.retry_after == rsu.DEFAULT_RETRY_AFTER
    f.fail_next(Fault(malformed=True))
    with pytest.raises(ProviderError, match="malformed JSON"):
        sync(f, base, None)
    f.per_hour_limit = len(f.requests) + 1  # this hour's requests so far, and one more
    sync(f, base, None)
    with pytest.raises(ProviderError) as exc:
        sync(f, base, None)
    assert exc.value.retry_after and exc.value.retry_after > 0


def test_slow_answer_hits_the_client_timeout(fake):
    f, base = fake
    f.delay = 0.5
    req = rsu.participants_request(creds(f), f.race_id, EVENT)
    with pytest.raises(requests.Timeout):
        requests.get(base + req.path, params=dict(req.params), timeout=0.1)


@pytest.mark.parametrize("header_secret", [False, True])
def test_bad_credentials(fake, header_secret):
    f, base = fake
    bad = rsu.Credentials(f.api_key, "wrong-secret-123", header_secret=header_secret)
    req = rsu.participants_request(bad, f.race_id, EVENT)
    with pytest.raises(ProviderError, match="credentials rejected") as exc:
        rsu.parse_participants(req, fetch(base, req))
    assert "wrong-secret-123" not in str(exc.value) and f.api_key not in str(exc.value)
    assert exc.value.retry_after is None


def test_through_the_shared_fetch_loop(fake):
    """The same adapter under daemons/provider_sync/fetch.py: 429 and a cut body retried."""
    f, base = fake
    f.add_many(30)
    f.fail_next(Fault(status=429, retry_after=7))
    f.fail_next(Fault(malformed=True))
    waits: list[float] = []
    first = rsu.participants_request(creds(f), f.race_id, EVENT, per_page=10)
    with requests.Session() as session:
        got = list(
            shared.pages(
                shared.send_with_requests(session),
                base,
                first,
                partial(rsu.parse_participants, cursor=None, partner_id=1),
                shared.RateLimit(per_hour=3_600_000),
                sleep=waits.append,
            )
        )
    assert sum(len(p.rows) for p in got) == 30 and len(got) == 4  # 10+10+10, then empty
    assert 7.0 in waits  # Retry-After was honoured
    assert rsu.merge_cursors(*(p.cursor for p in got)).startswith(f"{f.clock}:")
