"""From a question and an API key to an answer: who is asking, what they mean, the rows.

The order is fixed and each step can only narrow what happens next:
1. the caller (``X-API-Key`` -> partner or admin; the question never decides it);
2. the rules parser; below the confidence threshold, the LLM planner, which
   can only fill the same typed plan;
3. a plan naming another partner than the caller's is refused;
4. the compiler writes the SQL (tenant predicate and row limit included);
5. the runner checks it with the guard and runs it read-only under RLS.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from daemons.common.greendb import GreenPool
from daemons.common.logs import kv

from . import runner
from .parse import Vocabulary, parse
from .plan import Subject, Understanding
from .settings import NlqSettings
from .sql import Compiled, Tenant, compile_plan

log = logging.getLogger("nlq_http.engine")


class NlqError(Exception):
    """A request the service answers with a clear error (status, message)."""

    status = 400

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class BadRequest(NlqError):
    status = 400


class Unauthorized(NlqError):
    status = 401


class Forbidden(NlqError):
    status = 403


class NotUnderstood(NlqError):
    status = 422


class Unavailable(NlqError):
    status = 503


class Timeout(NlqError):
    status = 504


class Planner(Protocol):
    """What the engine needs of the LLM fallback (``llm_fallback.LlmPlanner``)."""

    @property
    def available(self) -> bool: ...

    @property
    def reason(self) -> str: ...

    def plan(self, question: str, vocab: Vocabulary, today: dt.date) -> Understanding: ...


@dataclass
class _Cached:
    value: Any
    until: float


class Engine:
    def __init__(
        self,
        settings: NlqSettings,
        pool: GreenPool,
        raw_pool: GreenPool,
        planner: Planner | None,
        today: Callable[[], dt.date] = dt.date.today,
        admin_pool: GreenPool | None = None,
    ) -> None:
        self.settings = settings
        self.pool = pool
        self.raw_pool = raw_pool
        self.admin_pool = admin_pool
        self.planner = planner
        self.today = today
        self._cache: dict[Any, _Cached] = {}

    # -- who is asking ---------------------------------------------------------------------
    def caller(self, api_key: str | None) -> Tenant:
        if not api_key:
            raise Unauthorized("an API key is required (X-API-Key header)")
        if len(api_key) > 200 or not api_key.isprintable():
            raise Unauthorized("the API key is not valid")
        digest = hashlib.sha256(api_key.encode()).hexdigest()
        return self._cached(("caller", digest), lambda: self._lookup(digest))

    def _lookup(self, digest: str) -> Tenant:
        with self.pool.connection() as conn, conn.cursor() as cur:
            cur.execute(runner.sql("caller"), {"key_sha256": digest})
            row = cur.fetchone()
        if row is None:
            raise Unauthorized("the API key is not valid")
        _user, partner_id, role, _name = row
        admin = role == "admin"
        name = ""
        if partner_id is not None:
            tenant = Tenant(partner_id, admin)
            found = runner.rows_as(self.pool, tenant, "partner_name", {"partner_id": partner_id})
            name = found[0][0] if found else ""
        return Tenant(partner_id, admin, name)

    def vocabulary(self, tenant: Tenant) -> Vocabulary:
        def load() -> Vocabulary:
            events = tuple(row[0] for row in runner.rows_as(self.pool, tenant, "event_names"))
            partners = tuple(row[0] for row in runner.rows_as(self.pool, tenant, "partner_names"))
            return Vocabulary(event_names=events, partner_names=partners)

        return self._cached(("vocabulary", tenant.partner_id, tenant.admin), load)

    def _pool_for(self, compiled: Compiled, tenant: Tenant) -> GreenPool:
        """Admin callers' results queries skip row-level security (nlq_admin); nobody else's."""
        if compiled.database == "raw":
            return self.raw_pool
        if tenant.admin and self.admin_pool is not None:
            return self.admin_pool
        return self.pool

    def _cached(self, key: Any, load: Callable[[], Any]) -> Any:
        hit = self._cache.get(key)
        now = time.monotonic()
        if hit is not None and hit.until > now:
            return hit.value
        value = load()
        self._cache[key] = _Cached(value, now + self.settings.cache_seconds)
        return value

    # -- what they mean --------------------------------------------------------------------
    def check_question(self, question: Any) -> str:
        if not isinstance(question, str) or not question.strip():
            raise BadRequest("'question' must be a non-empty string")
        if len(question) > self.settings.max_question:
            raise BadRequest(f"the question is longer than {self.settings.max_question} characters")
        if "\0" in question:
            raise BadRequest("the question contains a NUL character")
        return question.strip()

    def understand(self, question: str, tenant: Tenant) -> Understanding:
        vocab = self.vocabulary(tenant)
        today = self.today()
        ruled = parse(question, vocab, today)
        threshold = self.settings.confidence_threshold
        if ruled.confidence >= threshold:
            return ruled
        if self.planner is None:
            raise NotUnderstood(
                f"the question was not understood well enough (confidence {ruled.confidence:.2f},"
                f" below {threshold:.2f}) and no language model is configured",
                confidence=ruled.confidence,
                notes=list(ruled.notes),
            )
        # Asked even when it looked unavailable: it fails at once then (ModelUnavailable),
        # and asking is what lets it notice that the model server came back.
        try:
            return self.planner.plan(question, vocab, today)
        except Exception as exc:  # LlmFallbackError: unavailable, timeout, rejected answer
            status = getattr(exc, "http_status", 503)
            message = (
                exc.user_message(ruled.confidence)
                if hasattr(exc, "user_message")
                else f"the language model could not answer: {exc}"
            )
            log.warning(
                "model fallback failed %s", kv(kind=type(exc).__name__, error=str(exc)[:200])
            )
            error = {422: NotUnderstood, 504: Timeout}.get(status, Unavailable)
            raise error(message, confidence=ruled.confidence) from None

    def compile(self, understanding: Understanding, tenant: Tenant) -> Compiled:
        plan = understanding.plan
        said = plan.partner_name
        if said and not tenant.admin and said.lower() != tenant.partner_name.lower():
            raise Forbidden(
                f"your API key belongs to {tenant.partner_name}; it cannot read {said}'s data"
            )
        return compile_plan(plan, tenant, self.settings.max_rows)

    # -- the answer ------------------------------------------------------------------------
    def answer(self, question: str, tenant: Tenant, run: bool = True) -> dict[str, Any]:
        started = time.perf_counter()
        understanding = self.understand(question, tenant)
        compiled = self.compile(understanding, tenant)
        body: dict[str, Any] = {
            "question": question,
            "intent": understanding.plan.intent.value,
            "entities": understanding.entities,
            "confidence": round(understanding.confidence, 3),
            "plan": understanding.plan.model_dump(mode="json", exclude_defaults=True),
            "sql": compiled.sql,
            "parameters": {k: _jsonable(v) for k, v in compiled.params.items()},
            "explanation": compiled.explanation,
            "engine": understanding.engine,
            "notes": list(understanding.notes),
        }
        if run:
            pool = self._pool_for(compiled, tenant)
            answer = runner.run(pool, compiled, tenant, self.settings.statement_timeout_ms)
            body.update(
                columns=answer.columns,
                rows=answer.rows,
                row_count=len(answer.rows),
                truncated=answer.truncated,
            )
            if understanding.plan.subject is Subject.LIVE_TIMING and not answer.rows:
                body["explanation"] += " That session has no reads."
        body["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 1)
        return body


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
