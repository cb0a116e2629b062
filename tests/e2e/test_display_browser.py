"""The race display in a real browser: Debian's headless Chromium driven by Playwright.

Every test runs the real processes: PostgreSQL (the suite's cluster), the
CTP01 listener fed by ``project88.simulate`` (one SimpleClient look-alike
owning the ``finish`` mat), ``python -m daemons.display_http`` and, where
the display is served under ``/race-display/``, Debian's Apache in front of
it with the shipped main vhost (``apache/main.conf.j2``, HTTPS; a private
instance on free ports, see ``apache_harness``). What is
checked is what a person at the finish line sees: the runner's name on the
screen within a second of the read leaving the timing equipment, the
connection indicator, and recovery after the display daemon restarts.

Screenshots go to ``test-artifacts/`` (git-ignored) for a person to look at.
Chromium and Apache come from ``tools/bootstrap.sh --test``.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    expect,
)
from playwright.sync_api import (
    Error as PlaywrightError,
)

from project88.simulate import SimConfig, SimulatedClient
from tests.conftest import REPO, DisplayProcess, query
from tests.e2e.apache_harness import APACHE
from tests.e2e.apache_harness import Apache as ApacheServer
from tests.integration.test_display_operator_auth import OPERATOR, operator_env

ARTIFACTS = REPO / "test-artifacts"
PREFIX = "/race-display"
LATENCY_LIMIT = 1.0  # seconds from the read leaving the "controller" to the name on screen

# Every change of #name, stamped with the browser's wall clock (the same clock
# as the test's time.time()): the latency is measured where the text changes,
# not when Playwright's polling happens to notice it.
RECORD_NAMES = """
() => {
  window.__names = [];
  const name = document.getElementById("name");
  new MutationObserver(() => {
    window.__names.push({ text: name.textContent, at: Date.now() / 1000 });
  }).observe(name, { childList: true, characterData: true, subtree: true });
}
"""


# --------------------------------------------------------------------------- helpers


def project88(dsn: str, *args: str) -> str:
    env = dict(os.environ, P88_RAW_DSN=dsn, P88_TIMEZONE="America/New_York")
    done = subprocess.run(
        [sys.executable, "-m", "project88.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def import_roster(dsn: str) -> None:
    out = project88(dsn, "roster", "import", str(REPO / "tools" / "sample_roster.csv"))
    assert "40 rows" in out, out


class Crossings:
    """Runners crossing the ``finish`` mat, sent by a simulated SimpleClient.

    Each crossing is one ``SimulatedClient`` owning ``finish`` with a single
    athlete (the bib wanted) and no gun time, so the read it pushes is exactly
    ``finish`` seq 1, tag "<bib>". Sequence numbers are per session, so every
    crossing after the first opens a new session (``project88 session new``),
    as a timing crew does between waves.
    """

    def __init__(self, dsn: str, listener_port: int) -> None:
        self.dsn = dsn
        self.port = listener_port
        self.count = 0
        self._running: list[tuple[SimulatedClient, threading.Thread]] = []

    def cross(self, bib: int) -> float:
        """Send bib's read; return the wall-clock time it was written to the socket."""
        if self.count:
            project88(self.dsn, "session", "new")
        self.count += 1
        cfg = SimConfig(
            port=self.port,
            locations=("finish",),
            athletes=1,
            first_bib=bib,
            rate=0,  # the whole (one-read) buffer at once
            guntimes=False,
            linger=0.5,
            max_runtime=20,
        )
        sent: list[float] = []
        ready = threading.Event()

        def on_read_sent(location: str, seq: int, _stamp: float) -> None:
            sent.append(time.time())
            ready.set()

        client = SimulatedClient(cfg, on_read_sent)
        thread = threading.Thread(target=asyncio.run, args=(client.run(),), daemon=True)
        thread.start()
        self._running.append((client, thread))
        assert ready.wait(10), "the simulated client sent nothing"
        return sent[0]

    def close(self) -> None:
        for client, thread in self._running:
            client.stop()
            thread.join(10)


@pytest.fixture
def crossings(raw_dsn, listener_factory) -> Iterator[Crossings]:
    import_roster(raw_dsn)
    listener = listener_factory(raw_dsn).start()
    feed = Crossings(raw_dsn, listener.port)
    yield feed
    feed.close()


def insert_read(dsn: str, tag: str, location: str = "finish") -> None:
    """A read straight into the database, with the listener's NOTIFY in the same transaction."""
    conn = psycopg2.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT id FROM timing_sessions WHERE status = 'active' ORDER BY id DESC")
            row = cur.fetchone()
            if row is None:
                cur.execute(
                    "INSERT INTO timing_sessions (session_name, event_name)"
                    " VALUES ('e2e', 'Browser test') RETURNING id"
                )
                row = cur.fetchone()
            session_id = row[0]
            cur.execute(
                "SELECT id FROM timing_locations WHERE session_id = %s AND location_name = %s",
                (session_id, location),
            )
            loc = cur.fetchone()
            if loc is None:
                cur.execute(
                    "INSERT INTO timing_locations (session_id, location_name, reader_id)"
                    " VALUES (%s, %s, '117F37') RETURNING id",
                    (session_id, location),
                )
                loc = cur.fetchone()
            cur.execute(
                "SELECT coalesce(max(sequence_number), 0) + 1 FROM timing_reads"
                " WHERE session_id = %s AND location_name = %s",
                (session_id, location),
            )
            seq = cur.fetchone()[0]
            cur.execute(
                "INSERT INTO timing_reads (session_id, location_id, sequence_number,"
                " location_name, tag_code, read_time, read_date, read_timestamp, raw_data)"
                " VALUES (%s, %s, %s, %s, %s, localtime, current_date, now(), %s)",
                (
                    session_id,
                    loc[0],
                    seq,
                    location,
                    tag,
                    f"CT01_33~{seq}~{location}~{tag}~08:00:00.00~1~117F37~1",
                ),
            )
            cur.execute("SELECT pg_notify('timing_reads', '{}')")
    finally:
        conn.close()


class PageWatch:
    """What a page asked for and got: failed responses, console errors, requests."""

    def __init__(self, page: Page) -> None:
        self.bad: list[str] = []
        self.errors: list[str] = []
        self.requests: list[Request] = []
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r))

    def _console(self, message: ConsoleMessage) -> None:
        # Every page names its icon, so chromium asks no /favicon.ico of its own:
        # any console error at all counts.
        if message.type == "error":
            self.errors.append(f"{message.text} {message.location.get('url', '')}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.bad.append(f"{response.status} {response.url}")

    def urls(self, resource_type: str) -> list[str]:
        return [r.url for r in self.requests if r.resource_type == resource_type]

    def streams(self) -> list[Request]:
        return [r for r in self.requests if r.resource_type == "eventsource"]


def shown_at(page: Page, text: str) -> float:
    """When #name first showed ``text`` (browser wall clock, seconds)."""
    names = page.evaluate("window.__names")
    return next(n["at"] for n in names if n["text"] == text)


def open_display(context: BrowserContext, url: str) -> tuple[Page, PageWatch]:
    page = context.new_page()
    watch = PageWatch(page)
    page.goto(url)
    page.evaluate(RECORD_NAMES)
    expect(page.locator("#connection")).to_have_class("connection online", timeout=10_000)
    expect(page.locator("body")).to_have_attribute("data-connection", "online")
    expect(page.locator("#stage")).to_have_attribute("data-mode", "idle")
    return page, watch


def expect_runner(page: Page, bib: str, name: str, hometown: str, timeout: float = 5) -> None:
    expect(page.locator("#name")).to_have_text(name, timeout=timeout * 1000)
    expect(page.locator("#stage")).to_have_attribute("data-mode", "runner")
    expect(page.locator("#runner")).to_be_visible()
    expect(page.locator("#idle")).to_be_hidden()
    expect(page.locator("#bib")).to_have_text(bib)
    expect(page.locator("#hometown")).to_have_text(hometown)


def boxes(page: Page) -> list[tuple[float, float]]:
    """The vertical place of the display's parts: a crossing must not move any of them.

    (Text is centred, so an inline span's width and x follow its text; rows must not.)
    """
    places = []
    for selector in ("header", "footer", "#stage", "#bib", "#name", "#hometown", "#division",
                     "#message", "#idle-message"):  # fmt: skip
        box = page.locator(selector).bounding_box()
        assert box is not None, selector
        places.append((box["y"], box["height"]))
    return places


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    # "disabled" completes the card's 0.25 s fade-in rather than catching it half-way.
    page.screenshot(path=str(ARTIFACTS / name), animations="disabled")


# --------------------------------------------------------------------------- fixtures


class Apache:
    """The shipped main vhost in a private apache2, in front of one display daemon."""

    def __init__(self, backend: DisplayProcess) -> None:
        self.backend = backend
        self.server = ApacheServer(apache_display_backend_port=backend.port)

    def start(self) -> Apache:
        self.server.start(vhosts=["main.conf.j2"])
        return self

    @property
    def base(self) -> str:
        """Where the display is: https://main.p88.test:<port>/race-display."""
        return self.server.url("main", PREFIX)

    def log(self) -> str:
        return self.server.log()

    def stop(self) -> None:
        """Stop the backend first (its open stream would pin a worker), then Apache."""
        self.backend.stop()
        self.server.stop()


@pytest.fixture
def apache_factory() -> Iterator:
    assert Path(APACHE).exists(), f"{APACHE} missing: run tools/bootstrap.sh --test"
    started: list[Apache] = []

    def make(backend: DisplayProcess) -> Apache:
        proxy = Apache(backend)
        started.append(proxy)
        return proxy.start()

    yield make
    for proxy in started:
        proxy.stop()


# --------------------------------------------------------------------------- tests


def test_crossing_shows_within_a_second(context, raw_dsn, crossings, display_factory):
    display = display_factory(raw_dsn).start()
    page, watch = open_display(context, f"{display.url}/?location=finish")
    layout_idle = boxes(page)

    sent = crossings.cross(1)
    expect_runner(page, "1", "José Núñez", "San Antonio, TX")
    latency = shown_at(page, "José Núñez") - sent
    assert boxes(page) == layout_idle  # nothing moves when a name arrives
    print(f"crossing-to-screen latency direct={latency * 1000:.0f} ms")
    assert latency < LATENCY_LIMIT
    expect(page.locator("#division")).to_have_text("M 30-34")
    expect(page.locator("#message")).to_have_text("Congratulations!")
    screenshot(page, "display-finish.png")

    # A tag the roster does not know: the bib number stands in for the name.
    crossings.cross(999)
    expect_runner(page, "999", "Bib 999", "", timeout=10)  # after José's 5 s turn
    expect(page.locator("#division")).to_have_text("")

    assert watch.bad == []
    assert watch.errors == []


def test_crossing_through_apache_under_a_prefix(
    context, raw_dsn, crossings, display_factory, apache_factory
):
    display = display_factory(raw_dsn).start()
    apache = apache_factory(display)
    base = apache.base
    page, watch = open_display(context, f"{base}/?location=finish")

    # Links and the stream carry the prefix, and all of it came through Apache.
    stream_url = f"{base}/api/timing/stream?location=finish"
    assert watch.urls("eventsource") == [stream_url]
    assert watch.urls("stylesheet") == [f"{base}/static/display.css"]
    assert watch.urls("script") == [f"{base}/static/display.js"]
    config = page.evaluate("JSON.parse(document.getElementById('display-config').textContent)")
    assert config["streamUrl"] == f"{PREFIX}/api/timing/stream?location=finish"

    sent = crossings.cross(1)
    expect_runner(page, "1", "José Núñez", "San Antonio, TX")
    latency = shown_at(page, "José Núñez") - sent
    print(f"crossing-to-screen latency apache={latency * 1000:.0f} ms")
    assert latency < LATENCY_LIMIT
    screenshot(page, "display-prefix.png")

    assert watch.bad == [], apache.log()
    assert watch.errors == []


@pytest.mark.parametrize("via", ["direct", "apache"])
def test_offline_indicator_and_replay_after_restart(
    via, request, context, raw_dsn, display_factory
):
    import_roster(raw_dsn)
    display = display_factory(raw_dsn).start()
    base = display.url
    if via == "apache":
        apache = request.getfixturevalue("apache_factory")(display)
        base = apache.base
    page, watch = open_display(context, f"{base}/?location=finish&hold=1")
    connection = page.locator("#connection")

    insert_read(raw_dsn, "1")  # gives the page an event id to resume from
    seen = query(raw_dsn, "SELECT max(id) FROM timing_reads")[0][0]
    expect_runner(page, "1", "José Núñez", "San Antonio, TX")
    expect(page.locator("#stage")).to_have_attribute("data-mode", "idle", timeout=5_000)

    stopped = time.monotonic()
    assert display.stop() == 0, display.log()
    expect(connection).to_have_class("connection offline", timeout=5_000)
    expect(page.locator("body")).to_have_attribute("data-connection", "offline")
    print(f"{via}: offline shown {time.monotonic() - stopped:.2f} s after the stop")

    insert_read(raw_dsn, "2")  # crosses while the display is down
    missed = query(raw_dsn, "SELECT max(id) FROM timing_reads")[0][0]
    page.wait_for_timeout(2_500)  # the page retries meanwhile (retry: 2000 ms)
    again = display_factory(raw_dsn)
    again.port = display.port  # the page knows only this address
    again.start()
    if via == "apache":
        apache.backend = again
    restarted = time.monotonic()
    expect(connection).to_have_class("connection online", timeout=10_000)
    expect_runner(page, "2", "Emily Hartwell", "Hartford, CT", timeout=5)
    print(f"{via}: back online and replayed {time.monotonic() - restarted:.2f} s after the restart")
    expect(page.locator("#message")).to_have_text("Go Mom!")
    assert page.evaluate("document.getElementById('stage').dataset.readId") == str(missed)
    # Exactly once: the replay starts after José, it does not show him again.
    assert [n["text"] for n in page.evaluate("window.__names")].count("José Núñez") == 1

    stream = f"{base}/api/timing/stream?location=finish"
    resumed = watch.streams()[-1]
    if via == "direct":
        # A dropped stream: EventSource reconnects by itself, sending Last-Event-ID.
        assert resumed.url == stream
        assert resumed.header_value("last-event-id") == str(seen)
    else:
        # Apache answers 503 while its backend is down, so EventSource gives up;
        # display.js opens a new one that names the last id in the URL.
        assert resumed.url == f"{stream}&last_event_id={seen}"
        assert f"503 {stream}" in watch.bad
    assert all("/api/timing/stream" in e for e in watch.errors), watch.errors


@pytest.mark.parametrize("via", ["direct", "apache"])
def test_status_page_asks_for_the_operator_login(
    via, request, browser, raw_dsn, display_factory, tmp_path
):
    """/status in Chromium: refused without the login; with it (through Apache's TLS vhost,
    which must pass Authorization on), the page and its stylesheet load, refreshes too."""
    display = display_factory(raw_dsn, **operator_env(tmp_path)).start()
    base = display.url
    if via == "apache":
        base = request.getfixturevalue("apache_factory")(display).base
    # Without a login, Playwright's Chromium ends the navigation at the challenge (where a
    # person would see the browser's prompt); with a wrong one it shows the 401 page.
    outsider = browser.new_context(ignore_https_errors=True)
    try:
        with pytest.raises(PlaywrightError, match="ERR_INVALID_AUTH_CREDENTIALS"):
            outsider.new_page().goto(f"{base}/status")
    finally:
        outsider.close()
    wrong = {"username": OPERATOR[0], "password": "wrong"}
    outsider = browser.new_context(ignore_https_errors=True, http_credentials=wrong)
    try:
        page = outsider.new_page()
        refused = page.goto(f"{base}/status")
        assert refused is not None and refused.status == 401
        expect(page.locator("p.error")).to_have_text("operator login required")
        expect(page.locator("h1")).to_have_text("401")
    finally:
        outsider.close()
    assert "operator login failed" in display.log()
    user, password = OPERATOR
    operator = browser.new_context(
        ignore_https_errors=True, http_credentials={"username": user, "password": password}
    )
    try:
        page = operator.new_page()
        watch = PageWatch(page)
        answered = page.goto(f"{base}/status")
        assert answered is not None and answered.status == 200
        expect(page.locator("h1")).to_have_text("Timing status")
        expect(page.locator("#per-minute")).to_be_visible()
        colour = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert colour != "rgba(0, 0, 0, 0)", "status.css did not apply"
        assert watch.urls("stylesheet") == [f"{base}/static/status.css"]
        screenshot(page, f"status-{via}.png")
        again = page.reload()
        assert again is not None and again.status == 200
        # The browser's own first try carries no credentials (it learns the realm from
        # the 401); nothing else may fail.
        assert [b for b in watch.bad if not b.startswith("401 ")] == [], watch.bad
        assert watch.errors == []
    finally:
        operator.close()
    assert "operator login user=operator" in display.log()
