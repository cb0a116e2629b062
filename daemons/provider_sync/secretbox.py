"""Provider credentials at rest: one JSON object per (partner, provider), encrypted.

The key is the ``sync-key`` systemd credential (any secret of 32 bytes or more,
like the NL scope key); a Fernet key is derived from it with HKDF, so the file
needs no special format. Encryption happens here, before the database sees the
value: the server, its logs and its backups never hold the key.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from daemons.common.config import ConfigError, read_secret

# The fields each provider's credentials must have (issue 14's interface).
FIELDS = {
    "chronotrack": ("client_id", "user_id", "password"),
    "runsignup": ("api_key", "api_secret"),
    "raceroster": ("client_id", "client_secret"),
}


class CredentialError(ValueError):
    """Unusable credentials; the message never contains a value."""


def box_from_secret(secret: bytes) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"project88 provider credentials v1"
    ).derive(secret)
    return Fernet(base64.urlsafe_b64encode(derived))


def load_box(path: Path | None) -> Fernet:
    if path is None:
        raise ConfigError(
            "no sync key: hand it over as the systemd credential sync-key, "
            "or set P88_SYNC_KEY_FILE to the file that holds it"
        )
    return box_from_secret(read_secret(path, "the sync key"))


def check_fields(provider: str, fields: object) -> dict[str, str]:
    """The credential object as stored: exactly the provider's fields, all non-empty text."""
    if provider not in FIELDS:
        raise CredentialError(f"unknown provider {provider!r}")
    if not isinstance(fields, Mapping):
        raise CredentialError("credentials must be one JSON object")
    wanted = FIELDS[provider]
    missing = [name for name in wanted if not str(fields.get(name) or "").strip()]
    extra = sorted(set(fields) - set(wanted))
    if missing or extra:
        parts = []
        if missing:
            parts.append("missing or empty: " + ", ".join(missing))
        if extra:
            parts.append("not a " + provider + " field: " + ", ".join(extra))
        raise CredentialError(
            f"{provider} credentials need {', '.join(wanted)} ({'; '.join(parts)})"
        )
    return {name: str(fields[name]).strip() for name in wanted}


def seal(box: Fernet, provider: str, fields: Mapping[str, str]) -> bytes:
    return box.encrypt(json.dumps(check_fields(provider, fields), sort_keys=True).encode())


def unseal(box: Fernet, provider: str, token: bytes | memoryview | None) -> dict[str, str]:
    if token is None:
        raise CredentialError(f"no {provider} credentials stored (project88 sync credentials set)")
    try:
        fields = json.loads(box.decrypt(bytes(token)))
    except InvalidToken:
        raise CredentialError(
            f"the stored {provider} credentials do not open with this sync key "
            "(stored under another key? store them again)"
        ) from None
    return check_fields(provider, fields)
