"""Server-Sent Events framing (the WHATWG ``text/event-stream`` format), pure."""

from __future__ import annotations

HEARTBEAT = b": heartbeat\n\n"


def event(event_id: int | None, name: str, data: str) -> bytes:
    """One event. ``data`` is JSON (one line), so no ``data:`` splitting is needed."""
    if "\n" in data or "\r" in data:
        raise ValueError("SSE data must be a single line")
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {data}\n\n".encode()


def retry(milliseconds: int) -> bytes:
    """How long a browser waits before reconnecting on its own."""
    return f"retry: {milliseconds}\n\n".encode()


# A stream's planned end: the screen reconnects (with Last-Event-ID) after 250 ms
# instead of the usual 2 s, and shows no "offline" for it.
RECYCLE = b"retry: 250\n\nevent: recycle\ndata: {}\n\n"


def comment(text: str) -> bytes:
    return f": {text}\n\n".encode()
