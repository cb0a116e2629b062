"""The partner scope key as the service holds it (daemons/nlq_http/scope.py, settings.py)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from daemons.common.config import ConfigError
from daemons.nlq_http.compiler import Tenant
from daemons.nlq_http.scope import ScopedPool, ScopeError, ScopeKey, key_of, scope_of
from daemons.nlq_http.settings import NlqSettings

SECRET = b"k" * 40


def test_the_key_file_is_read_without_its_newline(tmp_path):
    path = tmp_path / "scope-key"
    path.write_bytes(SECRET + b"\n")
    assert ScopeKey.load(path).secret == SECRET


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read the partner scope key"), (b"short\n", "5 bytes long")],
)
def test_a_missing_or_short_key_is_a_configuration_error(tmp_path, content, message):
    path = tmp_path / "scope-key"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ConfigError, match=message):
        ScopeKey.load(path)
    with pytest.raises(ConfigError, match="P88_NLQ_SCOPE_KEY_FILE"):
        ScopeKey.load(None)


def test_the_secret_never_shows_in_a_repr():
    assert "k" * 40 not in repr(ScopeKey(SECRET))


def test_a_token_is_the_scope_and_its_hmac_over_scope_and_nonce():
    mac = hmac.new(SECRET, b"p88-nlq-scope-v1|7|1234.1700000000000001", hashlib.sha256)
    assert ScopeKey(SECRET).token("7", "1234.1700000000000001") == "7:" + mac.hexdigest()
    assert ScopeKey(SECRET).token("7", "1234.1") != ScopeKey(SECRET).token("8", "1234.1")


def test_the_scope_is_the_partner_or_every_partner_for_admins():
    assert scope_of(Tenant(7)) == "7"
    assert scope_of(Tenant(None, admin=True)) == "*"
    assert scope_of(Tenant(7, admin=True)) == "*"


def test_a_pool_without_a_key_fails_closed():
    pool = ScopedPool("dbname=x", "test", 1, scope_key=ScopeKey(SECRET))
    assert key_of(pool).secret == SECRET
    with pytest.raises(ScopeError, match="not configured"):
        key_of(object())  # type: ignore[arg-type]


def test_the_key_file_comes_from_the_variable_or_the_systemd_credential(tmp_path):
    base = {"P88_TIMEZONE": "UTC"}
    assert NlqSettings.from_env(base).scope_key_file is None
    (tmp_path / "scope-key").write_bytes(SECRET)
    under_systemd = NlqSettings.from_env({**base, "CREDENTIALS_DIRECTORY": str(tmp_path)})
    assert under_systemd.scope_key_file == tmp_path / "scope-key"
    explicit = NlqSettings.from_env({**base, "P88_NLQ_SCOPE_KEY_FILE": "/etc/k"})
    assert str(explicit.scope_key_file) == "/etc/k"
