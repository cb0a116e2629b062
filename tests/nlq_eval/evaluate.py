"""Ask every question, compute every reference, and say what each answer was.

Outcomes (README.md): ``right``; ``wrong_200`` (HTTP 200 with other data, or
an answer where a refusal was due: the worst); ``refused`` (4xx/5xx where an
answer was due, or a refusal of another status than the expected one);
``error`` (the harness could not tell: no HTTP answer, a reference that
fails, a chat table cut short).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import psycopg2
import requests

from tests.integration.test_nlq import KEYS
from tests.nlq_eval.chat import ChatAnswer, content_of, parse_completion
from tests.nlq_eval.environment import Databases
from tests.nlq_eval.isolation import ForeignValues
from tests.nlq_eval.questions import Question, Turn, refusal_matches
from tests.nlq_eval.score import Table, matches

OUTCOMES = ("right", "wrong_200", "refused", "error")
REFERENCE_TIMEOUT_MS = 60_000
CHAT_MODEL = "project88-nlq"


@dataclass
class TurnResult:
    turn: int  # 0: the question, 1...: follow-ups
    question: str
    outcome: str
    status: int | None = None
    detail: str = ""
    expected_rows: int | None = None
    got_rows: int | None = None
    foreign_rows: int = 0
    engine: str | None = None
    ms: float = 0.0
    chat_outcome: str | None = None  # follow-ups: the chat endpoint's own table, judged
    chat_detail: str = ""


@dataclass
class QuestionResult:
    question: Question
    scale: float
    turns: list[TurnResult] = field(default_factory=list)

    @property
    def first(self) -> TurnResult:
        return self.turns[0]


class References:
    """Reference SQL as the superuser (no row-level security), read-only, one connection each."""

    def __init__(self, dbs: Databases) -> None:
        self.dbs = dbs
        self.conns: dict[str, Any] = {}

    def run(self, database: str, sql: str, key: str) -> Table:
        conn = self.conns.get(database)
        if conn is None or conn.closed:
            conn = psycopg2.connect(self.dbs.dsn(database))
            conn.set_session(readonly=True, autocommit=True)
            self.conns[database] = conn
        with conn.cursor() as cur:
            cur.execute(f"SET statement_timeout = {REFERENCE_TIMEOUT_MS}")
            cur.execute(sql, {"partner_id": self.dbs.partner_ids[key]})
            columns = [d.name for d in cur.description]
            return Table.of(columns, cur.fetchall())

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()


def judge(
    turn: Turn, expected: list[Table], status: int | None, answer: Table | None
) -> tuple[str, str]:
    """(outcome, detail) of one turn; ``status`` None: a refusal without a status (chat)."""
    if not turn.answerable:
        assert turn.refuse is not None
        if status == 200:
            return "wrong_200", f"answered, expected a {turn.refuse} refusal"
        if refusal_matches(turn.refuse, status):
            return "right", "refused" if status is not None else "refused (status unknown)"
        return "refused", f"refused with {status}, expected {turn.refuse}"
    if status != 200 or answer is None:
        return "refused", f"status {status}" if status is not None else "refused in chat"
    for i, reference in enumerate(expected):
        if matches(reference, answer, turn.ordered, turn.order_by):
            return "right", "" if i == 0 else f"matches alternative {i}"
    return "wrong_200", f"{len(answer.rows)} rows, reference {len(expected[0].rows)}"


class Evaluator:
    def __init__(
        self,
        dbs: Databases,
        base_url: str,
        timeout: float = 60.0,
        followups: bool = True,
        progress: Callable[[QuestionResult], None] | None = None,
    ) -> None:
        self.dbs = dbs
        self.base_url = base_url
        self.timeout = timeout
        self.followups = followups
        self.progress = progress
        self.refs = References(dbs)
        self.http = requests.Session()
        self.foreign = {
            key: ForeignValues.load(dbs.prod_dsn, pid)
            for key, pid in dbs.partner_ids.items()
            if pid is not None
        }

    def close(self) -> None:
        self.refs.close()
        self.http.close()

    def run(self, questions: Iterable[Question]) -> list[QuestionResult]:
        results = []
        for question in questions:
            result = self.one(question)
            results.append(result)
            if self.progress:
                self.progress(result)
        return results

    # -- one question --------------------------------------------------------------------
    def one(self, question: Question) -> QuestionResult:
        result = QuestionResult(question, self.dbs.scale)
        result.turns.append(self._first(question))
        if self.followups and question.followups:
            result.turns += self._conversation(question)
        return result

    def _expected(self, question: Question, turn: Turn) -> list[Table]:
        return [self.refs.run(question.database, sql, question.key) for sql in turn.references]

    def _first(self, question: Question) -> TurnResult:
        return self._ask(question, question.first, 0, [])

    def _ask(self, question: Question, turn: Turn, number: int, history: list[str]) -> TurnResult:
        """``POST /api/v1/nl-query`` (earlier questions of a conversation in ``history``)."""
        out = TurnResult(number, turn.question, "error")
        try:
            expected = self._expected(question, turn)
        except psycopg2.Error as exc:
            out.detail = f"reference failed: {str(exc).splitlines()[0]}"
            return out
        payload: dict[str, Any] = {"question": turn.question}
        if history:
            payload["history"] = history
        started = time.perf_counter()
        try:
            response = self.http.post(
                f"{self.base_url}/api/v1/nl-query",
                json=payload,
                headers={"X-API-Key": KEYS[question.key]},
                timeout=self.timeout,
            )
            body = response.json()
        except (requests.RequestException, ValueError) as exc:
            out.detail = f"no answer: {type(exc).__name__}: {exc}"[:300]
            return out
        out.ms = (time.perf_counter() - started) * 1000
        out.status = response.status_code
        answer = None
        if response.status_code == 200 and isinstance(body, dict):
            columns, rows = body.get("columns") or [], body.get("rows") or []
            answer = Table.of(columns, rows)
            out.engine = body.get("engine")
            out.got_rows = len(rows)
            out.foreign_rows = self._foreign(question, turn, columns, rows)
        elif isinstance(body, dict):
            out.detail = str(body.get("error", ""))[:300]
        out.expected_rows = len(expected[0].rows) if expected else None
        out.outcome, detail = judge(turn, expected, out.status, answer)
        out.detail = "; ".join(x for x in (detail, out.detail) if x)
        return out

    def _foreign(self, question: Question, turn: Turn, columns: list, rows: list) -> int:
        values = self.foreign.get(question.key)
        return len(values.foreign_rows(columns, rows, turn.question)) if values else 0

    # -- follow-ups: through the chat endpoint, scored by re-asking with the history ----------
    def _chat(self, question: Question, messages: list[dict[str, str]]) -> tuple[int, Any]:
        response = self.http.post(
            f"{self.base_url}/v1/chat/completions",
            json={"model": CHAT_MODEL, "stream": False, "messages": messages},
            headers={"Authorization": f"Bearer {KEYS[question.key]}"},
            timeout=self.timeout,
        )
        return response.status_code, response.json()

    def _conversation(self, question: Question) -> list[TurnResult]:
        """Each follow-up goes through the chat (the conversation so far, as Open WebUI sends
        it) and is scored from ``POST /api/v1/nl-query`` with ``history``, whose rows and
        status are machine-readable; the chat's own table is judged too (``chat_outcome``)."""
        out: list[TurnResult] = []
        history = [question.first.question]
        messages = [{"role": "user", "content": question.first.question}]
        try:
            messages.append(
                {"role": "assistant", "content": content_of(self._chat(question, messages)[1])}
            )
        except (requests.RequestException, ValueError) as exc:
            messages.append({"role": "assistant", "content": ""})
            chat_failure = f"chat: {type(exc).__name__}"
        else:
            chat_failure = ""
        for number, turn in enumerate(question.followups, start=1):
            messages.append({"role": "user", "content": turn.question})
            result = self._ask(question, turn, number, list(history))
            out.append(result)
            history.append(turn.question)
            content = ""
            if not chat_failure:
                try:
                    http_status, body = self._chat(question, messages)
                    content = content_of(body)
                    result.chat_outcome, result.chat_detail = self._judge_chat(
                        question, turn, http_status, parse_completion(body)
                    )
                except psycopg2.Error as exc:
                    result.chat_outcome, result.chat_detail = "error", str(exc).splitlines()[0]
                except (requests.RequestException, ValueError) as exc:
                    result.chat_outcome, result.chat_detail = "error", f"chat: {type(exc).__name__}"
            else:
                result.chat_outcome, result.chat_detail = "error", chat_failure
            messages.append({"role": "assistant", "content": content})
        return out

    def _judge_chat(
        self, question: Question, turn: Turn, http_status: int, answer: ChatAnswer
    ) -> tuple[str, str]:
        expected = self._expected(question, turn)
        if http_status != 200 or answer.broken:
            return judge(turn, expected, http_status, None)
        if answer.answered and not answer.complete:
            return "error", answer.error  # a table the harness cannot see whole
        table = Table.of(answer.columns, answer.rows) if answer.answered else None
        outcome, detail = judge(turn, expected, answer.status, table)
        return outcome, "; ".join(x for x in (detail, answer.error, f"via {answer.source}") if x)
