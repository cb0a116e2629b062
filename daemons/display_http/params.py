"""Validation of query parameters, pure: a bad value is a clear 400, never a traceback."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MAX_LOCATION = 100
_COLOUR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$")
_PREFIX = re.compile(r"^(/[A-Za-z0-9._~-]+)*$")


class BadParameter(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


def utf8_query(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The query string's parameters as text; one that is not UTF-8 is a bad parameter.

    The WSGI layer hands the bytes over as latin-1 text (PEP 3333); re-reading them as
    UTF-8 may fail, and that is the client's error, not ours (a 400 naming the parameter).
    """
    query: dict[str, str] = {}
    for raw_name, raw_value in items:
        name = _utf8(raw_name, "?")
        query[name] = _utf8(raw_value, name)
    return query


def _utf8(text: str, name: str) -> str:
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        shown = name if name.isprintable() and len(name) <= 40 else "?"
        raise BadParameter(shown, "is not valid UTF-8") from None


def integer(
    query: Mapping[str, str],
    name: str,
    default: int | None,
    minimum: int,
    maximum: int,
) -> int | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    raw = raw.strip()
    if not (raw.isascii() and raw.lstrip("-").isdigit()) or len(raw) > 19:
        raise BadParameter(name, f"must be a whole number, got {raw[:40]!r}")
    value = int(raw)
    if not minimum <= value <= maximum:
        raise BadParameter(name, f"must be between {minimum} and {maximum}, got {value}")
    return value


def location(query: Mapping[str, str], name: str = "location") -> str | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    if len(raw) > MAX_LOCATION or not raw.isprintable():
        raise BadParameter(
            name, f"must be a location name of 1-{MAX_LOCATION} printable characters"
        )
    return raw


def number(
    query: Mapping[str, str], name: str, default: float, minimum: float, maximum: float
) -> float:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise BadParameter(name, f"must be a number, got {raw[:40]!r}") from None
    if not minimum <= value <= maximum:  # also rejects NaN
        raise BadParameter(name, f"must be between {minimum:g} and {maximum:g}")
    return value


@dataclass(frozen=True)
class ReadFilter:
    """Which reads a client wants: one session and/or one location, or all."""

    session_id: int | None = None
    location: str | None = None

    def matches(self, session_id: int, location_name: str) -> bool:
        return (self.session_id is None or self.session_id == session_id) and (
            self.location is None or self.location == location_name
        )


MAX_ID = 2**63 - 1


def read_filter(query: Mapping[str, str]) -> ReadFilter:
    return ReadFilter(
        session_id=integer(query, "session_id", None, 1, 2**31 - 1),
        location=location(query),
    )


def last_event_id(header: str | None, query: Mapping[str, str]) -> int | None:
    """Where a reconnecting stream resumes: ``Last-Event-ID``, else ``?last_event_id=``.

    EventSource sends the header itself when it reconnects; a page that has to
    build a new EventSource (after a hard error) can only use the query.
    """
    if header is not None and header.strip():
        return integer({"Last-Event-ID": header}, "Last-Event-ID", None, 0, MAX_ID)
    return integer(query, "last_event_id", None, 0, MAX_ID)


def colour(query: Mapping[str, str], name: str, default: str) -> str:
    raw = query.get(name, "").strip()
    if not raw:
        return default
    if not _COLOUR.match(raw):
        raise BadParameter(name, "must be a CSS colour name or #rgb / #rrggbb")
    return raw


def url(query: Mapping[str, str], name: str) -> str | None:
    raw = query.get(name, "").strip()
    if not raw:
        return None
    if len(raw) > 2000 or not raw.isprintable() or not raw.startswith(("https://", "http://", "/")):
        raise BadParameter(name, "must be an http(s) URL or a path on this site")
    if raw.startswith("//"):
        raise BadParameter(name, "must be an http(s) URL or a path on this site")
    return raw


def text(query: Mapping[str, str], name: str, default: str, max_length: int = 120) -> str:
    raw = query.get(name)
    if raw is None:
        return default
    raw = raw.strip()
    if len(raw) > max_length or not raw.isprintable():
        raise BadParameter(name, f"must be at most {max_length} printable characters")
    return raw


def forwarded_prefix(header: str | None) -> str:
    """The path prefix a reverse proxy serves us under (``X-Forwarded-Prefix``), or ''."""
    if not header:
        return ""
    prefix = "/" + header.strip(" ").strip("/")
    if prefix == "/":
        return ""
    dot_segment = any(part in (".", "..") for part in prefix.split("/"))
    if not _PREFIX.match(prefix) or dot_segment or len(prefix) > 200:
        raise BadParameter("X-Forwarded-Prefix", "must be a plain path like /race-display")
    return prefix
