"""An OpenAI-compatible face (``/v1/models``, ``/v1/chat/completions``) for Open WebUI.

Open WebUI lists the service as a model; a chat message is a question and the
reply is a sentence, a Markdown table and the SQL. Open WebUI also sends its
own background prompts to the selected model (chat titles, tags, follow-up
suggestions), all beginning ``### Task:``; they are answered here from the
conversation text alone, without touching the database.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

MODEL_ID = "project88-nlq"
TABLE_ROWS = 25  # rows shown in chat; the rest are counted, CSV has them all
TASK_PREFIX = "### Task:"


def models() -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "project88"}],
    }


def user_questions(messages: Any) -> list[str]:
    """The user's questions in order, the newest last (background tasks left out): a
    follow-up is read against the questions before it, never against the replies."""
    if not isinstance(messages, list):
        raise ValueError("'messages' must be a list")
    texts = [
        _text(m.get("content")) for m in messages if isinstance(m, dict) and m.get("role") == "user"
    ]
    questions = [t for t in texts if t.strip() and not is_task(t)]
    if not questions:
        raise ValueError("no user message")
    return questions


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            part.get("text", "")
            for part in content
            if isinstance(part, dict) and part.get("type") == "text"
        )
    return ""


def last_user_text(messages: Any) -> str:
    """The newest user message's text (plain, or OpenAI's list of content parts)."""
    if not isinstance(messages, list):
        raise ValueError("'messages' must be a list")
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                return " ".join(
                    part.get("text", "")
                    for part in content
                    if isinstance(part, dict) and part.get("type") == "text"
                )
    raise ValueError("no user message")


def is_task(text: str) -> bool:
    return text.lstrip().startswith(TASK_PREFIX)


def task_answer(text: str, examples: list[str]) -> str:
    """Open WebUI's background tasks, answered in the JSON shapes it parses.

    The kind of task is read from the task's own instruction, before the chat history it
    quotes (where a user's "tags" or "title" would otherwise decide it)."""
    head = text.split("<chat_history>", 1)[0].lower()
    instruction = head.removeprefix("### task:").strip().split("\n", 1)[0]
    lowered = instruction if ("title" in instruction or "tags" in instruction) else head
    question = _chat_history_question(text)
    if "title" in lowered:
        words = re.findall(r"[\w'\u2019-]+", question)[:6]
        return json.dumps({"title": " ".join(words).capitalize() or "Race results question"})
    if "tags" in lowered:
        return json.dumps({"tags": ["Race results", "Timing"]})
    if "follow" in lowered:
        return json.dumps({"follow_ups": examples[:3]})
    return json.dumps({})


def _chat_history_question(text: str) -> str:
    match = re.search(r"USER:\s*(.+)", text)
    return match.group(1).strip() if match else ""


def markdown_answer(body: dict[str, Any]) -> str:
    lines = [body.get("explanation", "")]
    columns, rows = body.get("columns"), body.get("rows")
    if columns is not None and rows is not None:
        lines.append("")
        if not rows:
            lines.append("_No rows._")
        else:
            lines.append("| " + " | ".join(columns) + " |")
            lines.append("|" + "---|" * len(columns))
            for row in rows[:TABLE_ROWS]:
                lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
            more = body["row_count"] - min(len(rows), TABLE_ROWS)
            if more > 0 or body.get("truncated"):
                cut = " (the answer stopped at the row limit)" if body.get("truncated") else ""
                plural = "s" if more != 1 else ""
                lines.append(f"\n_{more} more row{plural}{cut}; ask for a CSV export for all._")
    lines += [
        "",
        "```sql",
        body.get("sql", ""),
        "```",
        f"_engine: {body.get('engine')}, confidence {body.get('confidence')}, "
        f"{body.get('elapsed_ms')} ms_",
    ]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def machine_answer(
    answer: dict[str, Any] | None, status: int = 200, error: str | None = None
) -> dict[str, Any]:
    """The answer as data next to the text (``nlq``): OpenAI clients ignore a field they do
    not know, and a script or test reads rows and the status instead of parsing Markdown."""
    answer = answer or {}
    return {
        "status": status,
        "columns": answer.get("columns"),
        "rows": answer.get("rows"),
        "row_count": answer.get("row_count"),
        "truncated": answer.get("truncated"),
        "sql": answer.get("sql"),
        "engine": answer.get("engine"),
        "error": error,
    }


def completion(content: str, nlq: dict[str, Any] | None = None) -> dict[str, Any]:
    extra = {"nlq": nlq} if nlq is not None else {}
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        **extra,
    }


def stream(content: str, chunk_chars: int = 400) -> Iterator[bytes]:
    """``chat.completion.chunk`` events (role, content pieces, stop), then ``[DONE]``."""
    ident, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        event = {
            "id": ident,
            "object": "chat.completion.chunk",
            "created": created,
            "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return f"data: {json.dumps(event)}\n\n".encode()

    yield chunk({"role": "assistant", "content": ""})
    for start in range(0, len(content), chunk_chars):
        yield chunk({"content": content[start : start + chunk_chars]})
    yield chunk({}, "stop")
    yield b"data: [DONE]\n\n"
