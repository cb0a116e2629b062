"""The caller's partner as the database believes it: a signed, per-transaction scope token.

Row-level security on ``project88_myappdb`` (``sql/production/0006_*``) no
longer trusts settings that any SQL in the session could set: for the reader
roles it honours only ``app.nlq_scope = '<scope>:<HMAC-SHA256>'``, signed with
a key that only the tables' owner and this service hold, over the scope and
the transaction's nonce (backend pid and transaction start). This module
holds the key and signs; ``runner.begin_as`` asks for the nonce and sets the
token. The key never goes to the server: a statement log or
``pg_stat_activity`` shows tokens, which are worthless outside their
transaction, never the key.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from daemons.common.config import ConfigError, read_secret
from daemons.common.greendb import GreenPool

from .compiler import Tenant

# Part of every signed message, as in p88_scope_token(): a signature made for
# anything else with the same key can never pass for a scope.
MESSAGE_PREFIX = "p88-nlq-scope-v1"
ALL_PARTNERS = "*"
KEY_NAME = "the partner scope key"


class ScopeError(Exception):
    """The database would not see this caller's partner: no key, another key, no migration."""


@dataclass(frozen=True)
class ScopeKey:
    secret: bytes = field(repr=False)  # repr=False: never in a log line or a traceback

    @classmethod
    def load(cls, path: Path | None) -> ScopeKey:
        if path is None:
            raise ConfigError(
                f"{KEY_NAME} is missing: set P88_NLQ_SCOPE_KEY_FILE or hand over the systemd "
                "credential 'scope-key' (the same file `project88 scope-key FILE` stored in "
                "the database)"
            )
        return cls(read_secret(path, KEY_NAME))

    def token(self, scope: str, nonce: str) -> str:
        message = f"{MESSAGE_PREFIX}|{scope}|{nonce}".encode()
        return f"{scope}:{hmac.new(self.secret, message, hashlib.sha256).hexdigest()}"


def scope_of(tenant: Tenant) -> str:
    """What the token grants: the caller's partner, or every partner for an admin key."""
    return ALL_PARTNERS if tenant.admin else str(tenant.partner_id)


class ScopedPool(GreenPool):
    """A pool of ``project88_myappdb`` connections together with the key that scopes them."""

    def __init__(self, *args: Any, scope_key: ScopeKey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope_key = scope_key


def key_of(pool: GreenPool) -> ScopeKey:
    if not isinstance(pool, ScopedPool):  # a wiring mistake: fail closed, and say so
        raise ScopeError(f"{KEY_NAME} is not configured for this connection pool")
    return pool.scope_key
