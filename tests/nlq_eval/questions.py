"""Load and check the question files: YAML in, typed questions out, mistakes named.

A question is a first turn (asked over ``POST /api/v1/nl-query``) and optional
follow-up turns (asked over the chat endpoint, with the conversation so far).
Each turn either has reference SQL (``sql`` plus optional ``alternatives``:
any of them matching counts as right) or an expected refusal (``refuse``:
an exact status such as ``403`` or a class such as ``4xx``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
WORKING_DIR = HERE / "working"
FROZEN_FILE = HERE / "frozen.yaml"
SETS = ("working", "frozen")
KEYS = ("admin", "big_river", "other")  # tests/integration/test_nlq.py's KEYS
PHRASINGS = ("terse", "chatty", "typo")
DATABASES = ("production", "raw")
REFUSALS = re.compile(r"^[45](\d\d|xx)$")
PARTNER_PARAM = "%(partner_id)s"
QUESTION_FIELDS = {
    "id", "kind", "phrasing", "key", "question", "database", "sql", "refuse", "ordered",
    "order_by", "alternatives", "followups", "empty_ok", "note",
}  # fmt: skip
TURN_FIELDS = {"question", "sql", "refuse", "ordered", "order_by", "alternatives", "empty_ok"}


class QuestionFileError(ValueError):
    """A question file that does not follow the format (README.md)."""


@dataclass(frozen=True)
class Turn:
    question: str
    sql: str | None = None
    refuse: str | None = None  # "403", "422", "4xx"
    ordered: bool = False
    order_by: tuple[int, ...] | None = None  # reference columns whose ties may come in any order
    alternatives: tuple[str, ...] = ()
    empty_ok: bool = False  # an empty or zero answer is intended

    @property
    def answerable(self) -> bool:
        return self.sql is not None

    @property
    def references(self) -> tuple[str, ...]:
        return (self.sql, *self.alternatives) if self.sql is not None else ()


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    phrasing: str
    key: str
    first: Turn
    database: str = "production"
    followups: tuple[Turn, ...] = ()
    set: str = "working"
    note: str = ""
    source: str = field(default="", compare=False)

    @property
    def text(self) -> str:
        return self.first.question


def refusal_matches(expected: str, status: int | None) -> bool:
    """``403`` means exactly 403, ``4xx`` any client error; an unknown status matches a class."""
    if status is None:  # the chat bridge says "could not answer" without a status
        return expected.endswith("xx")
    if expected.endswith("xx"):
        return str(status)[0] == expected[0]
    return str(status) == expected


def _turn(raw: dict[str, Any], where: str, allowed: set[str]) -> Turn:
    unknown = set(raw) - allowed
    if unknown:
        raise QuestionFileError(f"{where}: unknown field(s) {sorted(unknown)}")
    question = raw.get("question")
    if not isinstance(question, str) or not question.strip():
        raise QuestionFileError(f"{where}: 'question' must be a non-empty string")
    sql, refuse = raw.get("sql"), raw.get("refuse")
    if (sql is None) == (refuse is None):
        raise QuestionFileError(f"{where}: exactly one of 'sql' and 'refuse'")
    if refuse is not None:
        refuse = str(refuse)
        if not REFUSALS.match(refuse):
            raise QuestionFileError(f"{where}: 'refuse' must be a status like 403 or 4xx")
    alternatives = tuple(raw.get("alternatives") or ())
    if alternatives and sql is None:
        raise QuestionFileError(f"{where}: alternatives need 'sql'")
    order_by = raw.get("order_by")
    if order_by is not None:
        if not raw.get("ordered") or not all(isinstance(i, int) and i >= 0 for i in order_by):
            raise QuestionFileError(
                f"{where}: 'order_by' is a list of column indexes, with ordered"
            )
        order_by = tuple(order_by)
    for text in (sql, *alternatives):
        if text is not None and (not isinstance(text, str) or not text.strip()):
            raise QuestionFileError(f"{where}: SQL must be a non-empty string")
    return Turn(
        question=question.strip(),
        sql=sql,
        refuse=refuse,
        ordered=bool(raw.get("ordered", False)),
        order_by=order_by,
        alternatives=alternatives,
        empty_ok=bool(raw.get("empty_ok", False)),
    )


def parse_question(raw: Any, where: str, set_name: str) -> Question:
    if not isinstance(raw, dict):
        raise QuestionFileError(f"{where}: each entry must be a mapping")
    ident = raw.get("id")
    if not isinstance(ident, str) or not re.fullmatch(r"[a-z0-9_]+-\d{3}", ident):
        raise QuestionFileError(f"{where}: 'id' must look like kind-001")
    where = f"{where} ({ident})"
    for name, allowed in (("phrasing", PHRASINGS), ("key", KEYS)):
        if raw.get(name) not in allowed:
            raise QuestionFileError(f"{where}: '{name}' must be one of {', '.join(allowed)}")
    database = raw.get("database", "production")
    if database not in DATABASES:
        raise QuestionFileError(f"{where}: 'database' must be one of {', '.join(DATABASES)}")
    unknown = set(raw) - QUESTION_FIELDS
    if unknown:
        raise QuestionFileError(f"{where}: unknown field(s) {sorted(unknown)}")
    first = _turn({k: v for k, v in raw.items() if k in TURN_FIELDS}, where, TURN_FIELDS)
    followups = tuple(
        _turn(f, f"{where} follow-up {i + 1}", TURN_FIELDS)
        for i, f in enumerate(raw.get("followups") or ())
    )
    question = Question(
        id=ident,
        kind=str(raw.get("kind") or ""),
        phrasing=raw["phrasing"],
        key=raw["key"],
        first=first,
        database=database,
        followups=followups,
        set=set_name,
        note=str(raw.get("note") or ""),
        source=where,
    )
    if not question.kind or not ident.startswith(question.kind + "-"):
        raise QuestionFileError(f"{where}: the id must start with the kind")
    _check_partner_filter(question)
    return question


def _check_partner_filter(question: Question) -> None:
    """A partner key's reference must filter by the caller's partner itself (RLS is bypassed)."""
    if question.key == "admin":
        return
    for turn in (question.first, *question.followups):
        for sql in turn.references:
            # Partner-owned tables; the standards and live reads belong to no partner.
            owned = re.search(r"\b(ct_|runsignup_|raceroster_|event_weather|events\b)", sql)
            if owned and PARTNER_PARAM not in sql:
                raise QuestionFileError(
                    f"{question.source}: a {question.key} question's SQL needs {PARTNER_PARAM}"
                )


def load_file(path: Path, set_name: str) -> list[Question]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise QuestionFileError(f"{path}: the file must hold a list of questions")
    return [parse_question(raw, f"{path.name}[{i}]", set_name) for i, raw in enumerate(data)]


def load(sets: Iterable[str] = SETS) -> list[Question]:
    """Every question of the named sets, in file order; ids unique across all sets."""
    questions: list[Question] = []
    for set_name in sets:
        if set_name not in SETS:
            raise QuestionFileError(f"unknown set {set_name!r} (working or frozen)")
        paths = sorted(WORKING_DIR.glob("*.yaml")) if set_name == "working" else [FROZEN_FILE]
        for path in paths:
            questions += load_file(path, set_name)
    seen: dict[str, str] = {}
    for q in questions:
        if q.id in seen:
            raise QuestionFileError(f"{q.source}: id {q.id} also in {seen[q.id]}")
        seen[q.id] = q.source
    return questions
