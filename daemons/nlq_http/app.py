"""Bottle routes of the natural-language service. Thin: parse the request, ask the engine.

Every failure is JSON with a status that says what went wrong (400 malformed,
401 key, 403 another partner, 422 not understood, 503 database or model
away); a bug is a logged 500 without a traceback to the client.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from collections import Counter
from collections.abc import Callable
from importlib import resources
from typing import Any

import bottle
from swagger_ui_bundle import swagger_ui_path

from daemons.common.greendb import DatabaseDown
from daemons.common.logs import kv

from . import csvout, guard, openai_bridge, openapi, runner
from .engine import BadRequest, Engine, NlqError
from .examples import EXAMPLES
from .scope import ScopeError

log = logging.getLogger("nlq_http")
VERSION = "1.0.0"
STATIC = resources.files("daemons.nlq_http").joinpath("static")
QUESTION_BODY_LIMIT = 64 * 1024
# A chat request carries the whole conversation and Open WebUI's tool list (26 KB alone).
CHAT_BODY_LIMIT = 2 * 1024 * 1024
# Open WebUI's tool schemas nest about a dozen levels; past this a body is hostile, and
# code that walks it (or json itself, past ~1,000) would run out of stack.
MAX_JSON_DEPTH = 64


def json_depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_JSON_DEPTH:  # no need to walk further than the limit
                children = item.values() if isinstance(item, dict) else item
                stack.extend((child, depth + 1) for child in children)
    return deepest


class NlqApp:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.counters: Counter[str] = Counter()
        self.app = bottle.Bottle(catchall=True)
        route = self.app.route
        route("/", callback=self._json(self.about))
        route("/health", callback=self._json(self.health))
        route("/openapi.json", callback=self._json(lambda: openapi.spec(VERSION)))
        route("/docs", callback=self.docs)
        route("/docs/docs.js", callback=lambda: self._static(str(STATIC), "docs.js"))
        route("/docs/assets/<name:path>", callback=lambda name: self._static(swagger_ui_path, name))
        route("/api/v1/nl-examples", callback=self._json(self.examples))
        route("/api/v1/nl-query", method="POST", callback=self.nl_query)
        route("/api/v1/nl-explain", method="POST", callback=self._json(self.nl_explain))
        route("/v1/models", callback=self._json(openai_bridge.models))
        route("/v1/chat/completions", method="POST", callback=self.chat)
        for code in (404, 405, 500):
            self.app.error(code)(self._error_page)

    # -- plumbing --------------------------------------------------------------------------
    def _body(self, body: dict[str, Any], status: int = 200) -> str:
        bottle.response.status = status
        bottle.response.content_type = "application/json; charset=utf-8"
        bottle.response.set_header("Cache-Control", "no-store")
        return json.dumps(body, default=str)

    def _json(self, handler: Callable[..., Any]) -> Callable[..., str]:
        """A handler's dict as JSON, 200; a handler that has its own status returns
        ``(dict, status)`` (setting bottle.response.status would be overwritten here)."""

        @functools.wraps(handler)
        def wrapped(*args: Any) -> str:
            try:
                result = handler(*args)
                body, status = result if isinstance(result, tuple) else (result, 200)
                return self._body(body, status)
            except Exception as exc:
                return self._failure(exc)

        return wrapped

    def _failure(self, exc: Exception) -> str:
        if isinstance(exc, NlqError):
            self.counters[f"refused_{exc.status}"] += 1
            log.info(
                "request refused %s",
                kv(status=exc.status, path=bottle.request.path, reason=exc.message[:200]),
            )
            return self._body({"success": False, "error": exc.message, **exc.details}, exc.status)
        if isinstance(exc, DatabaseDown):
            self.counters["database_unavailable"] += 1
            bottle.response.set_header("Retry-After", "5")
            return self._body({"success": False, "error": f"database unavailable: {exc}"}, 503)
        if isinstance(exc, ScopeError):  # a deployment mistake, not the caller's: say it loudly
            self.counters["scope_refused"] += 1
            log.error("partner scope refused %s", kv(path=bottle.request.path, reason=str(exc)))
            return self._body({"success": False, "error": f"service unavailable: {exc}"}, 503)
        if isinstance(exc, guard.UnsafeQuery):  # never expected: the compiler wrote it
            self.counters["guard_refusals"] += 1
            log.error("compiled query refused by the guard %s", kv(reason=str(exc)))
            return self._body({"success": False, "error": f"query refused: {exc}"}, 500)
        if type(exc).__name__ == "QueryCanceled":
            self.counters["timeouts"] += 1
            return self._body({"success": False, "error": "the query took too long"}, 503)
        self.counters["errors"] += 1
        log.exception("request failed %s", kv(path=bottle.request.path))
        return self._body({"success": False, "error": "internal error"}, 500)

    def _error_page(self, error: bottle.HTTPError) -> str:
        return self._body({"success": False, "error": error.status_line}, error.status_code)

    @staticmethod
    def _static(root: str, name: str) -> Any:
        return bottle.static_file(name, root=root, headers={"Cache-Control": "max-age=3600"})

    def _request_json(self, limit: int = QUESTION_BODY_LIMIT) -> dict[str, Any]:
        if bottle.request.content_length > limit:
            raise BadRequest(f"the request body is larger than {limit // 1024} KiB")
        raw = bottle.request.body.read(limit + 1)  # a chunked body has no length to check
        if len(raw) > limit:
            raise BadRequest(f"the request body is larger than {limit // 1024} KiB")
        try:
            body = json.loads(raw or b"null")
        except (ValueError, UnicodeDecodeError):
            raise BadRequest("the request body is not valid JSON") from None
        except RecursionError:  # nested past the parser's stack
            raise BadRequest(
                f"the request body nests deeper than {MAX_JSON_DEPTH} levels"
            ) from None
        if not isinstance(body, dict):
            raise BadRequest("the request body must be a JSON object")
        if json_depth(body) > MAX_JSON_DEPTH:
            raise BadRequest(f"the request body nests deeper than {MAX_JSON_DEPTH} levels")
        return body

    def _api_key(self) -> str | None:
        key = bottle.request.get_header("X-API-Key")
        auth = bottle.request.get_header("Authorization", "")
        if not key and auth.lower().startswith("bearer "):
            key = auth[7:].strip()
        return key

    # -- routes ----------------------------------------------------------------------------
    def about(self) -> dict[str, Any]:
        planner = self.engine.planner
        return {
            "name": "Project88Hub natural-language queries",
            "version": VERSION,
            "engines": {
                "rules": {"available": True},
                "llm": {
                    "configured": planner is not None,
                    "model": self.engine.settings.model_id,
                    "available": bool(planner and planner.available),
                    "reason": planner.reason if planner else "disabled (P88_NLQ_LLM=off)",
                },
            },
            "docs": "/docs",
        }

    def health(self) -> tuple[dict[str, Any], int]:
        # One scoped transaction: the database is up *and* accepts our partner scope key.
        database, partner_scope = "ok", "ok"
        try:
            runner.check_scope(self.engine.pool)
        except DatabaseDown as exc:
            database, partner_scope = f"unavailable: {exc}", "unknown"
        except ScopeError as exc:
            partner_scope = f"refused: {exc}"
        planner = self.engine.planner
        healthy = database == partner_scope == "ok"
        return {
            "status": "ok" if healthy else "degraded",
            "database": database,
            "partner_scope": partner_scope,
            "llm": "ok"
            if planner and planner.available
            else (planner.reason if planner else "disabled"),
            "counters": dict(self.counters),
        }, 200 if healthy else 503

    def examples(self) -> dict[str, Any]:
        return {"examples": [{"question": question} for question in EXAMPLES]}

    def docs(self) -> Any:
        # static_file builds its own response: headers set on bottle.response would be lost.
        policy = (  # Swagger UI styles inline; nothing else is allowed in
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline';"
            " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
        )
        return bottle.static_file(
            "docs.html", root=str(STATIC), headers={"Content-Security-Policy": policy}
        )

    def nl_explain(self) -> dict[str, Any]:
        body = self._request_json()
        tenant = self.engine.caller(self._api_key())
        question = self.engine.check_question(body.get("question"))
        history = self._history(body.get("history"))
        answer = self.engine.answer_conversation([*history, question], tenant, run=False)
        return {"success": True, **answer}

    @staticmethod
    def _history(value: Any) -> list[str]:
        """Earlier questions of a conversation (``history``), oldest first."""
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(q, str) for q in value):
            raise BadRequest("'history' must be a list of earlier questions (strings)")
        if len(value) > 8:
            raise BadRequest("'history' holds at most 8 earlier questions")
        return value

    def nl_query(self) -> str:
        try:
            body = self._request_json()
            tenant = self.engine.caller(self._api_key())
            question = self.engine.check_question(body.get("question"))
            wanted = bottle.request.query.get("format") or body.get("format") or "json"
            accept = bottle.request.get_header("Accept", "")
            if wanted not in ("json", "csv"):
                raise BadRequest("'format' must be 'json' or 'csv'")
            history = self._history(body.get("history"))
            answer = self.engine.answer_conversation([*history, question], tenant)
            self.counters[f"answered_{answer['engine']}"] += 1
            log.info(
                "answered %s",
                kv(
                    engine=answer["engine"],
                    intent=answer["intent"],
                    rows=answer["row_count"],
                    ms=answer["elapsed_ms"],
                ),
            )
            if wanted == "csv" or ("text/csv" in accept and "application/json" not in accept):
                return self._csv(answer)
            return self._body({"success": True, **answer})
        except Exception as exc:
            return self._failure(exc)

    def _csv(self, answer: dict[str, Any]) -> str:
        text = csvout.render(answer["columns"], answer["rows"])  # no formulas for spreadsheets
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        bottle.response.content_type = "text/csv; charset=utf-8"
        bottle.response.set_header(
            "Content-Disposition", f'attachment; filename="nlq-{answer["intent"]}-{stamp}.csv"'
        )
        bottle.response.set_header("X-Row-Count", str(answer["row_count"]))
        bottle.response.set_header("X-Truncated", "true" if answer["truncated"] else "false")
        return text

    def chat(self) -> Any:
        try:
            body = self._request_json(CHAT_BODY_LIMIT)
            text = openai_bridge.last_user_text(body.get("messages"))
        except ValueError as exc:
            return self._failure(BadRequest(f"not a chat completion request: {exc}"))
        except Exception as exc:
            return self._failure(exc)
        nlq: dict[str, Any] | None = None
        if openai_bridge.is_task(text):
            self.counters["chat_tasks"] += 1
            content = openai_bridge.task_answer(text, list(EXAMPLES))
        else:
            try:
                tenant = self.engine.caller(self._api_key())
                questions = openai_bridge.user_questions(body.get("messages"))
                answer = self.engine.answer_conversation(questions, tenant)
                content = openai_bridge.markdown_answer(answer)
                nlq = openai_bridge.machine_answer(answer)
            except NlqError as exc:
                if exc.status == 401:
                    return self._failure(exc)
                content = f"I could not answer that: {exc.message}"
                nlq = openai_bridge.machine_answer(None, exc.status, exc.message)
            except Exception as exc:
                return self._failure(exc)
        if body.get("stream"):
            bottle.response.content_type = "text/event-stream; charset=utf-8"
            bottle.response.set_header("Cache-Control", "no-store")
            return openai_bridge.stream(content)
        return self._body(openai_bridge.completion(content, nlq))
