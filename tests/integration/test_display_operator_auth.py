"""display_http's operator login: /status and the operator APIs behind HTTP Basic.

Real processes on real sockets: the htpasswd files are written by Apache's own
``htpasswd -B`` (what the deployment runs), the daemon is ``python -m
daemons.display_http`` on the suite's PostgreSQL, and the requests are real HTTP.
"""

from __future__ import annotations

import base64
import re
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.conftest import wait_for

OPERATOR = ("operator", "correct horse battery staple")
REALM = 'Basic realm="Project88 operators", charset="UTF-8"'
PROTECTED = ["/status", "/api/timing/database-status"]
PUBLIC = [
    "/",
    "/?location=finish",
    "/static/display.js",
    "/static/status.css",
    "/api/timing/stats",
    "/api/timing/recent-reads",
    "/api/timing/sessions",
]


def write_htpasswd(path: Path, user: str, password: str, cost: int = 5) -> Path:
    """Add or update ``user`` with Apache's htpasswd, password on stdin, as Ansible does."""
    create = [] if path.exists() else ["-c"]
    subprocess.run(
        ["htpasswd", *create, "-B", "-C", str(cost), "-i", str(path), user],
        input=password, text=True, check=True, capture_output=True,
    )  # fmt: skip
    return path


def operator_env(directory: Path, **env: str) -> dict[str, str]:
    """The environment a display needs for its operator login (OPERATOR's)."""
    htpasswd = write_htpasswd(directory / "operators.htpasswd", *OPERATOR)
    return {"P88_DISPLAY_OPERATOR_HTPASSWD": str(htpasswd), **env}


def get(display, path: str, **kwargs) -> requests.Response:
    return requests.get(display.url + path, timeout=30, **kwargs)


@pytest.fixture
def display(raw_dsn, display_factory, tmp_path):
    return display_factory(raw_dsn, **operator_env(tmp_path)).start()


def raw_request(port: int, auth_value: bytes) -> bytes:
    """One GET /status with an Authorization header of arbitrary bytes (requests would
    refuse them); the status line and headers of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"GET /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     b"Authorization: " + auth_value + b"\r\n\r\n")  # fmt: skip
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize("path", PROTECTED)
def test_operator_views_need_the_right_login(display, path):
    anonymous = get(display, path)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"] == REALM
    assert anonymous.headers["Cache-Control"] == "no-store"
    if path.startswith("/api/"):
        assert anonymous.headers["Content-Type"].startswith("application/json")
        assert anonymous.json() == {"success": False, "error": "operator login required"}
    else:
        assert anonymous.headers["Content-Type"].startswith("text/html")
        assert "operator login required" in anonymous.text
        assert "Content-Security-Policy" in anonymous.headers
    for wrong in [(OPERATOR[0], "wrong"), ("nobody", OPERATOR[1]), (OPERATOR[0], "")]:
        refused = get(display, path, auth=wrong)
        assert refused.status_code == 401, wrong
        assert refused.headers["WWW-Authenticate"] == REALM
    answered = get(display, path, auth=OPERATOR)
    assert answered.status_code == 200
    assert "operator login required" not in answered.text
    log = display.log()
    assert 'operator login failed address=127.0.0.1 user=operator reason="wrong login"' in log
    assert "user=nobody" in log
    assert "operator login user=operator address=127.0.0.1" in log


@pytest.mark.parametrize("path", PUBLIC)
def test_spectator_paths_need_no_login(display, path):
    assert get(display, path).status_code == 200


def test_the_stream_needs_no_login(display):
    with requests.get(display.url + "/api/timing/stream", stream=True, timeout=10) as stream:
        assert stream.status_code == 200
        assert stream.headers["Content-Type"].startswith("text/event-stream")


def test_failures_are_counted_logged_and_slowed_per_address(raw_dsn, display_factory, tmp_path):
    env = operator_env(tmp_path, P88_DISPLAY_OPERATOR_FAIL_DELAY="0.3")
    display = display_factory(raw_dsn, **env).start()
    took = []
    for _ in range(3):
        started = time.monotonic()
        assert get(display, "/status", auth=("operator", "guess")).status_code == 401
        took.append(time.monotonic() - started)
    # 0.3 s, then 0.6 s, then 1.2 s: each failure from the address waits longer.
    assert took[0] >= 0.3 and took[1] >= 0.6 and took[2] >= 1.2, took
    # Another address (as Apache names it) starts from the first delay.
    started = time.monotonic()
    elsewhere = {"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}
    assert get(display, "/status", auth=("x", "y"), headers=elsewhere).status_code == 401
    assert 0.3 <= time.monotonic() - started < 1.0
    assert "address=203.0.113.9 user=x" in display.log()
    # The right login is answered at once, and clears the address's record.
    started = time.monotonic()
    assert get(display, "/status", auth=OPERATOR).status_code == 200
    assert time.monotonic() - started < 0.6
    started = time.monotonic()
    assert get(display, "/status", auth=("operator", "typo")).status_code == 401
    assert time.monotonic() - started < 0.6
    assert "failures=3 delay=1.2" in display.log()
    # The periodic status line carries the counters.
    wait_for(lambda: "operator_login_failed=5" in display.log(), 10, interval=0.2,
             what="the status line with the failure counter")  # fmt: skip
    assert "operator_logins=1" in display.log()


@pytest.mark.parametrize(
    "value",
    [
        b"Basic !!!not-base64!!!",
        b"Basic " + base64.b64encode(b"no colon here"),
        b"Basic " + base64.b64encode(b":empty-user"),
        b"Basic " + base64.b64encode(b"\xff\xfe\x80:\xc3\x28"),  # not UTF-8
        b"Basic \xff\xfe\xfd\xe9",  # not even ASCII on the wire
        b"Basic " + b"QUFB" * 2000,  # longer than any real header
        b"Bearer abc.def.ghi",
        b"Basic",
        b"\x01\x02\x7f",
    ],
)
def test_garbled_authorization_is_a_401_not_a_500(display, value):
    answer = raw_request(display.port, value)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert b'\r\nwww-authenticate: basic realm="project88 operators"' in answer.lower()
    assert "request failed" not in display.log()
    assert display.proc.poll() is None


def test_utf8_user_names_and_passwords(raw_dsn, display_factory, tmp_path):
    path = write_htpasswd(tmp_path / "ops", "opérateur", "pässwörd ☃")
    display = display_factory(raw_dsn, P88_DISPLAY_OPERATOR_HTPASSWD=str(path)).start()
    token = base64.b64encode("opérateur:pässwörd ☃".encode()).decode()
    assert get(display, "/status", headers={"Authorization": f"Basic {token}"}).ok
    latin1 = base64.b64encode("opérateur:pässwörd ☃".encode("latin-1", "replace")).decode()
    assert get(display, "/status", headers={"Authorization": f"Basic {latin1}"}).status_code == 401


@pytest.mark.parametrize("configured", ["unset", "missing file", "no bcrypt entry", "directory"])
def test_no_usable_htpasswd_fails_closed(raw_dsn, display_factory, tmp_path, configured):
    path = tmp_path / "operators.htpasswd"
    env = {}
    if configured == "missing file":
        env["P88_DISPLAY_OPERATOR_HTPASSWD"] = str(path)
    elif configured == "no bcrypt entry":
        # htpasswd's default (MD5, $apr1$) and SHA1 entries: too weak to trust.
        subprocess.run(["htpasswd", "-c", "-b", "-m", str(path), "operator", "pw"], check=True)
        subprocess.run(["htpasswd", "-b", "-s", str(path), "other", "pw"], check=True)
        env["P88_DISPLAY_OPERATOR_HTPASSWD"] = str(path)
    elif configured == "directory":
        env["P88_DISPLAY_OPERATOR_HTPASSWD"] = str(tmp_path)
    display = display_factory(raw_dsn, **env).start()
    for path_ in PROTECTED:
        for auth in (None, ("operator", "pw"), OPERATOR):
            response = get(display, path_, auth=auth)
            assert response.status_code == 503, (path_, auth)
            assert "operator login is" in response.text
    for path_ in PUBLIC:
        assert get(display, path_).status_code == 200, path_
    assert "operator views refused (fail closed)" in display.log()
    # Logged once a minute, not once a request.
    assert display.log().count("operator views refused") == 1
    if configured == "missing file":
        # Written later (say, by the playbook): taken up without a restart.
        write_htpasswd(path, *OPERATOR)
        assert get(display, "/status").status_code == 401
        assert get(display, "/status", auth=OPERATOR).status_code == 200


def test_a_changed_file_is_read_again(display, tmp_path):
    path = tmp_path / "operators.htpasswd"
    assert get(display, "/status", auth=OPERATOR).status_code == 200  # now remembered
    time.sleep(0.01)  # a different mtime even on coarse clocks
    write_htpasswd(path, OPERATOR[0], "a new password")
    assert get(display, "/status", auth=OPERATOR).status_code == 401
    assert get(display, "/status", auth=(OPERATOR[0], "a new password")).status_code == 200
    write_htpasswd(path, "second", "another one")  # more operators, one file
    assert get(display, "/status", auth=("second", "another one")).status_code == 200


def test_bcrypt_runs_off_the_event_loop_and_good_logins_are_remembered(
    raw_dsn, display_factory, tmp_path
):
    # Cost 14: about a second per check here, long enough to see a stalled loop.
    path = write_htpasswd(tmp_path / "ops", *OPERATOR, cost=14)
    env = {"P88_DISPLAY_OPERATOR_HTPASSWD": str(path), "P88_DISPLAY_OPERATOR_FAIL_DELAY": "0"}
    display = display_factory(raw_dsn, **env).start()
    started = time.monotonic()
    assert get(display, "/status", auth=OPERATOR).status_code == 200
    first = time.monotonic() - started
    started = time.monotonic()
    assert get(display, "/status", auth=OPERATOR).status_code == 200
    again = time.monotonic() - started
    assert again < first / 4, (first, again)  # no second bcrypt
    with ThreadPoolExecutor(4) as pool:
        guesses = [
            pool.submit(get, display, "/api/timing/database-status", auth=("operator", f"g{i}"))
            for i in range(4)
        ]
        time.sleep(0.2)  # the guesses are being checked now
        latencies = []
        for _ in range(5):
            started = time.monotonic()
            assert get(display, "/static/display.js").status_code == 200
            latencies.append(time.monotonic() - started)
        assert {g.result().status_code for g in guesses} == {401}
    assert max(latencies) < first / 4, (first, latencies)


def test_the_startup_line_names_the_file_and_the_protected_apis(raw_dsn, display_factory, tmp_path):
    env = operator_env(tmp_path, P88_DISPLAY_OPERATOR_APIS="recent-reads,sessions")
    display = display_factory(raw_dsn, **env).start()
    line = re.search(r"operator views htpasswd=\S+ apis=(\S+)", display.log())
    assert line and line.group(1) == "database-status,recent-reads,sessions"
    for path in ("/api/timing/recent-reads", "/api/timing/sessions"):
        assert get(display, path).status_code == 401
        assert get(display, path, auth=OPERATOR).status_code == 200
    assert get(display, "/api/timing/stats").status_code == 200


def test_an_unknown_protected_api_name_stops_the_daemon(raw_dsn, display_factory, tmp_path):
    display = display_factory(raw_dsn, **operator_env(tmp_path, P88_DISPLAY_OPERATOR_APIS="strem"))
    with pytest.raises(AssertionError, match="exited early"):
        display.start()
    assert "P88_DISPLAY_OPERATOR_APIS names strem" in display.log()
