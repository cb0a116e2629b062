"""Apache htpasswd files with bcrypt entries, and HTTP Basic credentials: pure, no I/O
but the file read.

``htpasswd -B`` writes ``user:$2y$cost$salt+hash`` lines. Only bcrypt is accepted:
htpasswd's other formats (``$apr1$`` MD5, ``{SHA}``, crypt) are fast hashes a stolen
file gives up quickly, so their lines are ignored and reported, never trusted.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
from dataclasses import dataclass, field

import bcrypt

BCRYPT_PREFIXES = (b"$2y$", b"$2b$", b"$2a$")
MAX_HEADER = 4096  # bytes of an Authorization header worth decoding at all
MAX_PASSWORD = 72  # bytes bcrypt uses
# Checked against when the user name is unknown, so an unknown name costs the same
# bcrypt as a known one and timing does not tell which names exist.
_DUMMY_HASH = bcrypt.hashpw(b"no such operator", bcrypt.gensalt(rounds=10))


class Unavailable(Exception):
    """The file is not configured, unreadable or holds no usable entry: fail closed."""


@dataclass(frozen=True)
class Entries:
    """One version of the file: bcrypt hashes by user name (both raw bytes)."""

    hashes: dict[bytes, bytes]
    ignored: tuple[int, ...] = ()  # line numbers that are not ``user:bcrypt``
    stamp: tuple[int, int, int] = (0, 0, 0)  # (inode, size, mtime_ns) it was read at


def printable(text: str) -> str:
    """``text`` made safe for a log line: control characters escaped."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def parse(data: bytes) -> Entries:
    """The bcrypt entries of an htpasswd file's bytes; blank and ``#`` lines skipped."""
    hashes: dict[bytes, bytes] = {}
    ignored: list[int] = []
    for number, raw in enumerate(data.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(b"#"):
            continue
        user, sep, hashed = line.partition(b":")
        if not sep or not user or not hashed.startswith(BCRYPT_PREFIXES):
            ignored.append(number)
            continue
        hashes[user] = hashed
    return Entries(hashes, tuple(ignored))


def entry(user: str, password: str, rounds: int = 10) -> str:
    """An htpasswd line as ``htpasswd -B`` writes it (for the demo and tests)."""
    if ":" in user or not user:
        raise ValueError("a user name must be non-empty and have no ':'")
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds)).decode()
    return f"{user}:{'$2y$' + hashed[4:]}\n"


@dataclass
class HtpasswdFile:
    """The file at ``path``, read again whenever its inode, size or mtime changes."""

    path: str
    current: Entries | None = field(default=None, init=False)

    def entries(self) -> Entries:
        """The entries now in the file; ``Unavailable`` if there are none to trust."""
        try:
            st = os.stat(self.path)
        except OSError as exc:
            self.current = None
            raise Unavailable(f"cannot read {self.path}: {exc.strerror or exc}") from None
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
        if self.current is None or self.current.stamp != stamp:
            try:
                with open(self.path, "rb") as f:
                    data = f.read(1 << 20)
            except OSError as exc:
                self.current = None
                raise Unavailable(f"cannot read {self.path}: {exc.strerror or exc}") from None
            parsed = parse(data)
            self.current = Entries(parsed.hashes, parsed.ignored, stamp)
        if not self.current.hashes:
            raise Unavailable(f"{self.path} holds no bcrypt (htpasswd -B) entry")
        return self.current


def basic_credentials(header: str | None) -> tuple[bytes, bytes] | None:
    """(user, password) from ``Authorization: Basic …``, raw bytes; None if absent or garbled.

    WSGI hands headers over as latin-1 strings (PEP 3333), so encoding back to
    latin-1 recovers the bytes the client sent, whatever their charset.
    """
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic" or not token or len(token) > MAX_HEADER:
        return None
    try:
        decoded = base64.b64decode(token.strip().encode("latin-1"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
    user, sep, password = decoded.partition(b":")
    if not sep or not user:
        return None
    return user, password


def verify(entries: Entries, user: bytes, password: bytes) -> bool:
    """Whether ``password`` is ``user``'s. CPU-bound (one bcrypt): run it off the event loop.

    Every name is compared in constant time and an unknown name still costs a bcrypt,
    so neither the comparison nor the time taken says which names exist.
    """
    found = _DUMMY_HASH
    known = False
    for name, hashed in entries.hashes.items():
        if hmac.compare_digest(name, user):
            found, known = hashed, True
    try:
        # bcrypt uses the first 72 bytes; htpasswd -B hashes those and drops the rest,
        # and bcrypt 5 refuses longer input rather than truncate: truncate as htpasswd did.
        matched = bcrypt.checkpw(password[:MAX_PASSWORD], found)
    except ValueError:  # a malformed hash in the file, or a password bcrypt refuses
        matched = False
    return known and matched
