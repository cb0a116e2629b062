from pathlib import Path

import pytest

from daemons.common.config import CommonSettings, ConfigError
from daemons.ct_listener.settings import ListenerSettings


def test_documented_defaults_for_local_runs():
    settings = ListenerSettings.from_env({"P88_CT_AUTH": "none", "P88_TIMEZONE": "UTC"})
    assert settings.common.raw_dsn == "dbname=raw_tag_data"
    assert settings.common.prod_dsn == "dbname=project88_myappdb"
    assert (settings.host, settings.port) == ("0.0.0.0", 61611)
    assert settings.spool_dir == Path("var/spool")
    assert settings.common.retention_days == 30
    assert [str(n) for n in settings.allow] == ["127.0.0.0/8", "::1/128"]  # no auth: loopback


def test_state_directory_under_systemd():
    env = {"P88_CT_AUTH": "none", "STATE_DIRECTORY": "/var/lib/ct-listener"}
    assert ListenerSettings.from_env(env).spool_dir == Path("/var/lib/ct-listener")


def test_credentials_from_a_systemd_credential(tmp_path):
    (tmp_path / "ct-auth").write_text("crew:pw\n")
    settings = ListenerSettings.from_env({"CREDENTIALS_DIRECTORY": str(tmp_path)})
    assert settings.protocol.auth_method == "hmac-sha1"
    assert settings.protocol.credentials == {"crew": "pw"}
    assert [str(n) for n in settings.allow] == ["0.0.0.0/0", "::/0"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"P88_CT_AUTH": "none", "P88_CT_PORT": "http"}, "P88_CT_PORT='http' is not a whole"),
        ({"P88_CT_AUTH": "none", "P88_CT_IDLE_TIMEOUT": "0.5"}, "must be at least 2"),
        ({"P88_CT_AUTH": "rot13"}, "P88_CT_AUTH='rot13'"),
        ({"P88_CT_AUTH": "none", "P88_CT_ALLOW": "10.0.0.0/33"}, "not an address or network"),
        ({"P88_CT_AUTH": "none", "P88_CT_TIME_FORMAT": "local"}, "P88_CT_TIME_FORMAT"),
        ({"P88_CT_AUTH": "none", "P88_TIMEZONE": "Mars/Olympus"}, "not a known time zone"),
        ({"P88_CT_AUTH": "plaintext", "P88_CT_AUTH_FILE": "/nonexistent"}, "cannot read"),
    ],
)
def test_bad_settings_name_the_variable(env, message):
    with pytest.raises(ConfigError, match=message):
        ListenerSettings.from_env(env)


def test_common_settings_retention():
    with pytest.raises(ConfigError, match="P88_RETENTION_DAYS=0 must be at least 1"):
        CommonSettings.from_env({"P88_RETENTION_DAYS": "0", "P88_TIMEZONE": "UTC"})
