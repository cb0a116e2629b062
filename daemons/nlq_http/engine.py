"""From a question and an API key to an answer: who is asking, what they mean, the rows.

The order is fixed and each step can only narrow what happens next:
1. the caller (``X-API-Key`` -> partner or admin; the question never decides it);
2. the rules parser: a request to change data, SQL or instructions to the system
   are refused outright; a question whose every word it accounted for is answered;
   otherwise the LLM planner, which can only fill the same semantic query, is asked;
   without one, the refusal names the words not understood and what can be asked;
3. a query naming another partner than the caller's is refused; an admin's names
   a partner to filter by;
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
from .compiler import Compiled, QueryError, Tenant, compile_query
from .query import SemanticQuery, Understanding
from .rules import Vocabulary, parse
from .settings import NlqSettings

# What the service can answer, said whenever it cannot answer a question as asked.
COVERAGE = (
    "I can answer questions about finishers and results (counts, times, places, paces,"
    " splits, percentiles, winners, DNF/DNS/DQ), entrants, events and their races (dates,"
    " places, status, weather), the Boston qualifying standards and qualifiers, RunSignUp"
    " registrations and revenue, registration fees, and live timing sessions."
)

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

    def plan(
        self,
        question: str,
        vocab: Vocabulary,
        today: dt.date,
        previous: SemanticQuery | None = None,
    ) -> Understanding: ...


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
            def column(name: str) -> list[Any]:
                return [row[0] for row in runner.rows_as(self.pool, tenant, name) if row[0]]

            return Vocabulary(
                event_names=tuple(column("event_names")),
                partner_names=tuple(column("partner_names")),
                last_names=frozenset(column("last_names")),
                first_names=frozenset(column("first_names")),
                cities=frozenset(column("cities")),
                latest_editions=tuple(
                    (str(name), int(year))
                    for name, year in runner.rows_as(self.pool, tenant, "latest_editions")
                ),
            )

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

    def understand(
        self, question: str, tenant: Tenant, previous: SemanticQuery | None = None
    ) -> Understanding:
        vocab = self.vocabulary(tenant)
        today = self.today()
        reading = parse(question, vocab, today, previous)
        if reading.partner is not None:
            # Naming another partner is refused whatever else the question went on to ask,
            # so a partner key never learns more (an unknown event, say) about another's data.
            _check_partner(reading.partner, tenant)
        if reading.refusal is not None:
            refused = {403: Forbidden}.get(reading.refusal.status, NotUnderstood)
            raise refused(reading.refusal.reason, reason=reading.refusal.kind)
        threshold = self.settings.confidence_threshold
        if reading.query is not None and reading.confidence >= threshold:
            return Understanding(
                query=reading.query,
                confidence=reading.confidence,
                entities=reading.entities,
                engine="rules",
                notes=reading.notes,
            )
        unknown = list(reading.unknown)
        said = f"I did not understand: {', '.join(unknown)}. " if unknown else ""
        if reading.confidence == 0.0 and not unknown:
            said = "That does not look like a question about race data. "
        if self.planner is None:
            raise NotUnderstood(said + COVERAGE, unknown_words=unknown, reason="not_understood")
        # Asked even when it looked unavailable: it fails at once then (ModelUnavailable),
        # and asking is what lets it notice that the model server came back.
        try:
            return self.planner.plan(question, vocab, today, previous)
        except Exception as exc:  # LlmFallbackError: unavailable, timeout, rejected answer
            status = getattr(exc, "http_status", 503)
            log.warning(
                "model fallback failed %s", kv(kind=type(exc).__name__, error=str(exc)[:200])
            )
            if status == 504:
                raise Timeout(
                    f"{said}The language model did not answer in time.", unknown_words=unknown
                ) from None
            # No model, or a model answer that did not fit: the question is what failed for
            # the caller, so a 422 that says what was not understood (never a 503 outage).
            reason = exc.user_message(0.0) if hasattr(exc, "user_message") else str(exc)
            raise NotUnderstood(
                f"{said}{COVERAGE} ({reason})", unknown_words=unknown, reason="not_understood"
            ) from None

    def compile(self, understanding: Understanding, tenant: Tenant) -> Compiled:
        query = understanding.query
        for f in query.filters_on("partner"):
            _check_partner(str(f.value), tenant)
        try:
            return compile_query(query, tenant, self.settings.max_rows)
        except QueryError as exc:
            raise NotUnderstood(f"{exc}. {COVERAGE}", reason="unsupported") from None

    # -- the answer ------------------------------------------------------------------------
    def answer(
        self,
        question: str,
        tenant: Tenant,
        run: bool = True,
        previous: SemanticQuery | None = None,
    ) -> dict[str, Any]:
        started = time.perf_counter()
        understanding = self.understand(question, tenant, previous)
        compiled = self.compile(understanding, tenant)
        query = understanding.query
        body: dict[str, Any] = {
            "question": question,
            "intent": intent_of(query),
            "entities": understanding.entities,
            "confidence": round(understanding.confidence, 3),
            "query": query.model_dump(mode="json", exclude_defaults=True),
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
            if query.entity == "live_reads" and not answer.rows:
                body["explanation"] += " That session has no reads."
        body["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 1)
        return body

    def answer_conversation(
        self, questions: list[str], tenant: Tenant, run: bool = True
    ) -> dict[str, Any]:
        """The last question of a chat, read as a follow-up of the ones before it.

        Only the user's own questions are replayed (the rules are deterministic, so the
        same words give the same queries): the assistant's earlier text is never context.
        A question that fails leaves no context for the next one.
        """
        previous: SemanticQuery | None = None
        failed = False
        for earlier in questions[:-1][-MAX_CONTEXT_TURNS:]:
            try:
                previous = self.understand(self.check_question(earlier), tenant, previous).query
                failed = False
            except NlqError:
                previous, failed = None, True
        last = self.check_question(questions[-1])
        if failed and parse(last, self.vocabulary(tenant), self.today()).leans_back:
            # "and the women?" after a refusal: answered alone it would be some other question
            raise NotUnderstood(
                "that follows a question I could not answer; ask it in full, with what to"
                " count or list",
                reason="follows_unanswered",
            )
        return self.answer(last, tenant, run, previous)


MAX_CONTEXT_TURNS = 8  # earlier questions replayed for a follow-up; older ones rarely matter


def intent_of(query: SemanticQuery) -> str:
    """The answer's kind, for callers and file names: export, count, compare, analyze, list."""
    if query.export:
        return "export"
    if query.measures and not query.group_by:
        return "count" if [m.name for m in query.measures] == ["count"] else "analyze"
    if query.measures:
        return "compare"
    return "list"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _check_partner(said: str, tenant: Tenant) -> None:
    """A partner key may name only its own partner; an admin's names filter."""
    if not tenant.admin and said.lower() != tenant.partner_name.lower():
        raise Forbidden(
            f"your API key belongs to {tenant.partner_name}; it cannot read {said}'s data",
            reason="other_partner",
        )
