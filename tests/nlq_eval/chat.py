"""Follow-up turns through the OpenAI-compatible chat endpoint, and reading its answers.

``POST /v1/chat/completions`` answers with a sentence, a Markdown table of at
most 25 rows and the SQL (daemons/nlq_http/openai_bridge.py). A refusal is a
200 whose text begins "I could not answer that:", with no status. So:

* if the completion carries the machine-readable field this harness asks the
  bridge for (``EXPECTED_FIELD``, documented in README.md: ``status``,
  ``columns``, ``rows``, ``row_count``, ``truncated``, ``sql``, ``engine``),
  that is what is scored;
* otherwise the Markdown table is read back (every cell a string, an empty
  cell NULL); an answer cut at the table's 25 rows cannot be scored and says
  so, and a refusal's status is unknown (it matches only a class like 4xx).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

EXPECTED_FIELD = "nlq"
REFUSAL_PREFIX = "I could not answer that:"
_MORE = re.compile(r"^_(\d+) more rows?")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


@dataclass
class ChatAnswer:
    status: int | None  # 200 answered; 4xx/5xx refused; None: refused, status unknown
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    complete: bool = True  # False: the table showed fewer rows than the answer had
    source: str = "markdown"  # or EXPECTED_FIELD
    error: str = ""
    broken: bool = False  # not a chat completion at all

    @property
    def answered(self) -> bool:
        return self.status == 200 and not self.broken


def _cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [cell.strip().replace("\\|", "|") for cell in _CELL_SPLIT.split(inner)]


def parse_markdown(content: str) -> ChatAnswer:
    text = content.strip()
    if text.startswith(REFUSAL_PREFIX):
        return ChatAnswer(None, error=text[len(REFUSAL_PREFIX) :].strip())
    body = text.split("```sql", 1)[0]
    lines = body.splitlines()
    table = [line for line in lines if line.startswith("|")]
    answer = ChatAnswer(200)
    if not table:
        if "_No rows._" not in body:
            answer.error = "no table in the chat answer"
            answer.complete = False
        return answer
    answer.columns = _cells(table[0])
    answer.rows = [[cell if cell != "" else None for cell in _cells(line)] for line in table[2:]]
    for line in lines:
        more = _MORE.match(line.strip())
        if more and int(more[1]) > 0:
            answer.complete = False
            shown = len(answer.rows)
            answer.error = f"the chat table shows {shown} rows of {shown + int(more[1])}"
    return answer


def parse_completion(body: Any) -> ChatAnswer:
    if isinstance(body, dict) and isinstance(body.get(EXPECTED_FIELD), dict):
        data = body[EXPECTED_FIELD]
        rows = data.get("rows") or []
        return ChatAnswer(
            int(data.get("status") or 200),
            list(data.get("columns") or []),
            [list(r) for r in rows],
            complete=not data.get("truncated", False),
            source=EXPECTED_FIELD,
            error=str(data.get("error") or ""),
        )
    try:
        content = body["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        return ChatAnswer(None, complete=False, error="not a chat completion", broken=True)
    return parse_markdown(content)


def content_of(body: Any) -> str:
    try:
        return str(body["choices"][0]["message"]["content"])
    except (KeyError, IndexError, TypeError):
        return ""
