"""The server side of CTP01 (shared/ctp01.md), sans-I/O.

``ServerConnection`` takes bytes and clock readings in and returns events out
(lines to send, reads to store, things to log); it knows no sockets, threads or
databases, in the style of h11/h2. The Twisted adapter in ``server.py`` feeds
it and carries out the events.

The read lines are parsed in ``ctp01_reads`` and the events are defined in
``ctp01_events``; both are re-exported here, so ``ctp01.TagRead``,
``ctp01.parse_read_line`` or ``ctp01.Send`` keep working.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from . import auth
from .ctp01_events import (
    Authenticated,
    BufferRestarted,
    ClientError,
    Close,
    ConnectionId,
    Event,
    EventInfo,
    GapDetected,
    Handshaken,
    LineRejected,
    LocationsListed,
    NeedStart,
    Send,
    Store,
)
from .ctp01_reads import (  # noqa: F401 (re-exported: the parsed lines of the protocol core)
    MAX_LOCATION,
    BadLine,
    Keyed,
    NewLocation,
    RejectedRead,
    TagRead,
    parse_read_line,
    printable,
)

MAX_LINE = 1024
TIME_FORMATS = ("normal", "iso", "unix", "msecs")


class Phase(enum.Enum):
    GREETING = "greeting"
    AUTHORIZING = "authorizing"
    READY = "ready"
    CLOSED = "closed"


@dataclass(frozen=True)
class ServerSettings:
    name: str = "Project88Hub"
    version: str = "1.0"
    time_format: str = "iso"
    auth_method: str = "none"
    credentials: Mapping[str, str] = field(default_factory=dict)
    ping_interval: float = 12.0
    idle_timeout: float = 30.0
    max_line: int = MAX_LINE
    max_bad_lines: int = 1000  # consecutive unusable lines before we hang up
    gap_retry: float = 5.0  # re-ask for a missing number after this long
    gap_attempts: int = 3
    handshake_timeout: float = 5.0  # greeting to login; a real client needs about 1 s
    # Before a login, a client is a stranger: it may announce a few locations while it
    # waits for its answer, and no more (each would otherwise be kept and logged).
    max_lines_before_login: int = 100  # settings acks, announcements, early reads
    max_locations_before_login: int = 8

    def __post_init__(self) -> None:
        if self.time_format not in TIME_FORMATS:
            raise ValueError(f"time format must be one of {', '.join(TIME_FORMATS)}")
        if self.auth_method not in auth.METHODS:
            raise ValueError(f"authentication must be one of {', '.join(auth.METHODS)}")


@dataclass
class _Gap:
    first_missing: int
    asked_at: float
    attempts: int


class ServerConnection:
    """One client connection, from greeting to close."""

    def __init__(self, settings: ServerSettings, now: float, seed: str | None = None) -> None:
        self.settings = settings
        self.phase = Phase.GREETING
        self.seed = seed or auth.new_seed()
        self.client_program = ""
        self.client_version = ""
        self.user: str | None = None
        self.locations: list[str] = []  # in order of first sight
        self.lines_received = 0
        self.reads_received = 0
        self.rejected_lines = 0
        self._buffer = bytearray()
        self._discarding = False  # inside an oversized line, dropping until its end
        self._bad_in_a_row = 0
        self._lines_before_login = 0
        self._connected_at = now
        self._last_heard = now
        self._last_ping = now
        self._needs_start: set[str] = set()  # asked the adapter for a mark, no answer yet
        self._expected: dict[str, int] = {}  # started locations -> next sequence we expect
        self._highest: dict[str, int] = {}  # highest sequence seen per location
        self._gaps: dict[str, _Gap] = {}

    # -- input -----------------------------------------------------------------------------
    def receive_data(self, data: bytes, now: float) -> list[Event]:
        if self.phase is Phase.CLOSED:
            return []
        self._last_heard = now
        events: list[Event] = []
        limit = self.settings.max_line
        if self._buffer:
            self._buffer += data
            data = bytes(self._buffer)
            self._buffer.clear()
        lines = data.split(b"\n")
        tail = lines.pop()  # after the last newline: an incomplete line, maybe empty
        for raw in lines:
            if self.phase is Phase.CLOSED:
                return events
            if self._discarding:  # the end of an oversized line, already reported
                self._discarding = False
                continue
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            if len(raw) > limit:
                self._reject(events, f"line longer than {limit} bytes", raw[:60])
                continue
            self._line(raw, now, events)
        if len(tail) > limit:
            if not self._discarding and self.phase is not Phase.CLOSED:
                self._reject(events, f"line longer than {limit} bytes", tail[:60])
            self._discarding = True  # drop the rest of it as it arrives
        elif not self._discarding:
            self._buffer += tail
        return events

    def _reject(self, events: list[Event], reason: str, raw: bytes | str) -> None:
        text = raw if isinstance(raw, str) else raw.decode("utf-8", "backslashreplace")
        self.rejected_lines += 1
        self._bad_in_a_row += 1
        events.append(LineRejected(reason, printable(text)[:120]))
        if self._bad_in_a_row >= self.settings.max_bad_lines:
            self._close(events, "err~protocol~too many invalid lines", "too many invalid lines")

    def _line(self, raw: bytes, now: float, events: list[Event]) -> None:
        self.lines_received += 1
        if not raw.strip():
            return  # blank keep-alive lines are harmless
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            self._unreadable(events, "line is not valid UTF-8", raw)
            return
        if "\0" in line:
            self._unreadable(events, "line contains NUL bytes", raw)
            return
        if self.phase is not Phase.READY:
            self._lines_before_login += 1
            if self._lines_before_login > self.settings.max_lines_before_login:
                self._close(events, "err~protocol~too many lines before authorization",
                            "too many lines before authorization")  # fmt: skip
                return
        if self.phase is Phase.GREETING:
            self._greeting(line, events)
        elif line[:8].upper() in ("CT01_33~", "CT01_13,", "CT01_13~"):
            self._read_line(line, now, events)
        else:
            self._command(line, now, events)

    def _unreadable(self, events: list[Event], reason: str, raw: bytes) -> None:
        # An authorize line that cannot be read is a failed login, answered as one: a
        # client left without an answer waits and retries (SimpleClient: 5 s, forever).
        if self.phase is Phase.AUTHORIZING and raw.split(b"~", 1)[0].lower() == b"authorize":
            user = raw.split(b"~")[1] if raw.count(b"~") >= 1 else b""
            self._login_failed(events, printable(user.decode("utf-8", "backslashreplace")))
            return
        self._reject(events, reason, raw)

    # -- handshake -------------------------------------------------------------------------
    def _greeting(self, line: str, events: list[Event]) -> None:
        fields = line.split("~")
        if len(fields) != 3 or fields[2].strip().upper() != "CTP01":
            self._close(events, "err~greeting~expected <program>~<version>~CTP01",
                        f"bad greeting {printable(line)[:60]!r}")  # fmt: skip
            return
        # Escaped like the user name: both reach logs and connection_log as given.
        self.client_program = printable(fields[0])[:64]
        self.client_version = printable(fields[1])[:32]
        settings = self._settings_lines()
        events.append(Send(f"{self.settings.name}~{self.settings.version}~{len(settings)}"))
        events.extend(Send(s) for s in settings)
        events.append(Handshaken(self.client_program, self.client_version))
        if self.settings.auth_method == "none":
            self._become_ready(events)
        else:
            self.phase = Phase.AUTHORIZING

    def _settings_lines(self) -> list[str]:
        lines = [
            "stream-mode=push",
            "pushmode-ack=true",
            "location=multi",
            f"time-format={self.settings.time_format}",
            "guntimes=true",
            "newlocations=true",
        ]
        if self.settings.auth_method != "none":
            lines.append(f"authentication={self.settings.auth_method}")
            lines.append(f"authentication-seed={self.seed}")
        return lines

    def _become_ready(self, events: list[Event]) -> None:
        self.phase = Phase.READY
        # The connection id first: it tells whose buffer a location is (streams.py), and
        # the answer to getlocations, which comes after it, says when to stop waiting.
        events.append(Send("getconnectionid"))
        events.append(Send("geteventinfo"))
        events.append(Send("getlocations"))
        for location in self.locations:  # announced while we were authorising
            self._want_start(location, events)

    # -- commands and replies --------------------------------------------------------------
    def _command(self, line: str, now: float, events: list[Event]) -> None:
        fields = line.split("~")
        verb = fields[0].lower()
        if verb == "authorize":
            self._authorize(fields, events)
        elif verb == "ping":
            events.append(Send("ack~ping"))
            self._bad_in_a_row = 0
        elif verb == "ack" and len(fields) >= 2:
            self._bad_in_a_row = 0
            self._ack(fields[1].lower(), fields[2:], events)
        elif verb == "err" and len(fields) >= 2:
            self._bad_in_a_row = 0
            events.append(ClientError(fields[1].lower(), "~".join(fields[2:])))
        else:
            self._reject(events, "unknown command", line)

    def _authorize(self, fields: list[str], events: list[Event]) -> None:
        if self.phase is not Phase.AUTHORIZING:
            if self.settings.auth_method == "none":
                events.append(Send("ack~authorize"))  # nothing to prove; be polite
            return
        method = self.settings.auth_method
        user = fields[1] if len(fields) == 3 else ""
        ok = len(fields) == 3 and auth.check(
            self.settings.credentials, method, self.seed, fields[1], fields[2]
        )
        if not ok:
            self._login_failed(events, printable(user))
            return
        events.append(Authenticated(True, printable(user)[:64], method))
        self.user = user
        events.append(Send("ack~authorize"))
        self._become_ready(events)

    def _login_failed(self, events: list[Event], user: str) -> None:
        events.append(Authenticated(False, user[:64], self.settings.auth_method))
        self._close(events, "err~authorize~authorization failed", "authorization failed")

    def _ack(self, what: str, args: list[str], events: list[Event]) -> None:
        if what == "getlocations":
            for location in args:
                if location and len(location) <= MAX_LOCATION and location.isprintable():
                    self._location_seen(location, events)
            events.append(LocationsListed())
        elif what == "geteventinfo":
            name = args[0] if args else ""
            event_id = args[1] if len(args) > 1 else ""
            description = "~".join(args[2:])
            events.append(EventInfo(printable(name)[:255], printable(event_id)[:64],
                                    printable(description)[:255]))  # fmt: skip
        elif what == "getconnectionid" and args:
            events.append(ConnectionId(printable(args[0])[:64]))
        # ack~ping, ack~start: liveness only.

    # -- reads -----------------------------------------------------------------------------
    def _read_line(self, line: str, now: float, events: list[Event]) -> None:
        parsed = parse_read_line(line)
        if isinstance(parsed, BadLine):
            self._reject(events, parsed.reason, line)
            return
        self._bad_in_a_row = 0
        if isinstance(parsed, NewLocation):
            self._location_seen(parsed.location, events)
            return
        if self.phase is not Phase.READY:
            self._reject(events, "read before authorization", line)
            return
        self._location_seen(parsed.location, events)
        expected = self._expected.get(parsed.location)
        if parsed.seq == 1 and expected is not None and expected > 2:
            events.append(BufferRestarted(parsed.location))
            self._expected[parsed.location] = 1  # follow the new buffer from its start
            self._gaps.pop(parsed.location, None)
        if isinstance(parsed, RejectedRead):
            self.rejected_lines += 1
            events.append(LineRejected(parsed.reason, parsed.raw[:120], keyed=True))
        else:
            self.reads_received += 1
        events.append(Store(parsed))
        self._track(parsed.location, parsed.seq, now, events)

    def _location_seen(self, location: str, events: list[Event]) -> None:
        if location not in self.locations:
            if (
                self.phase is not Phase.READY
                and len(self.locations) >= self.settings.max_locations_before_login
            ):
                self._close(events, "err~protocol~too many locations before authorization",
                            "too many locations before authorization")  # fmt: skip
                return
            self.locations.append(location)
        if self.phase is Phase.READY:
            self._want_start(location, events)

    def _want_start(self, location: str, events: list[Event]) -> None:
        if location in self._expected or location in self._needs_start:
            return
        self._needs_start.add(location)
        events.append(NeedStart(location))

    def start_location(self, location: str, from_seq: int) -> list[Event]:
        """The adapter's answer to ``NeedStart``: resend from ``from_seq`` inclusive."""
        if self.phase is not Phase.READY:
            return []
        self._needs_start.discard(location)
        self._expected[location] = from_seq
        return [Send(f"start~{location}~{from_seq}")]

    def _track(self, location: str, seq: int, now: float, events: list[Event]) -> None:
        if seq > self._highest.get(location, 0):
            self._highest[location] = seq
        expected = self._expected.get(location)
        if expected is None:
            return  # not started yet: the mark decides where the client resumes
        if seq == expected:
            self._expected[location] = seq + 1
            self._gaps.pop(location, None)
        elif seq > expected and location not in self._gaps:
            self._gaps[location] = _Gap(expected, now, 1)
            events.append(GapDetected(location, expected, seq))
            events.append(Send(f"start~{location}~{expected}"))
        # seq < expected: a resend of something we already have; the store drops it.

    # -- time ------------------------------------------------------------------------------
    def tick(self, now: float) -> list[Event]:
        """Timers: handshake and idle timeouts, our keep-alive ping, gap re-requests."""
        events: list[Event] = []
        if self.phase is Phase.CLOSED:
            return events
        handshake_age = now - self._connected_at
        if self.phase is not Phase.READY and handshake_age > self.settings.handshake_timeout:
            self._close(events, "err~protocol~handshake timeout", "handshake timeout")
            return events
        if now - self._last_heard > self.settings.idle_timeout:
            self._close(events, "", f"idle for {self.settings.idle_timeout:g} s")
            return events
        if self.phase is Phase.READY and now - self._last_ping >= self.settings.ping_interval:
            self._last_ping = now
            events.append(Send("ping"))
        for location, gap in list(self._gaps.items()):
            if now - gap.asked_at < self.settings.gap_retry:
                continue
            if gap.attempts >= self.settings.gap_attempts:
                # The client does not have it. Stop asking on this connection; the
                # stored mark still points at the hole, so nothing is forgotten.
                del self._gaps[location]
                self._expected[location] = self._highest.get(location, 0) + 1
                events.append(GapDetected(location, gap.first_missing, gap.first_missing, True))
                continue
            gap.attempts += 1
            gap.asked_at = now
            events.append(Send(f"start~{location}~{gap.first_missing}"))
        return events

    def _close(self, events: list[Event], goodbye: str, reason: str) -> None:
        if goodbye:
            events.append(Send(goodbye))
        events.append(Close(reason))
        self.phase = Phase.CLOSED

    def connection_lost(self) -> None:
        self.phase = Phase.CLOSED
