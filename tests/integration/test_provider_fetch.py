"""The shared fetch loop over real HTTP: paging, retries after 429/5xx, failing fast.

The server here is a bare local HTTP server scripted per test (not a provider
fake: those are in tests/fakes/); the adapter is a minimal one for its answers.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from daemons.provider_sync.adapters.base import Page, ProviderError, Request, Response
from daemons.provider_sync.fetch import RateLimit, backoff, pages, send_with_requests


class ScriptedServer:
    """Answers GET /items?page=N from a script of (status, headers, body) per call."""

    def __init__(self, script: list[tuple[int, dict[str, str], bytes]]) -> None:
        self.script = script
        self.seen: list[dict[str, list[str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.seen.append(parse_qs(urlparse(self.path).query))
                status, headers, body = outer.script.pop(0)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def listing(page: int) -> Request:
    return Request("GET", "items", {"page": str(page), "api_key": "k-SECRET"},
                   secret_params=("api_key",))  # fmt: skip


def parse(request: Request, response: Response) -> Page:
    if response.status == 429 or response.status >= 500:
        after = float(response.headers.get("retry-after", "0"))
        raise ProviderError(f"{request.path}: HTTP {response.status}", retry_after=after)
    if response.status != 200:
        raise ProviderError(f"{request.path}: HTTP {response.status}")
    try:
        body = json.loads(response.body)
    except ValueError:
        raise ProviderError(f"{request.path}: malformed JSON", retry_after=0.0) from None
    page = int(request.params["page"])
    more = page < int(response.headers["x-page-count"])
    return Page("items", body, next=listing(page + 1) if more else None)


def ok(rows: list[dict], pages_total: int) -> tuple[int, dict[str, str], bytes]:
    return 200, {"X-Page-Count": str(pages_total)}, json.dumps(rows).encode()


@pytest.fixture
def session():
    with requests.Session() as s:
        yield s


def run(server: ScriptedServer, session, **kwargs) -> list[Page]:
    waits: list[float] = []
    got = list(pages(send_with_requests(session), server.url, listing(1), parse,
                     RateLimit(3600 * 1000), sleep=waits.append, **kwargs))  # fmt: skip
    run.waits = waits  # type: ignore[attr-defined]
    return got


def test_every_page_is_followed(session):
    server = ScriptedServer([ok([{"id": 1}], 3), ok([{"id": 2}], 3), ok([{"id": 3}], 3)])
    got = run(server, session)
    server.close()
    assert [row["id"] for page in got for row in page.rows] == [1, 2, 3]
    assert [seen["page"] for seen in server.seen] == [["1"], ["2"], ["3"]]


def test_429_and_5xx_and_malformed_answers_are_retried_as_asked(session):
    server = ScriptedServer([
        (429, {"Retry-After": "7"}, b"slow down"),
        (503, {}, b"maintenance"),
        (200, {"X-Page-Count": "1"}, b"{not json"),
        ok([{"id": 1}], 1),
    ])  # fmt: skip
    got = run(server, session)
    server.close()
    assert [row["id"] for page in got for row in page.rows] == [1]
    retry_waits = [w for w in run.waits if w > 0.01]  # type: ignore[attr-defined]
    assert retry_waits[0] >= 7  # the provider's Retry-After, at least


def test_a_refusal_fails_at_once_and_names_no_secret(session):
    server = ScriptedServer([(401, {}, b'{"error": "bad key k-SECRET"}')])
    with pytest.raises(ProviderError) as failed:
        run(server, session)
    server.close()
    assert len(server.seen) == 1
    assert "HTTP 401" in str(failed.value) and "SECRET" not in str(failed.value)


def test_retries_stop_at_the_limit(session):
    server = ScriptedServer([(500, {}, b"")] * 3)
    with pytest.raises(ProviderError, match=r"HTTP 500 \(after 3 attempts\)"):
        run(server, session, max_retries=2)
    server.close()


def test_a_network_error_is_retried_and_its_text_kept_out(session):
    server = ScriptedServer([])
    server.close()  # nothing listens any more: connection refused every time
    with pytest.raises(ProviderError) as failed:
        list(pages(send_with_requests(session), server.url, listing(1), parse,
                   RateLimit(3600 * 1000), max_retries=1, sleep=lambda _s: None))  # fmt: skip
    assert "ConnectionError (network)" in str(failed.value)
    assert "SECRET" not in str(failed.value) and "127.0.0.1" not in str(failed.value)


def test_the_rate_limit_spreads_requests_over_the_hour():
    now = [0.0]
    limit = RateLimit(per_hour=3600, clock=lambda: now[0])
    assert [limit.delay() for _ in range(3)] == [0.0, 1.0, 2.0]
    now[0] = 10.0  # idle for a while: no credit is saved up for a burst
    assert limit.delay() == 0.0 and limit.delay() == 1.0


def test_backoff_doubles_respects_the_provider_and_is_capped():
    assert backoff(0, None, jitter=lambda: 1.0) == 1.0
    assert backoff(3, None, jitter=lambda: 1.0) == 8.0
    assert backoff(0, 30.0, jitter=lambda: 1.0) == 30.0
    assert backoff(20, None, jitter=lambda: 1.0) == 300.0
