"""Configuration from ``P88_*`` environment variables (DESIGN.md, "Running things").

Every daemon is configured only by its environment; systemd sets it from
``/etc/project88/<daemon>.env``. Defaults are the ones documented for local
runs. Secrets never come from here: passwords arrive as systemd credentials.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(ValueError):
    """A setting is present but unusable; the message names the variable."""


def env_str(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip()
    return value or default


Number = TypeVar("Number", int, float)


def _env_number(
    env: Mapping[str, str],
    name: str,
    default: Number,
    minimum: Number,
    cast: type[Number],
    noun: str,
) -> Number:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = cast(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not {noun}") from None
    if value < minimum:
        raise ConfigError(f"{name}={value} must be at least {minimum}")
    return value


def env_int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    return _env_number(env, name, default, minimum, int, "a whole number")


def env_float(env: Mapping[str, str], name: str, default: float, minimum: float = 0.0) -> float:
    return _env_number(env, name, default, minimum, float, "a number")


def env_list(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def host_timezone() -> str:
    """The host's IANA zone name (``TZ``, then /etc/localtime), else UTC."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz:
        return tz
    try:
        target = os.readlink("/etc/localtime")
    except OSError:
        target = ""
    marker = "zoneinfo/"
    if marker in target:
        return target.split(marker, 1)[1]
    try:
        return Path("/etc/timezone").read_text().strip() or "UTC"
    except OSError:
        return "UTC"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"P88_TIMEZONE={name!r} is not a known time zone") from None


@dataclass(frozen=True)
class CommonSettings:
    """Settings every daemon shares."""

    raw_dsn: str
    prod_dsn: str
    timezone: str
    retention_days: int

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> CommonSettings:
        env = os.environ if env is None else env
        tz = env_str(env, "P88_TIMEZONE", host_timezone())
        zone(tz)  # fail early with a clear message
        return cls(
            raw_dsn=env_str(env, "P88_RAW_DSN", "dbname=raw_tag_data"),
            prod_dsn=env_str(env, "P88_PROD_DSN", "dbname=project88_myappdb"),
            timezone=tz,
            retention_days=env_int(env, "P88_RETENTION_DAYS", 30, minimum=1),
        )


def state_dir(env: Mapping[str, str], subdir: str) -> Path:
    """``$STATE_DIRECTORY`` under systemd, else ``./var/<subdir>`` for local runs."""
    systemd_state = env.get("STATE_DIRECTORY", "").split(":")[0]
    return Path(systemd_state) if systemd_state else Path("var") / subdir


def credential_path(env: Mapping[str, str], name: str) -> Path | None:
    """A systemd credential handed over with ``LoadCredential=``, if present."""
    directory = env.get("CREDENTIALS_DIRECTORY")
    if directory and (Path(directory) / name).exists():
        return Path(directory) / name
    return None


def read_secret(path: Path, what: str, min_length: int = 32) -> bytes:
    """A secret kept alone in a file (a systemd credential): its bytes, surrounding whitespace
    removed, since editors and ``echo`` add a newline the other side would not sign with."""
    try:
        secret = path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(f"cannot read {what} from {path}: {exc.strerror or exc}") from None
    if len(secret) < min_length:
        raise ConfigError(
            f"{what} in {path} is {len(secret)} bytes long; it must be at least {min_length}"
        )
    return secret
