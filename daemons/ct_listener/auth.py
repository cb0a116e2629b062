"""CTP01 authentication (shared/ctp01.md §5): pure functions, no I/O.

The client proves it knows a password by sending ``authorize~<user>~<secret>``
where the secret depends on the negotiated method and the per-connection seed.
Both sides of the conversation (the listener and ``project88 simulate``) use
:func:`client_secret`, so the rules live in exactly one place.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from pathlib import Path

METHODS = ("none", "plaintext", "hmac-sha1", "hmac-md5", "seed-sha1", "seed-md5")


def new_seed() -> str:
    """A fresh random hex seed, one per connection."""
    return secrets.token_hex(16)


def _seed_key(seed: str) -> bytes:
    # The seed is hex-decoded when it is valid hex, else used as its characters.
    try:
        return binascii.unhexlify(seed)
    except (binascii.Error, ValueError):
        return seed.encode()


def client_secret(method: str, password: str, seed: str) -> str:
    """What a client sends as ``<secret>`` for ``method``."""
    if method == "plaintext":
        return password
    if method in ("hmac-sha1", "hmac-md5"):
        digest = "sha1" if method == "hmac-sha1" else "md5"
        return hmac.new(_seed_key(seed), password.encode(), digest).hexdigest()
    if method in ("seed-sha1", "seed-md5"):
        digest = "sha1" if method == "seed-sha1" else "md5"
        return hashlib.new(digest, (password + seed).encode()).hexdigest().upper()
    raise ValueError(f"unknown authentication method {method!r}")


def verify(method: str, password: str, seed: str, offered: str) -> bool:
    """Constant-time check of a client's secret (hex compared case-insensitively)."""
    expected = client_secret(method, password, seed)
    if method != "plaintext":
        expected, offered = expected.lower(), offered.lower()
    return hmac.compare_digest(expected.encode(), offered.encode())


def load_credentials(path: Path) -> dict[str, str]:
    """Read ``user:password`` lines (``#`` comments and blank lines ignored).

    The file is handed to the daemon as a systemd credential; it never lives in
    the environment or the repository.
    """
    users: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, password = line.partition(":")
        if not sep or not user or not password:
            raise ValueError(f"{path}:{number}: expected 'user:password'")
        users[user] = password
    return users


def check(credentials: Mapping[str, str], method: str, seed: str, user: str, offered: str) -> bool:
    """True when ``user`` exists and ``offered`` is right; unknown users cost the same."""
    password = credentials.get(user)
    if password is None:
        verify(method, "\0unknown-user", seed, offered)  # keep timing uniform
        return False
    return verify(method, password, seed, offered)
