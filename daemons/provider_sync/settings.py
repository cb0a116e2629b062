"""The provider_sync daemon's configuration, from ``P88_*`` variables only."""

from __future__ import annotations

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
    env_str,
)

PROVIDERS = ("chronotrack", "runsignup", "raceroster")
# The providers' public base URLs; tests and the demo point the variables at the fakes.
DEFAULT_URLS = {
    "chronotrack": "https://api.chronotrack.com/api",
    "runsignup": "https://runsignup.com/Rest",
    "raceroster": "https://raceroster.com/api/v1",
}


@dataclass(frozen=True)
class SyncSettings:
    common: CommonSettings
    base_urls: Mapping[str, str]
    key_file: Path | None  # the sync-key credential: decrypts provider credentials
    poll_seconds: float  # how often the queue is looked at when it was empty
    lease_seconds: float  # a running job not renewed for this long is taken up again
    request_timeout: float  # seconds for one HTTP request
    page_size: int | None  # rows asked per page; None: each provider's own default
    request_retries: int  # retries of one request (429, 5xx, network) within a job

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SyncSettings:
        env = dict(os.environ) if env is None else env
        urls = {}
        for provider, default in DEFAULT_URLS.items():
            url = env_str(env, f"P88_SYNC_{provider.upper()}_URL", default)
            if not url.startswith(("http://", "https://")):
                raise ConfigError(f"P88_SYNC_{provider.upper()}_URL={url!r} is not an http(s) URL")
            urls[provider] = url.rstrip("/")
        key_file = credential_path(env, "sync-key")
        if key_file is None and env.get("P88_SYNC_KEY_FILE", "").strip():
            key_file = Path(env["P88_SYNC_KEY_FILE"].strip())
        return cls(
            common=CommonSettings.from_env(env),
            base_urls=urls,
            key_file=key_file,
            poll_seconds=env_float(env, "P88_SYNC_POLL_SECONDS", 5.0, minimum=0.05),
            lease_seconds=env_float(env, "P88_SYNC_LEASE_SECONDS", 120.0, minimum=1.0),
            request_timeout=env_float(env, "P88_SYNC_REQUEST_TIMEOUT", 30.0, minimum=0.1),
            page_size=env_int(env, "P88_SYNC_PAGE_SIZE", 0, minimum=0) or None,
            request_retries=env_int(env, "P88_SYNC_REQUEST_RETRIES", 5, minimum=0),
        )
