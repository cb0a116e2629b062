"""The users' API keys: drawn fresh on every load (the one non-deterministic part), only
their SHA-256 stored, the keys themselves written to a 0600 file if asked for."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from pathlib import Path

from project88.demodata import generate

KEY_PREFIX = "p88_"


def new_api_keys() -> dict[str, str]:
    """A fresh random key per user (owner -> key): the one non-deterministic part."""
    return {owner: KEY_PREFIX + secrets.token_urlsafe(32) for owner in generate.api_key_owners()}


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeysFile:
    """Written to a 0600 temporary file beside the target first, renamed into place on commit."""

    def __init__(self, path: Path, keys: dict[str, str]) -> None:
        self.path = path
        self.temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(self.temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            os.fchmod(fh.fileno(), 0o600)
            for owner, key in keys.items():
                fh.write(f"{owner}\t{key}\n")

    def commit(self) -> None:
        os.replace(self.temp, self.path)

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.temp.unlink()
