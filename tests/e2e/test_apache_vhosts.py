"""The shipped Apache vhosts (``apache/*.j2``) in a real apache2, over real TLS sockets.

One private apache2 (``apache_harness``) serves all three names on free ports,
in front of the real daemons where they can run here - display_http on the
suite's PostgreSQL, nlq_http (the routes checked need no database) - and of
small stand-ins for the two that cannot (Open WebUI, PostgREST), which report
what reached them. Clients connect to 127.0.0.1 and name the vhost in TLS
(SNI), as a browser would.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import secrets
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect, sync_playwright

from project88.pgcluster import free_port
from tests.conftest import REPO, DisplayProcess, fresh_database, stop_process, wait_for
from tests.e2e.apache_harness import (
    APACHE,
    NAMES,
    Apache,
    StandIn,
    read_frame,
    render,
    text_frame,
    websocket_accept,
)
from tests.e2e.chromium import CHROMIUM, CHROMIUM_ARGS, RESOLVE_TEST_NAMES
from tests.integration.test_display_operator_auth import OPERATOR, operator_env
from tests.integration.test_display_stream import insert_reads

HSTS = "max-age=63072000"
STRICT_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none';"
    " base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)
SITE_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none';"
    " form-action 'self'; frame-ancestors 'self'"
)
STREAM_LATENCY_LIMIT = 1.0  # seconds from the read's commit to its event at the client
_sequences = itertools.count(1)


@pytest.fixture(autouse=True, scope="module")
def _apache_installed() -> None:
    # No skip: tools/bootstrap.sh --test installs it; its absence is a failure.
    assert Path(APACHE).exists(), f"{APACHE} missing: run tools/bootstrap.sh --test"


def start_nlq(workdir: Path) -> tuple[subprocess.Popen, int]:
    """The real nlq_http; its about, docs and spec routes never touch the database."""
    port = free_port()
    nowhere = "host=127.0.0.1 port=1 dbname=none connect_timeout=1"
    key_file = workdir / "scope-key"  # required at start, never checked without a database
    key_file.write_text(secrets.token_urlsafe(32) + "\n")
    env = dict(os.environ, P88_NLQ_PORT=str(port), P88_NLQ_LLM="off", P88_NLQ_DSN=nowhere,
               P88_NLQ_RAW_DSN=nowhere, P88_NLQ_SCOPE_KEY_FILE=str(key_file),
               PYTHONUNBUFFERED="1")  # fmt: skip
    log_path = workdir / "nlq.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "daemons.nlq_http"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    marker = f"listening host=127.0.0.1 port={port}"
    wait_for(lambda: marker in log_path.read_text() or proc.poll() is not None, 15,
             what="nlq_http to listen")  # fmt: skip
    assert proc.poll() is None, log_path.read_text()
    return proc, port


@dataclass
class Stack:
    apache: Apache
    display: DisplayProcess
    dsn: str
    nlq_port: int
    webui: StandIn
    postgrest: StandIn


@pytest.fixture(scope="module")
def stack(pg, tmp_path_factory) -> Iterator[Stack]:
    with contextlib.ExitStack() as cleanup:
        dsn = fresh_database(pg)
        workdir = tmp_path_factory.mktemp("display")
        # /status is an operator view: the login travels through Apache too.
        display = DisplayProcess(dsn, workdir, operator_env(workdir))
        cleanup.callback(display.stop)
        display.start()
        nlq, nlq_port = start_nlq(tmp_path_factory.mktemp("nlq"))
        cleanup.callback(stop_process, nlq)
        webui = StandIn("open-webui").start()  # stands in for Open WebUI
        cleanup.callback(webui.stop)
        postgrest = StandIn("postgrest").start()  # stands in for PostgREST
        cleanup.callback(postgrest.stop)
        apache = Apache(
            apache_display_backend_port=display.port,
            apache_nlq_backend_port=nlq_port,
            apache_open_webui_backend_port=webui.port,
            apache_postgrest_backend_port=postgrest.port,
        )
        cleanup.callback(apache.stop)
        apache.start()
        yield Stack(apache, display, dsn, nlq_port, webui, postgrest)
        # display_http first: a worker proxying a stream whose client has gone
        # notices only at the next heartbeat, and holds up Apache's stop till then.
        display.stop()


@pytest.fixture
def client(stack):
    with stack.apache.session() as session:
        yield session


def only(response, header: str) -> str:
    """The header's single value: two copies (Apache's and the backend's) are a bug."""
    values = response.raw.headers.getlist(header)
    assert len(values) == 1, f"{header}: {values}"
    return values[0]


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize("open_webui", [True, False], ids=["webui", "no-webui"])
@pytest.mark.parametrize("postgrest", [True, False], ids=["postgrest", "no-postgrest"])
def test_configtest_passes_with_each_optional_backend(open_webui, postgrest):
    apache = Apache(apache_open_webui_enabled=open_webui, apache_postgrest_enabled=postgrest)
    try:
        checked = apache.configtest()
        assert checked.returncode == 0, checked.stderr
        assert checked.stderr.strip() == "Syntax OK"  # no warnings either
        ai = (apache.root / "conf" / "ai.conf").read_text()
    finally:
        apache.stop()
    assert ("upgrade=websocket" in ai) is open_webui
    assert ('ProxyPass "/api/db/"' in ai) is postgrest


def test_production_rendering_listens_on_80_and_443_and_redirects_without_a_port():
    apache = Apache()
    try:
        del apache.variables["apache_http_port"], apache.variables["apache_https_port"]
        checked = apache.configtest()
        assert checked.returncode == 0, checked.stderr
    finally:
        apache.stop()
    redirect = render("redirect.conf.j2", apache.variables)
    assert "<VirtualHost *:80>" in redirect
    assert '"https://%{SERVER_NAME}%{REQUEST_URI}" [R=301,L]' in redirect
    for template in ("main.conf.j2", "display.conf.j2", "ai.conf.j2"):
        assert "<VirtualHost *:443>" in render(template, apache.variables)


# --------------------------------------------------------------------------- port 80


@pytest.mark.parametrize("vhost", NAMES)
def test_http_is_redirected_to_the_same_name_and_path_over_https(stack, client, vhost):
    apache = stack.apache
    path = "/some/where?location=finish&x=%C3%A9"
    response = client.get(apache.url(vhost, path, "http"), allow_redirects=False)
    assert response.status_code == 301
    assert response.headers["Location"] == apache.url(vhost, path)


@pytest.mark.parametrize("vhost", NAMES)
def test_acme_challenge_is_served_from_the_webroot_not_redirected(stack, client, vhost):
    token = secrets.token_urlsafe(32)
    path = stack.apache.webroot / ".well-known" / "acme-challenge" / token
    path.write_text(f"{token}.thumbprint")
    path.chmod(0o644)
    url = stack.apache.url(vhost, f"/.well-known/acme-challenge/{token}", "http")
    response = client.get(url, allow_redirects=False)
    assert response.status_code == 200
    assert response.text == f"{token}.thumbprint"
    assert response.headers["Content-Type"].startswith("text/plain")
    missing = client.get(url + "x", allow_redirects=False)
    assert missing.status_code == 404  # not a redirect: the CA would follow it to nothing


# --------------------------------------------------------------------------- TLS


def legacy_context(apache: Apache, version: ssl.TLSVersion) -> ssl.SSLContext:
    """A client that offers only ``version``: OpenSSL 3 allows TLS < 1.2 only at level 0."""
    context = apache.tls_context()
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    context.minimum_version = context.maximum_version = version
    return context


@pytest.mark.parametrize(
    "version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3], ids=["TLSv1.2", "TLSv1.3"]
)
def test_tls_1_2_and_1_3_are_accepted(stack, version):
    context = stack.apache.tls_context()
    context.minimum_version = context.maximum_version = version
    with stack.apache.tls_socket("display", context) as sock:
        assert sock.version() == version.name.replace("v1_", "v1.")


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")  # that's the point
@pytest.mark.parametrize(
    "version", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1], ids=["TLSv1.0", "TLSv1.1"]
)
def test_tls_1_0_and_1_1_are_refused_by_the_server(stack, version):
    with pytest.raises(ssl.SSLError) as refused:
        stack.apache.tls_socket("display", legacy_context(stack.apache, version)).close()
    # The server's alert: the client did offer the version (a client-side refusal
    # would read NO_PROTOCOLS_AVAILABLE / UNSUPPORTED_PROTOCOL).
    assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION"


def tls12_with(apache: Apache, ciphers: str) -> ssl.SSLContext:
    context = apache.tls_context()
    context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(f"{ciphers}:@SECLEVEL=0")
    return context


@pytest.mark.parametrize(
    "cipher",
    ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305"],
)
def test_intermediate_ciphers_are_accepted(stack, cipher):
    with stack.apache.tls_socket("main", tls12_with(stack.apache, cipher)) as sock:
        assert sock.cipher()[0] == cipher


@pytest.mark.parametrize(
    "cipher",
    [
        "ECDHE-RSA-AES128-SHA",  # CBC with SHA-1
        "AES128-GCM-SHA256",  # RSA key exchange: no forward secrecy
        "DHE-RSA-AES128-GCM-SHA256",  # finite-field DH: dropped by guideline 6.0
    ],
)
def test_ciphers_outside_the_intermediate_list_are_refused(stack, cipher):
    with pytest.raises(ssl.SSLError) as refused:
        stack.apache.tls_socket("main", tls12_with(stack.apache, cipher)).close()
    assert refused.value.reason == "SSLV3_ALERT_HANDSHAKE_FAILURE"  # the server's alert


def test_the_clients_cipher_preference_wins(stack):
    chacha, aes = "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-RSA-AES128-GCM-SHA256"
    for first, second in ((chacha, aes), (aes, chacha)):
        with stack.apache.tls_socket("main", tls12_with(stack.apache, f"{first}:{second}")) as s:
            assert s.cipher()[0] == first  # SSLHonorCipherOrder off


def closed_cleanly(sock: ssl.SSLSocket) -> ssl.SSLSession:
    """One request, then Apache's close_notify: only a session ended so is kept for resuming."""
    host = NAMES["main"]
    sock.sendall(f"HEAD / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    while sock.recv(4096):
        pass
    return sock.session


def test_sessions_resume_from_the_server_cache_without_tickets(stack):
    context = tls12_with(stack.apache, "ECDHE-RSA-AES128-GCM-SHA256")
    with stack.apache.tls_socket("main", context) as first:
        session = closed_cleanly(first)
    assert not session.has_ticket  # SSLSessionTickets off
    with stack.apache.tls_socket("main", context, session=session) as again:
        assert again.session_reused  # from the shmcb session cache


# --------------------------------------------------------------------------- headers


def assert_security_headers(response) -> None:
    assert only(response, "Strict-Transport-Security") == HSTS
    assert only(response, "X-Frame-Options") == "SAMEORIGIN"
    assert only(response, "X-Content-Type-Options") == "nosniff"
    assert only(response, "Referrer-Policy") == "strict-origin-when-cross-origin"


def test_display_pages_keep_display_https_nonce_policy(stack, client):
    response = client.get(stack.apache.url("display", "/?location=finish"))
    assert response.status_code == 200, stack.apache.log()
    assert_security_headers(response)
    policy = only(response, "Content-Security-Policy")
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.text  # the page's own style element uses it
    assert "frame-ancestors 'self'" in policy


@pytest.mark.parametrize(
    ("vhost", "path", "policy"),
    [
        ("display", "/api/timing/recent-reads", STRICT_CSP),  # display_http sends none here
        ("display", "/static/display.js", STRICT_CSP),
        ("main", "/", SITE_CSP),
        ("main", "/no-such-page", SITE_CSP),  # Apache's own error page
        ("ai", "/nlq/", STRICT_CSP),
        ("ai", "/api/db/events", STRICT_CSP),
        ("ai", "/", None),  # Open WebUI: its inline scripts need its own policy
    ],
)
def test_security_headers_on_every_vhost(stack, client, vhost, path, policy):
    response = client.get(stack.apache.url(vhost, path))
    assert_security_headers(response)
    if policy is None:
        assert "Content-Security-Policy" not in response.headers
    else:
        assert only(response, "Content-Security-Policy") == policy


def test_nlq_docs_get_a_policy_of_their_own(stack, client):
    # nlq_http sends this policy itself; Apache's identical one would stand in
    # if it did not, and one copy arrives either way.
    response = client.get(stack.apache.url("ai", "/nlq/docs"))
    assert response.status_code == 200
    assert only(response, "Content-Security-Policy") == DOCS_CSP
    assert_security_headers(response)


def test_pages_work_in_a_browser_under_the_shipped_policies(stack):
    """Chromium logs every CSP violation as a console error: these pages must have none."""
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, RESOLVE_TEST_NAMES]
        )
        try:
            page = browser.new_context(ignore_https_errors=True).new_page()  # self-signed
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(stack.apache.url("main", "/"))
            heading = page.locator("h1")
            expect(heading).to_have_text("Project88Hub")
            assert heading.evaluate("e => getComputedStyle(e).color") == "rgb(255, 204, 0)"
            page.goto(stack.apache.url("ai", "/nlq/docs"))  # Swagger UI: scripts, inline styles
            title = page.locator(".swagger-ui .info .title")
            expect(title).to_contain_text("Project88Hub natural-language queries")
        finally:
            browser.close()
    assert errors == []


# --------------------------------------------------------------------------- the display


def stream_delivers_promptly(stack, client, url: str) -> float:
    """Open the stream, commit one read, return the seconds until its event arrived."""
    with client.get(url, stream=True, timeout=10, headers={"Accept-Encoding": "gzip"}) as stream:
        assert stream.status_code == 200, stack.apache.log()
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert "Content-Encoding" not in stream.headers  # never compressed (buffered)
        lines = stream.iter_lines(chunk_size=None, decode_unicode=True)
        # display_http's first frame: arriving at all shows Apache passed it on at once.
        assert next(line for line in lines if line.startswith(":")) == ": connected"
        # Just after that frame the stream takes the newest read as its starting
        # point; a read committed before then would count as history, not news.
        time.sleep(0.3)
        insert_reads(stack.dsn, 1, first_seq=next(_sequences))
        committed = time.monotonic()
        data = next(line for line in lines if line.startswith("data:"))
        arrived = time.monotonic()
    assert json.loads(data.removeprefix("data:"))["location_name"] == "finish"
    return arrived - committed


@pytest.mark.parametrize(("vhost", "prefix"), [("display", ""), ("main", "/race-display")])
def test_live_stream_through_apache_is_not_buffered(stack, client, vhost, prefix):
    url = stack.apache.url(vhost, f"{prefix}/api/timing/stream?location=finish")
    latency = stream_delivers_promptly(stack, client, url)
    print(f"read-to-event latency through the {vhost} vhost: {latency * 1000:.0f} ms")
    assert latency < STREAM_LATENCY_LIMIT


def test_display_apis_answer_and_json_is_compressed(stack, client):
    url = stack.apache.url("display", "/api/timing/recent-reads?limit=5")
    response = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.json()["success"] is True
    # The harness compresses JSON and event streams alike: the stream test above
    # passes because the vhost exempts the stream, not because nothing compresses.
    assert response.headers["Content-Encoding"] == "gzip"


def test_a_client_cannot_move_the_display_under_another_prefix(stack, client):
    url = stack.apache.url("display", "/?location=finish")
    page = client.get(url, headers={"X-Forwarded-Prefix": "/elsewhere"}).text
    assert 'href="/static/display.css"' in page
    assert "/elsewhere" not in page


# --------------------------------------------------------------------------- main


def test_main_serves_the_landing_page(stack, client):
    page = client.get(stack.apache.url("main", "/"))
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "<title>Project88Hub</title>" in page.text
    assert "<script" not in page.text and "style=" not in page.text  # the strict CSP holds
    css = client.get(stack.apache.url("main", "/site.css"))
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")


def test_main_serves_the_display_under_its_prefix(stack, client):
    apache = stack.apache
    moved = client.get(apache.url("main", "/race-display"), allow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["Location"] == apache.url("main", "/race-display/")
    page = client.get(apache.url("main", "/race-display/?location=finish"))
    assert page.status_code == 200
    assert 'href="/race-display/static/display.css"' in page.text
    assert 'src="/race-display/static/display.js"' in page.text
    assert "/race-display/api/timing/stream?location=finish" in page.text
    script = client.get(apache.url("main", "/race-display/static/display.js"))
    assert script.status_code == 200
    status = client.get(apache.url("main", "/race-display/status"), auth=OPERATOR)
    assert status.status_code == 200


# --------------------------------------------------------------------------- ai


def test_postgrest_gets_its_paths_without_the_prefix(stack, client):
    response = client.get(stack.apache.url("ai", "/api/db/events?select=id,name&limit=2"))
    assert response.status_code == 200
    seen = response.json()
    assert seen["backend"] == "postgrest"
    assert seen["path"] == "/events?select=id,name&limit=2"
    assert seen["headers"]["X-Forwarded-Proto"] == "https"
    assert seen["headers"]["Host"] == f"{NAMES['ai']}:{stack.apache.https_port}"
    # Its root-relative URLs come back with the prefix.
    url = stack.apache.url("ai", "/api/db/events?select=id,name&limit=2")
    assert response.headers["Content-Location"] == url
    moved = client.get(stack.apache.url("ai", "/api/db"), allow_redirects=False)
    assert moved.headers["Location"] == stack.apache.url("ai", "/api/db/")


def test_the_question_service_and_its_docs_under_nlq(stack, client):
    apache = stack.apache
    about = client.get(apache.url("ai", "/nlq/"))
    assert about.json()["name"] == "Project88Hub natural-language queries"
    moved = client.get(apache.url("ai", "/nlq"), allow_redirects=False)
    assert moved.headers["Location"] == apache.url("ai", "/nlq/")
    docs_url = apache.url("ai", "/nlq/docs")
    docs = client.get(docs_url)
    assert docs.status_code == 200
    # Everything the docs page loads, resolved against its URL as a browser does.
    links = ["docs/assets/swagger-ui.css", "docs/assets/swagger-ui-bundle.js", "docs/docs.js"]
    assert all(f'"{link}"' in docs.text for link in links)
    script = client.get(urljoin(docs_url, "docs/docs.js")).text
    assert 'url: "openapi.json"' in script  # the spec, relative too
    for link in [*links, "openapi.json"]:
        url = urljoin(docs_url, link)
        assert url.startswith(apache.url("ai", "/nlq/"))
        assert client.get(url).status_code == 200, link


def test_open_webui_gets_the_root_and_its_websocket(stack, client):
    page = client.get(stack.apache.url("ai", "/c/some-chat"))
    assert (page.json()["backend"], page.json()["path"]) == ("open-webui", "/c/some-chat")
    assert page.headers["Content-Location"] == "/c/some-chat"  # no /api/db/ prefix added
    # Socket.IO starts with long polling (plain HTTP), then asks to upgrade on the same path.
    polling = client.get(stack.apache.url("ai", "/ws/socket.io/?EIO=4&transport=polling"))
    assert polling.json()["path"] == "/ws/socket.io/?EIO=4&transport=polling"
    # The stand-in answers the upgrade with 101 and echoes one frame.
    path = "/ws/socket.io/?EIO=4&transport=websocket"
    key = "dGhlIHNhbXBsZSBub25jZQ=="
    host = f"{NAMES['ai']}:{stack.apache.https_port}"
    with stack.apache.tls_socket("ai") as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        stream = sock.makefile("rb")
        head = []
        while (line := stream.readline()) not in (b"\r\n", b""):
            head.append(line.decode().strip())
        assert head[0] == "HTTP/1.1 101 Switching Protocols", head
        assert f"Sec-WebSocket-Accept: {websocket_accept(key)}" in head
        sock.sendall(text_frame(b"2probe", mask=os.urandom(4)))
        assert read_frame(stream) == b"echo: 2probe"
    upgraded = [s for s in stack.webui.seen if s["path"] == path]
    assert upgraded and upgraded[-1]["headers"]["X-Forwarded-Proto"] == "https"


def test_without_open_webui_and_postgrest_the_ai_name_offers_the_docs(stack):
    apache = Apache(
        apache_open_webui_enabled=False,
        apache_postgrest_enabled=False,
        apache_display_backend_port=stack.display.port,
        apache_nlq_backend_port=stack.nlq_port,
    )
    try:
        apache.start()
        with apache.session() as client:
            root = client.get(apache.url("ai", "/"), allow_redirects=False)
            assert root.status_code == 302
            assert root.headers["Location"] == apache.url("ai", "/nlq/docs")
            assert client.get(apache.url("ai", "/nlq/docs")).status_code == 200
            for gone in ("/api/db/events", "/c/some-chat", "/ws/socket.io/"):
                response = client.get(apache.url("ai", gone), allow_redirects=False)
                assert response.status_code == 404, gone
                assert_security_headers(response)
    finally:
        apache.stop()


# --------------------------------------------------------------------------- many screens


def open_stream(apache: Apache, vhost: str, prefix: str = "") -> tuple[ssl.SSLSocket, bytes]:
    """A display stream on a raw TLS socket: (socket, status line); held once it says 200."""
    sock = apache.tls_socket(vhost)
    host = f"{NAMES[vhost]}:{apache.https_port}"
    sock.sendall(f"GET {prefix}/api/timing/stream HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    head = b""
    while b"\r\n" not in head and (chunk := sock.recv(4096)):
        head += chunk
    return sock, head.split(b"\r\n")[0]


def test_streams_cannot_take_the_threads_kept_for_the_other_sites(stack):
    """One process of 8 threads, 4 kept back: each stream route gets 2, then a quick 503."""
    apache = Apache(
        apache_display_backend_port=stack.display.port,
        apache_nlq_backend_port=stack.nlq_port,
        apache_open_webui_backend_port=stack.webui.port,
        apache_postgrest_backend_port=stack.postgrest.port,
        apache_threads_per_child=8,
        apache_reserved_threads_per_child=4,
        apache_min_workers=8,
        apache_max_workers=8,
    )
    held: list[ssl.SSLSocket] = []
    try:
        apache.start()
        mpm = (apache.root / "conf" / "mpm.conf").read_text()
        assert "MaxRequestWorkers       8" in mpm
        for vhost, prefix in (("display", ""), ("main", "/race-display")):
            for _ in range(2):
                sock, status = open_stream(apache, vhost, prefix)
                held.append(sock)
                assert status == b"HTTP/1.1 200 OK", apache.log()
            started = time.monotonic()
            sock, status = open_stream(apache, vhost, prefix)
            sock.close()
            assert status == b"HTTP/1.1 503 Service Unavailable"
            assert time.monotonic() - started < 1.0  # acquire=100 ms, not a hang
        # Four threads relay streams; the other four still serve everyone else.
        with apache.session() as client:
            for vhost, path in (("main", "/"), ("ai", "/nlq/"), ("display", "/?location=finish")):
                assert client.get(apache.url(vhost, path), timeout=5).status_code == 200, path
    finally:
        for sock in held:
            sock.close()
        apache.stop()
