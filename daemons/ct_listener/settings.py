"""The listener's settings, from ``P88_*`` environment variables."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from daemons.common.config import (
    CommonSettings,
    ConfigError,
    credential_path,
    env_float,
    env_int,
    env_list,
    env_str,
    state_dir,
)

from . import auth, ctp01

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Without authentication the port must not be open to the world by default.
LOOPBACK_ONLY = ("127.0.0.0/8", "::1/128")
EVERYWHERE = ("0.0.0.0/0", "::/0")


@dataclass(frozen=True)
class ListenerSettings:
    common: CommonSettings
    host: str
    port: int
    protocol: ctp01.ServerSettings
    allow: tuple[Network, ...]
    max_connections: int
    max_per_address: int
    max_pending: int
    max_pending_per_address: int
    batch_size: int
    batch_delay: float
    spool_dir: Path
    session_name_format: str
    event_name: str | None
    status_interval: float
    writer_stuck_after: float

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ListenerSettings:
        env = os.environ if env is None else env
        method = env_str(env, "P88_CT_AUTH", "hmac-sha1")
        if method not in auth.METHODS:
            raise ConfigError(f"P88_CT_AUTH={method!r}: expected one of {', '.join(auth.METHODS)}")
        credentials: dict[str, str] = {}
        if method != "none":
            credentials = _credentials(env)
        allow_default = LOOPBACK_ONLY if method == "none" else EVERYWHERE
        allow = tuple(_network(text) for text in env_list(env, "P88_CT_ALLOW", allow_default))
        time_format = env_str(env, "P88_CT_TIME_FORMAT", "iso")
        if time_format not in ctp01.TIME_FORMATS:
            raise ConfigError(f"P88_CT_TIME_FORMAT={time_format!r}: expected one of "
                              f"{', '.join(ctp01.TIME_FORMATS)}")  # fmt: skip
        protocol = ctp01.ServerSettings(
            name=env_str(env, "P88_CT_SERVER_NAME", "Project88Hub"),
            version="1.0",
            time_format=time_format,
            auth_method=method,
            credentials=credentials,
            ping_interval=env_float(env, "P88_CT_PING_INTERVAL", 12.0, minimum=1.0),
            idle_timeout=env_float(env, "P88_CT_IDLE_TIMEOUT", 30.0, minimum=2.0),
            max_bad_lines=env_int(env, "P88_CT_MAX_BAD_LINES", 1000, minimum=1),
            # A stranger holds a pending slot this long at most (admission.py).
            handshake_timeout=env_float(env, "P88_CT_HANDSHAKE_TIMEOUT", 5.0, minimum=1.0),
        )
        spool = env.get("P88_SPOOL_DIR", "").strip()
        return cls(
            common=CommonSettings.from_env(env),
            host=env_str(env, "P88_CT_HOST", "0.0.0.0"),
            port=env_int(env, "P88_CT_PORT", 61611),
            protocol=protocol,
            allow=allow,
            max_connections=env_int(env, "P88_CT_MAX_CONNECTIONS", 64, minimum=1),
            max_per_address=env_int(env, "P88_CT_MAX_PER_ADDRESS", 8, minimum=1),
            # Connections not logged in yet: a budget of their own (admission.py).
            max_pending=env_int(env, "P88_CT_MAX_PENDING", 32, minimum=1),
            max_pending_per_address=env_int(env, "P88_CT_MAX_PENDING_PER_ADDRESS", 4, minimum=1),
            batch_size=env_int(env, "P88_CT_BATCH_SIZE", 500, minimum=1),
            batch_delay=env_float(env, "P88_CT_BATCH_DELAY_MS", 5.0) / 1000,
            spool_dir=Path(spool) if spool else state_dir(env, "spool"),
            session_name_format=env_str(env, "P88_SESSION_NAME_FORMAT", "Session_%Y%m%d_%H%M%S"),
            event_name=env.get("P88_EVENT_NAME") or None,
            status_interval=env_float(env, "P88_STATUS_INTERVAL", 5.0, minimum=0.5),
            # A writer this long without progress is stuck: the watchdog is withheld
            # (the unit's WatchdogSec=30 then restarts it). Its slowest honest step,
            # one batch or one drain group, takes well under a second.
            writer_stuck_after=env_float(env, "P88_CT_WRITER_STUCK_AFTER", 20.0, minimum=1.0),
        )


def _network(text: str) -> Network:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ConfigError(f"P88_CT_ALLOW: {text!r} is not an address or network") from None


def _credentials(env: Mapping[str, str]) -> dict[str, str]:
    explicit = env.get("P88_CT_AUTH_FILE", "").strip()
    path = Path(explicit) if explicit else credential_path(env, "ct-auth")
    if path is None:
        raise ConfigError(
            "P88_CT_AUTH requires credentials: set P88_CT_AUTH_FILE or hand over a "
            "'ct-auth' systemd credential (lines 'user:password'); or set P88_CT_AUTH=none "
            "together with a P88_CT_ALLOW source allow-list"
        )
    try:
        users = auth.load_credentials(path)
    except OSError as exc:
        raise ConfigError(f"cannot read credentials file {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if not users:
        raise ConfigError(f"credentials file {path} holds no users")
    return users
