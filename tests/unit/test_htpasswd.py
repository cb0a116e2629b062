"""The pure parts of the operator login: htpasswd parsing, Basic credentials, addresses."""

from __future__ import annotations

import base64
import subprocess

import pytest

from daemons.common.htpasswd import (
    Entries,
    HtpasswdFile,
    Unavailable,
    basic_credentials,
    entry,
    parse,
    printable,
    verify,
)
from daemons.common.login_throttle import LoginThrottle, ThrottlePolicy
from daemons.display_http.operators import client_address


def test_only_bcrypt_lines_count():
    text = (
        b"# operators\n\n"
        b"alice:$2y$05$abcdefghijklmnopqrstuu5Ykzq2Qm2wr0xJ0g1lCqKCu7mFkkm.\n"
        b"bob:$apr1$xyz$abcdefghijklmnopqrstu/\n"  # MD5: refused
        b"carol:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n"  # SHA1: refused
        b"no-colon-line\n"
        b":$2y$05$nouser\n"
        b"dave:$2b$05$abcdefghijklmnopqrstuu5Ykzq2Qm2wr0xJ0g1lCqKCu7mFkkm.\r\n"
    )
    parsed = parse(text)
    assert set(parsed.hashes) == {b"alice", b"dave"}
    assert parsed.ignored == (4, 5, 6, 7)


def test_entries_from_htpasswd_and_from_entry_verify():
    made = subprocess.run(
        ["htpasswd", "-n", "-B", "-C", "5", "-i", "op"],
        input="s3cret",
        text=True,
        capture_output=True,
        check=True,
    ).stdout
    ours = entry("second", "pässwörd", rounds=4)
    assert ours.startswith("second:$2y$04$")
    entries = parse((made + ours).encode())
    assert verify(entries, b"op", b"s3cret")
    assert verify(entries, b"second", "pässwörd".encode())
    assert not verify(entries, b"op", b"s3cre")
    assert not verify(entries, b"Op", b"s3cret")  # names are exact
    assert not verify(entries, b"nobody", b"s3cret")
    assert not verify(entries, b"op", b"x" * 200)  # too long for bcrypt: refused, no error
    broken = Entries({b"op": b"$2y$05$truncated"})
    assert not verify(broken, b"op", b"s3cret")


def test_long_passwords_match_as_htpasswd_hashed_them():
    # htpasswd -B hashes the first 72 bytes; bcrypt 5 would refuse longer input.
    password = "a" * 80
    made = subprocess.run(
        ["htpasswd", "-n", "-B", "-C", "4", "-i", "op"],
        input=password,
        text=True,
        capture_output=True,
        check=True,
    ).stdout
    assert verify(parse(made.encode()), b"op", password.encode())


def test_entry_refuses_names_htpasswd_could_not_hold():
    with pytest.raises(ValueError):
        entry("a:b", "x")
    with pytest.raises(ValueError):
        entry("", "x")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Basic " + base64.b64encode(b"op:pw:with:colons").decode(), (b"op", b"pw:with:colons")),
        ("basic " + base64.b64encode(b"op:").decode(), (b"op", b"")),
        ("Basic " + base64.b64encode("é:ü".encode()).decode(), ("é".encode(), "ü".encode())),
        (None, None),
        ("", None),
        ("Basic", None),
        ("Basic !!!", None),
        ("Basic " + base64.b64encode(b"nocolon").decode(), None),
        ("Basic " + base64.b64encode(b":pw").decode(), None),
        ("Bearer abc", None),
        ("Basic \xff\xfe", None),  # latin-1 bytes as WSGI hands them over
        ("Basic \u2603", None),  # not even latin-1
        ("Basic " + "QUFB" * 2000, None),
    ],
)
def test_basic_credentials(header, expected):
    assert basic_credentials(header) == expected


def test_the_file_is_read_again_when_it_changes(tmp_path):
    path = tmp_path / "ops"
    file = HtpasswdFile(str(path))
    with pytest.raises(Unavailable, match="cannot read"):
        file.entries()
    path.write_text("# nothing yet\n")
    with pytest.raises(Unavailable, match="no bcrypt"):
        file.entries()
    path.write_text(entry("op", "one", rounds=4))
    first = file.entries()
    assert file.entries() is first  # unchanged: not read again
    path.write_text(entry("op", "one", rounds=4) + entry("two", "2", rounds=4))
    assert set(file.entries().hashes) == {b"op", b"two"}


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"REMOTE_ADDR": "192.0.2.7"}, "192.0.2.7"),
        # A client's own X-Forwarded-For is not believed when it connects directly.
        ({"REMOTE_ADDR": "192.0.2.7", "HTTP_X_FORWARDED_FOR": "10.0.0.1"}, "192.0.2.7"),
        # Behind Apache on the loopback: the entry mod_proxy appended, the last one.
        (
            {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.0.0.1, 203.0.113.5"},
            "203.0.113.5",
        ),
        ({"REMOTE_ADDR": "::1", "HTTP_X_FORWARDED_FOR": "2001:db8::1"}, "2001:db8::1"),
        ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "junk\n"}, "127.0.0.1"),
        ({}, "?"),
    ],
)
def test_client_address(environ, expected):
    assert client_address(environ) == expected


def test_throttle_doubles_caps_and_forgets():
    throttle = LoginThrottle(ThrottlePolicy(first_delay=0.5, max_delay=4, forget_after=60))
    assert [throttle.failed("a", t) for t in range(5)] == [0.5, 1, 2, 4, 4]
    assert throttle.failed("b", 5) == 0.5
    assert throttle.failed("a", 100) == 0.5  # a quiet spell
    throttle.succeeded("a")
    assert throttle.failures("a") == 0 and len(throttle) == 1


def test_printable_escapes_control_characters():
    assert printable("op\nINFO forged line\x1b[31m") == "op\\x0aINFO forged line\\x1b[31m"
