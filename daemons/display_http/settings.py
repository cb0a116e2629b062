"""display_http's settings, from ``P88_*`` environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from daemons.common.config import (
    CommonSettings,
    ConfigError,
    env_float,
    env_int,
    env_list,
    env_str,
)

DEFAULT_MESSAGES = (
    "Welcome to Race Display",
    "Real-time timing data",
    "Results update as runners cross the mat",
    "Thank you to our volunteers",
)
# The JSON APIs an operator login can be required for. database-status always needs one
# (server version, connection errors); the others show what the display shows and are
# public unless P88_DISPLAY_OPERATOR_APIS lists them. The stream, / and /static/ are
# what spectators' screens load, so they cannot be listed.
OPERATOR_APIS = ("database-status", "stats", "recent-reads", "sessions")
ALWAYS_OPERATOR_APIS = ("database-status",)


@dataclass(frozen=True)
class DisplaySettings:
    common: CommonSettings
    host: str
    port: int
    pool_size: int
    heartbeat: float  # seconds between SSE heartbeat comments
    fanout_interval: float  # at most one database fetch per this many seconds
    poll_interval: float  # catch-up without a NOTIFY (a safety net), seconds
    stats_refresh: float  # rebuild the in-memory statistics every this many seconds
    ring_size: int  # live reads kept in memory for reconnecting clients
    max_streams: int
    stream_max_age: float  # seconds before a stream is ended for the screen to come back
    title: str
    messages: tuple[str, ...]
    crossing_message: str
    hold_seconds: float
    rotate_seconds: float
    access_log: bool
    operator_htpasswd: str  # htpasswd -B file for /status and operator APIs; "" = none
    operator_apis: frozenset[str]  # names from OPERATOR_APIS that need an operator login
    operator_fail_delay: float  # seconds before the first failed login is answered

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DisplaySettings:
        env = os.environ if env is None else env
        raw_messages = env.get("P88_DISPLAY_MESSAGES", "").strip()
        messages = (
            tuple(m.strip() for m in raw_messages.split("|") if m.strip())
            if raw_messages
            else DEFAULT_MESSAGES
        )
        return cls(
            common=CommonSettings.from_env(env),
            host=env_str(env, "P88_DISPLAY_HOST", "127.0.0.1"),
            port=env_int(env, "P88_DISPLAY_PORT", 5000, minimum=0),
            pool_size=env_int(env, "P88_DISPLAY_POOL_SIZE", 8, minimum=1),
            heartbeat=env_float(env, "P88_DISPLAY_HEARTBEAT", 15.0, minimum=0.1),
            fanout_interval=env_float(env, "P88_DISPLAY_FANOUT_MS", 50.0, minimum=0.0) / 1000,
            poll_interval=env_float(env, "P88_DISPLAY_POLL_INTERVAL", 2.0, minimum=0.05),
            stats_refresh=env_float(env, "P88_DISPLAY_STATS_REFRESH", 600.0, minimum=1.0),
            ring_size=env_int(env, "P88_DISPLAY_RING_SIZE", 20_000, minimum=100),
            max_streams=env_int(env, "P88_DISPLAY_MAX_STREAMS", 5000, minimum=1),
            # Streams end after a while (jittered) and the screens resume at once: a
            # proxy's processes from before a graceful reload then drain instead of
            # relaying the same streams forever (apache/README.md).
            stream_max_age=env_float(env, "P88_DISPLAY_STREAM_MAX_AGE", 1800.0, minimum=1.0),
            title=env_str(env, "P88_DISPLAY_TITLE", "Race Display"),
            messages=messages,
            crossing_message=env.get("P88_DISPLAY_CROSSING_MESSAGE", "Congratulations!").strip(),
            hold_seconds=env_float(env, "P88_DISPLAY_HOLD_SECONDS", 5.0, minimum=0.5),
            rotate_seconds=env_float(env, "P88_DISPLAY_ROTATE_SECONDS", 6.0, minimum=1.0),
            access_log=env.get("P88_DISPLAY_ACCESS_LOG", "").strip() in ("1", "true", "yes"),
            operator_htpasswd=env.get("P88_DISPLAY_OPERATOR_HTPASSWD", "").strip(),
            operator_apis=operator_apis(env),
            operator_fail_delay=env_float(env, "P88_DISPLAY_OPERATOR_FAIL_DELAY", 0.5, 0.0),
        )


def operator_apis(env: Mapping[str, str]) -> frozenset[str]:
    names = env_list(env, "P88_DISPLAY_OPERATOR_APIS", ())
    unknown = sorted(set(names) - set(OPERATOR_APIS))
    if unknown:
        raise ConfigError(
            f"P88_DISPLAY_OPERATOR_APIS names {', '.join(unknown)}; "
            f"it may list only {', '.join(OPERATOR_APIS)}"
        )
    return frozenset(names) | frozenset(ALWAYS_OPERATOR_APIS)
