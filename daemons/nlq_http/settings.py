"""nlq_http's settings, from ``P88_*`` environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from daemons.common.config import CommonSettings, credential_path, env_float, env_int, env_str


@dataclass(frozen=True)
class NlqSettings:
    common: CommonSettings
    host: str
    port: int
    dsn: str  # project88_myappdb as nlq_reader
    # project88_myappdb as nlq_admin, for callers whose key grants every partner
    # (sql/production/0004_*); empty: they share the nlq_reader pool.
    admin_dsn: str
    raw_dsn: str  # raw_tag_data, read-only, for live timing questions
    # The key that signs each transaction's partner scope (scope.py); read at
    # start by __main__, so that settings never hold the secret itself.
    scope_key_file: Path | None
    model_id: str
    llm_enabled: bool
    llm_timeout: float
    confidence_threshold: float
    statement_timeout_ms: int
    max_rows: int
    max_question: int
    pool_size: int
    cache_seconds: float

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> NlqSettings:
        env = os.environ if env is None else env
        common = CommonSettings.from_env(env)
        return cls(
            common=common,
            host=env_str(env, "P88_NLQ_HOST", "127.0.0.1"),
            port=env_int(env, "P88_NLQ_PORT", 8000),
            dsn=env_str(env, "P88_NLQ_DSN", f"{common.prod_dsn} user=nlq_reader"),
            admin_dsn=env_str(env, "P88_NLQ_ADMIN_DSN", ""),
            raw_dsn=env_str(env, "P88_NLQ_RAW_DSN", common.raw_dsn),
            scope_key_file=_scope_key_file(env),
            model_id=env_str(env, "P88_NLQ_MODEL", "ollama/llama3.1:8b"),
            llm_enabled=env_str(env, "P88_NLQ_LLM", "on").lower() not in ("off", "0", "no"),
            llm_timeout=env_float(env, "P88_NLQ_LLM_TIMEOUT", 20.0, minimum=0.1),
            confidence_threshold=env_float(env, "P88_NLQ_CONFIDENCE", 0.6, minimum=0.0),
            statement_timeout_ms=env_int(env, "P88_NLQ_STATEMENT_TIMEOUT_MS", 5000, minimum=100),
            max_rows=env_int(env, "P88_NLQ_MAX_ROWS", 1000, minimum=1),
            max_question=env_int(env, "P88_NLQ_MAX_QUESTION", 1000, minimum=10),
            pool_size=env_int(env, "P88_NLQ_POOL_SIZE", 8, minimum=1),
            cache_seconds=env_float(env, "P88_NLQ_CACHE_SECONDS", 300.0, minimum=0.0),
        )


def _scope_key_file(env: Mapping[str, str]) -> Path | None:
    explicit = env.get("P88_NLQ_SCOPE_KEY_FILE", "").strip()
    return Path(explicit) if explicit else credential_path(env, "scope-key")
