"""The events ``ServerConnection`` (ctp01.py) returns to its adapter: lines to send, a
close, reads to store, and what happened, to log or record."""

from __future__ import annotations

from dataclasses import dataclass

from .ctp01_reads import Keyed


@dataclass(frozen=True, slots=True)
class Send:
    line: str  # without line ending


@dataclass(frozen=True, slots=True)
class Close:
    reason: str


@dataclass(frozen=True, slots=True)
class Store:
    item: Keyed


@dataclass(frozen=True, slots=True)
class LineRejected:
    reason: str
    preview: str
    keyed: bool = False  # True: the line was stored as a RejectedRead


@dataclass(frozen=True, slots=True)
class NeedStart:
    """Ask the store for the location's mark, then call ``start_location``."""

    location: str


@dataclass(frozen=True, slots=True)
class BufferRestarted:
    """Sequence 1 again, unasked, on a location well past it: the client's buffer for it
    started over (a controller restarted under a running client). Comes before the read."""

    location: str


@dataclass(frozen=True, slots=True)
class Handshaken:
    program: str
    version: str


@dataclass(frozen=True, slots=True)
class Authenticated:
    ok: bool
    user: str
    method: str


@dataclass(frozen=True, slots=True)
class EventInfo:
    name: str
    event_id: str
    description: str


@dataclass(frozen=True, slots=True)
class ConnectionId:
    value: str


@dataclass(frozen=True, slots=True)
class LocationsListed:
    """The client answered ``getlocations``. It answers in order, so a connection id
    asked for before it has arrived by now, or is not coming."""


@dataclass(frozen=True, slots=True)
class ClientError:
    command: str
    message: str


@dataclass(frozen=True, slots=True)
class GapDetected:
    location: str
    expected: int
    got: int
    gave_up: bool = False


Event = (
    Send
    | Close
    | Store
    | LineRejected
    | NeedStart
    | BufferRestarted
    | Handshaken
    | Authenticated
    | EventInfo
    | ConnectionId
    | LocationsListed
    | ClientError
    | GapDetected
)
