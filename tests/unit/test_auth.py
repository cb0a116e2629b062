import hashlib
import hmac
from pathlib import Path

import pytest

from daemons.ct_listener import auth

# Vectors computed independently of auth.py with the rules of ctp01.md §5.
SEED_HEX = "00ff10a5"
SEED_TEXT = "not-hex-seed"


def test_plaintext():
    assert auth.client_secret("plaintext", "pw", SEED_HEX) == "pw"


@pytest.mark.parametrize(
    ("method", "digest"), [("hmac-sha1", hashlib.sha1), ("hmac-md5", hashlib.md5)]
)
def test_hmac_key_is_the_hex_decoded_seed(method, digest):
    expected = hmac.new(bytes([0x00, 0xFF, 0x10, 0xA5]), b"pw", digest).hexdigest()
    assert auth.client_secret(method, "pw", SEED_HEX) == expected
    expected_raw = hmac.new(SEED_TEXT.encode(), b"pw", digest).hexdigest()
    assert auth.client_secret(method, "pw", SEED_TEXT) == expected_raw


@pytest.mark.parametrize(
    ("method", "digest"), [("seed-sha1", hashlib.sha1), ("seed-md5", hashlib.md5)]
)
def test_seed_digest_is_uppercase_hex_of_password_plus_seed(method, digest):
    assert (
        auth.client_secret(method, "pw", SEED_HEX)
        == digest(b"pw" + SEED_HEX.encode()).hexdigest().upper()
    )


@pytest.mark.parametrize("method", ["hmac-sha1", "hmac-md5", "seed-sha1", "seed-md5"])
def test_verify_ignores_hex_case_and_rejects_wrong(method):
    secret = auth.client_secret(method, "pw", SEED_HEX)
    assert auth.verify(method, "pw", SEED_HEX, secret.upper())
    assert auth.verify(method, "pw", SEED_HEX, secret.lower())
    assert not auth.verify(method, "other", SEED_HEX, secret)


def test_plaintext_is_case_sensitive():
    assert not auth.verify("plaintext", "Pw", SEED_HEX, "pw")


def test_credentials_file(tmp_path: Path):
    path = tmp_path / "ct-auth"
    path.write_text("# crews\n\nchrono:pa:ss\n")
    users = auth.load_credentials(path)
    assert users == {"chrono": "pa:ss"}
    assert auth.check(users, "plaintext", SEED_HEX, "chrono", "pa:ss")
    assert not auth.check(users, "plaintext", SEED_HEX, "nobody", "pa:ss")
    path.write_text("no-colon-here\n")
    with pytest.raises(ValueError, match="expected 'user:password'"):
        auth.load_credentials(path)


def test_seeds_are_fresh_hex():
    a, b = auth.new_seed(), auth.new_seed()
    assert a != b and int(a, 16) >= 0
