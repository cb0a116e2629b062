"""The Race Roster adapter driven against FakeRaceRoster over real HTTP.

The loop here is the least a runner does: get a token, make the Request, get
the Response, parse, follow ``next``. Retries and waiting belong to the real
runner; these tests check what the adapter tells it.
"""

from __future__ import annotations

import time

import pytest
import requests

from daemons.provider_sync import fetch
from daemons.provider_sync.adapters import raceroster as rr
from daemons.provider_sync.adapters.base import Page, ProviderError, Request, Response
from tests.fakes.fake_raceroster import FakeRaceRoster


@pytest.fixture
def fake():
    with FakeRaceRoster() as server:
        for n in range(1, 8):
            server.add_event(100 + n, f"Race {n}")
        for n in range(1, 12):
            server.add_registration(101, n, gender=[0, 1, 2, 8, 9][n % 5])
        yield server


def creds(fake: FakeRaceRoster, secret: str | None = None) -> rr.Credentials:
    return rr.Credentials(fake.client_id, secret if secret is not None else fake.client_secret)


def send(fake: FakeRaceRoster, request: Request, timeout: float = 5.0) -> Response:
    answer = requests.request(
        request.method,
        fake.base_url + request.path,
        params=dict(request.params),
        headers=dict(request.headers),
        data=dict(request.form) if request.form is not None else None,
        timeout=timeout,
    )
    return Response(
        answer.status_code, {k.lower(): v for k, v in answer.headers.items()}, answer.content
    )


def get_token(fake: FakeRaceRoster, secret: str | None = None) -> rr.Token:
    return rr.parse_token(send(fake, rr.token_request(creds(fake, secret))), now=time.monotonic())


def sync(fake: FakeRaceRoster, first: Request, parse) -> tuple[list[Page], str | None]:
    pages, cursor, request = [], None, first
    while request is not None:
        page = parse(request, send(fake, request))
        pages.append(page)
        cursor = rr.merge_cursors(cursor, page.cursor)
        request = page.next
    return pages, cursor


def test_full_sync_over_several_pages(fake):
    token = get_token(fake)
    pages, cursor = sync(fake, rr.events_request(token, None, per_page=3), rr.parse_events)
    assert [len(p.rows) for p in pages] == [3, 3, 1]
    assert [r["id"] for p in pages for r in p.rows] == list(range(101, 108))
    assert {p.table for p in pages} == {"raceroster_events"}
    assert cursor == max(e["updatedAt"] for e in fake.events.values())

    pages, _ = sync(
        fake, rr.registrations_request(token, 101, None, per_page=4), rr.parse_registrations
    )
    rows = [r for p in pages for r in p.rows]
    assert len(pages) == 3 and len(rows) == 11
    assert {r["sex"] for r in rows} == {None, "M", "F", "X"}
    # One token for the whole run, sent only in the Authorization header.
    assert fake.tokens_issued == 1
    assert all(token.access_token not in str(params) for _, _, params in fake.requests)


def test_incremental_sync_after_a_modification(fake):
    token = get_token(fake)
    first = rr.registrations_request(token, 101, None, per_page=4)
    _, cursor = sync(fake, first, rr.parse_registrations)

    fake.modify_registration(101, 3, lastName="Changed", gender=2)
    pages, later = sync(
        fake, rr.registrations_request(token, 101, cursor, per_page=4), rr.parse_registrations
    )
    rows = {r["provider_registration_id"]: r for p in pages for r in p.rows}
    # The row at the old cursor comes again (updated_since is taken inclusively;
    # the upsert makes it harmless); the modified one is there, nothing older.
    assert set(rows) == {"11", "3"}
    assert (rows["3"]["last_name"], rows["3"]["sex"]) == ("Changed", "F")
    assert later is not None and later > cursor

    # Nothing changed: only the boundary row, and the cursor stays put.
    pages, again = sync(fake, rr.registrations_request(token, 101, later), rr.parse_registrations)
    assert [r["provider_registration_id"] for p in pages for r in p.rows] == ["3"]
    assert again == later


def test_a_removal_shows_in_the_next_full_listing(fake):
    token = get_token(fake)
    pages, _ = sync(fake, rr.registrations_request(token, 101, None), rr.parse_registrations)
    known = {r["provider_registration_id"] for p in pages for r in p.rows}
    fake.remove_registration(101, 4)
    pages, _ = sync(fake, rr.registrations_request(token, 101, None), rr.parse_registrations)
    listed = {r["provider_registration_id"] for p in pages for r in p.rows}
    assert rr.removed_ids(known, listed) == ["4"]


def test_an_expired_token_is_renewed(fake):
    token = get_token(fake)
    fake.expire_tokens()
    with pytest.raises(rr.Unauthorized) as caught:
        rr.parse_events(rr.events_request(token, None), send(fake, rr.events_request(token, None)))
    assert token.access_token not in str(caught.value)
    renewed = get_token(fake)
    assert renewed.access_token != token.access_token
    pages, _ = sync(fake, rr.events_request(renewed, None), rr.parse_events)
    assert sum(len(p.rows) for p in pages) == 7


def test_a_short_lived_token_is_known_to_be_expired_before_use():
    with FakeRaceRoster(token_lifetime=90) as fake:
        token = get_token(fake)
        now = time.monotonic()
        assert not rr.token_expired(token, now)
        assert rr.token_expired(token, now + 31)  # within the 60 s margin of its 90 s


def test_429_with_retry_after(fake):
    token = get_token(fake)
    fake.fail_next(429, retry_after=7)
    request = rr.events_request(token, None)
    with pytest.raises(ProviderError) as caught:
        rr.parse_events(request, send(fake, request))
    assert caught.value.retry_after == 7.0
    assert token.access_token not in str(caught.value)
    assert len(rr.parse_events(request, send(fake, request)).rows) == 7  # then it answers


def test_5xx_and_malformed_json(fake):
    token = get_token(fake)
    request = rr.events_request(token, None)
    fake.fail_next(503)
    with pytest.raises(ProviderError) as caught:
        rr.parse_events(request, send(fake, request))
    assert caught.value.retry_after == rr.DEFAULT_RETRY_AFTER_5XX
    fake.malformed_next()
    with pytest.raises(ProviderError, match="malformed JSON"):
        rr.parse_events(request, send(fake, request))


def test_the_per_hour_rate_limit(fake):
    token = get_token(fake)
    fake.rate_limit_per_hour = 2
    request = rr.events_request(token, None)
    rr.parse_events(request, send(fake, request))
    rr.parse_events(request, send(fake, request))
    with pytest.raises(ProviderError) as caught:
        rr.parse_events(request, send(fake, request))
    assert caught.value.retry_after is not None and 3500 < caught.value.retry_after <= 3600


def test_a_slow_answer_is_the_client_timeout(fake):
    token = get_token(fake)
    fake.delay = 0.5
    with pytest.raises(requests.Timeout):
        send(fake, rr.events_request(token, None), timeout=0.1)


def test_bad_client_credentials(fake):
    with pytest.raises(rr.Unauthorized) as caught:
        get_token(fake, secret="wrong-secret-123")
    assert "invalid_client" in str(caught.value)
    assert "wrong-secret-123" not in str(caught.value)
    assert fake.client_secret not in str(caught.value)
    assert fake.tokens_issued == 0


def test_through_the_shared_fetch_loop(fake):
    """The adapter in daemons/provider_sync/fetch.py's loop: 429 and a cut-short
    answer are retried as asked, and the listing completes."""
    token = get_token(fake)
    waits: list[float] = []
    fake.fail_next(429, retry_after=7)
    fake.malformed_next()
    with requests.Session() as session:
        got = list(
            fetch.pages(
                fetch.send_with_requests(session),
                fake.base_url,
                rr.events_request(token, None, per_page=3),
                rr.parse_events,
                fetch.RateLimit(per_hour=1_000_000),
                sleep=waits.append,
            )
        )
    assert [r["id"] for p in got for r in p.rows] == list(range(101, 108))
    assert 7.0 in waits  # Retry-After honoured
