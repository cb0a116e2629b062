"""A CTP01 client that behaves like ChronoTrack SimpleClient 0.6.0 (shared/ctp01.md).

``project88 simulate`` uses it to feed the listener a deterministic race: it
greets, validates the server's settings, authenticates, announces its
locations, answers commands and pushes tag reads from a per-location buffer
whose reads are *released* over time at a configurable rate (a real controller
only has the reads of athletes who already crossed the mat). It reconnects on
a dropped connection and re-sends whatever the server asks for again with
``start~<loc>~<n>``, so it exercises the listener's never-lose path (§4).

Where ctp01.md is silent the behaviour follows SimpleClient: commands are
lower-cased before being interpreted, unknown commands are ignored, a plain
``start`` replays every stopped location from sequence 1, and settings are not
acknowledged.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import enum
import logging
import random
import secrets
import signal
import string
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from time import monotonic

from daemons.ct_listener.auth import METHODS, client_secret

log = logging.getLogger(__name__)

PROTOCOL = "CTP01"
LINE_FORMATS = {"CT01_33": "~", "CT01_13": ","}  # tagevent-format -> field separator
TIME_FORMATS = ("normal", "iso", "unix", "msecs")
GUN_TAG = "GUNTIME"
GATORS = (1, 2, 4, 8)

# Values the client accepts per setting key (ctp01.md §1.3); any other value for
# one of these keys makes SimpleClient drop the connection. Unknown keys are ignored.
SETTING_VALUES: dict[str, tuple[str, ...]] = {
    "stream-mode": ("push",),
    "pushmode-ack": ("true",),
    "location": ("single", "multi"),
    "time-format": TIME_FORMATS,
    "guntimes": ("true", "false"),
    "newlocations": ("true", "false"),
    "connection-id": ("true", "false"),
    "authentication": METHODS,
    "tagevent-format": tuple(LINE_FORMATS),
}

HANDSHAKE_TIMEOUT = 5.0  # SimpleClient waits about this long for header + settings
CONNECT_TIMEOUT = 5.0
MAX_BATCH = 4096  # lines per write: large enough for >10k reads/s, small enough to stay responsive
MIN_TICK = 0.005  # never poll faster than this for newly released reads
MAX_TICK = 1.0
READ_LIMIT = 64 * 1024

# Race model: athletes cross the start mat within a few minutes of the gun and
# need 2-5 h for the whole course, so a default 08:00 gun never crosses midnight.
MAX_START_DELAY = 240.0
MIN_DURATION = 2 * 3600.0
MAX_DURATION = 5 * 3600.0
# With --forever every lap begins after the slowest athlete finished the
# previous one, so times keep increasing within each location.
LAP_PERIOD = MAX_START_DELAY + MAX_DURATION

_WALL_EPOCH = datetime(1970, 1, 1)  # naive: the wall clock's zero
_MICROSECOND = timedelta(microseconds=1)
_GARBAGE_ALPHABET = string.ascii_letters + string.digits + " !#$%&()*+-./:;<=>?@[]^_{|}"
OVERSIZED_LENGTH = 2048


# --------------------------------------------------------------------------- config


@dataclass
class SimConfig:
    host: str = "127.0.0.1"
    port: int = 61611
    locations: tuple[str, ...] = ("start", "finish")
    athletes: int = 100  # bibs first_bib .. first_bib+athletes-1
    first_bib: int = 1
    rate: float = 10.0  # reads/s released over all this client's locations; 0 = all at once
    event_name: str = "Simulated Race"
    event_date: date | None = None  # None = today
    start_clock: time = time(8, 0)  # local gun time
    program: str = "SimpleClient"
    version: str = "0.6.0"
    user: str | None = None
    password: str | None = None
    line_format: str = "CT01_33"  # or "CT01_13"; a server's tagevent-format setting wins
    time_format: str | None = None  # force a format, ignoring the server's time-format
    guntimes: bool = True  # seq 1 of every location is a GUNTIME read
    malformed_every: int = 0  # after every K reads also send one malformed (un-keyed) line
    reconnect: bool = True
    reconnect_delay: float = 0.5  # the first retry's wait; doubled per fruitless attempt
    reconnect_max_delay: float = 10.0  # ... up to this, with jitter
    linger: float = 2.0  # stay connected this long after everything was sent, then exit
    close_timeout: float = 5.0  # after half-closing, wait this long for the server to close
    max_runtime: float | None = None  # hard stop, seconds
    seed: int = 1  # determinism
    reader_id: str = "117F37"
    forever: bool = False  # keep appending laps after the buffer is exhausted (needs rate > 0)
    # The whole course in order, when ``locations`` is only this client's share of
    # it (several clients): an athlete's time at a location depends on where the
    # location lies on the course. None = ``locations``.
    course: tuple[str, ...] | None = None


def _course(cfg: SimConfig) -> tuple[str, ...]:
    return cfg.course if cfg.course is not None else cfg.locations


def _event_date(cfg: SimConfig) -> date:
    return cfg.event_date if cfg.event_date is not None else date.today()


def _validate(cfg: SimConfig) -> None:
    """Reject configurations that would produce an unusable or ambiguous feed."""
    if not cfg.locations:
        raise ValueError("at least one location is needed")
    lowered = [loc.lower() for loc in cfg.locations]
    # The client lower-cases commands, so names differing only in case collide.
    if len(set(lowered)) != len(lowered):
        raise ValueError(f"duplicate location names: {', '.join(cfg.locations)}")
    for loc in cfg.locations:
        if not loc or any(ch in loc for ch in "~,\r\n\0"):
            raise ValueError(f"invalid location name {loc!r}")
        if loc not in _course(cfg):
            raise ValueError(f"location {loc!r} is not on the course")
    if cfg.line_format not in LINE_FORMATS:
        raise ValueError(f"line format must be one of {', '.join(LINE_FORMATS)}")
    if cfg.time_format is not None and cfg.time_format not in SETTING_VALUES["time-format"]:
        raise ValueError(f"time format must be one of {', '.join(SETTING_VALUES['time-format'])}")
    if cfg.athletes < 0 or cfg.rate < 0 or cfg.malformed_every < 0:
        raise ValueError("athletes, rate and malformed_every must not be negative")
    if cfg.forever and cfg.rate <= 0:
        raise ValueError("forever needs a rate > 0 (it would otherwise generate without end)")


# --------------------------------------------------------------------------- reads


def _hundredths(micros: int) -> int:
    return micros // 10_000


def _wall_micros(when: datetime, since: datetime) -> int:
    # Integer arithmetic keeps the 2 decimals exact.
    return (when - since) // _MICROSECOND


def render_time(when: datetime, time_format: str) -> str:
    """A read time as CTP01 puts it on the wire (hundredths, never microseconds)."""
    # datetime's C formatter, cut to hundredths (a floor, like _hundredths): the
    # load generator must stay cheap, or benchmarks measure it instead of the server.
    if time_format == "normal":
        return when.isoformat(timespec="microseconds")[11:22]
    if time_format == "iso":
        return when.isoformat(timespec="microseconds")[:22]
    # As SimpleClient 0.6.0 does (ctp01.md §3): ``unix`` is the local wall clock
    # counted as if it were UTC, ``msecs`` the milliseconds since local midnight;
    # neither depends on the machine's time zone.
    if time_format == "unix":
        centis = _hundredths(_wall_micros(when, _WALL_EPOCH))
        return f"{centis // 100}.{centis % 100:02d}"
    if time_format == "msecs":
        midnight = datetime.combine(when.date(), time())
        return str(_wall_micros(when, midnight) // 1000)
    raise ValueError(f"unknown time format {time_format!r}")


@dataclass(frozen=True, slots=True)
class SimRead:
    location: str
    seq: int
    tag: str
    when: datetime  # local naive wall clock
    lap: int
    reader_id: str
    gator: int

    def line(self, time_format: str, line_format: str) -> str:
        """The tag line without CRLF."""
        return LINE_FORMATS[line_format].join(
            (
                line_format,
                str(self.seq),
                self.location,
                self.tag,
                render_time(self.when, time_format),
                str(self.lap),
                self.reader_id,
                str(self.gator),
            )
        )


@dataclass(frozen=True, slots=True)
class _Athlete:
    bib: int
    start_delay: float  # seconds after the gun the athlete crosses the start mat
    duration: float  # seconds from the start mat to the finish
    gators: dict[str, int]  # mat port per course location


def _athletes(cfg: SimConfig) -> list[_Athlete]:
    course = _course(cfg)
    athletes = []
    for bib in range(cfg.first_bib, cfg.first_bib + cfg.athletes):
        # One generator per (seed, bib), drawing in course order: clients that
        # share the course but own different locations agree on every athlete.
        rng = random.Random((cfg.seed << 32) ^ bib)
        start_delay = rng.uniform(0.0, MAX_START_DELAY)
        duration = rng.uniform(MIN_DURATION, MAX_DURATION)
        gators = {loc: rng.choice(GATORS) for loc in course}
        athletes.append(_Athlete(bib, start_delay, duration, gators))
    return athletes


def _course_fraction(course: tuple[str, ...], location: str) -> float:
    """How far along the course a location is: 0 = start mat, 1 = finish."""
    if len(course) == 1:
        return 0.0 if location.lower().startswith("start") else 1.0
    return course.index(location) / (len(course) - 1)


def _at_hundredths(seconds: float) -> timedelta:
    return timedelta(milliseconds=10 * round(seconds * 100))


def _lap_reads(
    cfg: SimConfig, athletes: list[_Athlete], lap: int, next_seq: dict[str, int]
) -> dict[str, list[SimRead]]:
    """Every athlete crossing every location once in ``lap``, numbered from ``next_seq``."""
    gun = datetime.combine(_event_date(cfg), cfg.start_clock)
    lap_start = gun + timedelta(seconds=(lap - 1) * LAP_PERIOD)
    course = _course(cfg)
    out: dict[str, list[SimRead]] = {}
    for loc in cfg.locations:
        seq = next_seq[loc]
        reads: list[SimRead] = []
        if lap == 1 and cfg.guntimes:
            reads.append(SimRead(loc, seq, GUN_TAG, gun, 0, cfg.reader_id, 0))
            seq += 1
        fraction = _course_fraction(course, loc)
        crossings = sorted(
            (
                lap_start + _at_hundredths(a.start_delay + fraction * a.duration),
                a.bib,
                a.gators[loc],
            )
            for a in athletes
        )
        for when, bib, gator in crossings:
            reads.append(SimRead(loc, seq, str(bib), when, lap, cfg.reader_id, gator))
            seq += 1
        out[loc] = reads
    return out


def build_buffer(cfg: SimConfig) -> dict[str, list[SimRead]]:
    """The client's whole (first-lap) buffer: per location, seq 1..n without gaps."""
    _validate(cfg)
    return _lap_reads(cfg, _athletes(cfg), 1, dict.fromkeys(cfg.locations, 1))


def expected_reads(cfg: SimConfig) -> int:
    """Keyed reads in :func:`build_buffer`, gun times included."""
    per_location = cfg.athletes + (1 if cfg.guntimes else 0)
    return per_location * len(cfg.locations)


class _Feed:
    """The buffers plus the order in which their reads become available.

    Reads are released in race order (by time over all locations), so a
    location's released reads are always a prefix of its buffer.
    """

    def __init__(self, cfg: SimConfig) -> None:
        self.cfg = cfg
        self._athletes = _athletes(cfg)
        self.buffers: list[list[SimRead]] = [[] for _ in cfg.locations]
        self._order: list[int] = []  # location index of each read, in release order
        self.released = [0] * len(cfg.locations)
        self.released_total = 0
        self.laps = 0
        self._append_lap()

    def _append_lap(self) -> None:
        self.laps += 1
        next_seq = {
            loc: len(buf) + 1 for loc, buf in zip(self.cfg.locations, self.buffers, strict=True)
        }
        lap = _lap_reads(self.cfg, self._athletes, self.laps, next_seq)
        block: list[tuple[datetime, int, int]] = []
        for index, loc in enumerate(self.cfg.locations):
            reads = lap[loc]
            self.buffers[index].extend(reads)
            block.extend((r.when, index, r.seq) for r in reads)
        block.sort()
        self._order.extend(index for _, index, _ in block)

    def release(self, target: int) -> None:
        """Make the first ``target`` reads (in race order) available."""
        while self.cfg.forever and target > len(self._order) and self._athletes:
            self._append_lap()
        target = min(target, len(self._order))
        for i in range(self.released_total, target):
            self.released[self._order[i]] += 1
        self.released_total = max(self.released_total, target)

    @property
    def total(self) -> int:
        return len(self._order)

    @property
    def all_released(self) -> bool:
        return not self.cfg.forever and self.released_total >= len(self._order)


# --------------------------------------------------------------------------- client


@dataclass
class SimStats:
    connections: int = 0
    reads_sent: int = 0  # read lines written, re-sends included
    resent: int = 0  # of those, reads that had been sent before (pointer moved back)
    malformed_sent: int = 0
    starts_received: list[str] = field(default_factory=list)
    refused: str | None = None
    busy: int = 0  # connections turned away with err~connect (full), then retried


class _Refused(Exception):
    """The server refused us, or offered settings SimpleClient cannot accept."""


class _Busy(_Refused):
    """``err~connect``: the listener is full for now; SimpleClient comes back later."""


class _Outcome(enum.Enum):
    FINISHED = "finished"
    LOST = "lost"
    REFUSED = "refused"


@dataclass
class _Negotiated:
    push: bool = False
    pushmode_ack: bool = False
    time_format: str = "normal"
    line_format: str = "CT01_33"
    newlocations: bool = False
    authentication: str = "none"
    seed: str | None = None


def negotiate(settings: dict[str, str], line_format: str) -> _Negotiated:
    """Check the server's settings the way SimpleClient does; raise _Refused if invalid."""
    for key, value in settings.items():
        allowed = SETTING_VALUES.get(key)
        if allowed is not None and value not in allowed:
            raise _Refused(f"invalid setting {key}={value}")
    return _Negotiated(
        # Without stream-mode=push SimpleClient stays in pull mode and never pushes.
        push=settings.get("stream-mode") == "push",
        pushmode_ack=settings.get("pushmode-ack") == "true",
        time_format=settings.get("time-format", "normal"),
        line_format=settings.get("tagevent-format", line_format),
        newlocations=settings.get("newlocations") == "true",
        authentication=settings.get("authentication", "none"),
        seed=settings.get("authentication-seed"),
    )


@dataclass
class _Connection:
    writer: asyncio.StreamWriter
    negotiated: _Negotiated
    running: list[bool]
    connection_id: str
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def send(self, line: str) -> None:
        self.writer.write(line.encode() + b"\r\n")


async def _read_line(reader: asyncio.StreamReader) -> str | None:
    """The next line without its line ending; None when the peer closed."""
    try:
        raw = await reader.readline()
    except ValueError as exc:  # a line over READ_LIMIT: treat like a broken connection
        raise ConnectionError(f"oversized line from server: {exc}") from None
    if not raw:
        return None
    return raw.decode("utf-8", errors="replace").rstrip("\r\n")


async def _require_line(reader: asyncio.StreamReader) -> str:
    line = await _read_line(reader)
    if line is None:
        raise ConnectionError("server closed the connection during the handshake")
    return line


async def _close_gracefully(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, timeout: float
) -> None:
    """Half-close, then read until the server closes: every line we sent is then read.

    Closing with unread input (a ping we did not read) makes the kernel send a
    reset, and a reset discards what the server has not read yet.
    """
    with contextlib.suppress(Exception):
        writer.write_eof()
        async with asyncio.timeout(timeout):
            while await reader.read(65536):
                pass


class SimulatedClient:
    """One SimpleClient look-alike owning ``cfg.locations``."""

    def __init__(
        self, cfg: SimConfig, on_read_sent: Callable[[str, int, float], None] | None = None
    ) -> None:
        _validate(cfg)
        self.cfg = cfg
        self.stats = SimStats()
        self._on_read_sent = on_read_sent
        self._feed = _Feed(cfg)
        self._index = {loc.lower(): i for i, loc in enumerate(cfg.locations)}
        # Persist across connections: the buffer and where each location stands in it.
        self._pointer = [1] * len(cfg.locations)
        # Like SimpleClient's: the same across reconnects, new when the program restarts.
        self.connection_id = secrets.token_hex(20)
        self._ever_sent = [bytearray() for _ in cfg.locations]  # 1 at [seq-1]: went out before
        self._idle_since: float | None = None
        self._rng = random.Random(cfg.seed)  # garbage for malformed lines
        self._t0 = 0.0
        self._stop_requested = False
        self._stop_event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # ----------------------------------------------------------------- lifecycle

    async def run(self) -> SimStats:
        """Connect, converse, reconnect on drops; return when done, stopped or out of time."""
        self._loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        if self._stop_requested:
            return self.stats
        self._t0 = monotonic()
        main = asyncio.create_task(self._connection_loop())
        stopper = asyncio.create_task(self._stop_event.wait())
        try:
            await asyncio.wait(
                {main, stopper}, timeout=self.cfg.max_runtime, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            main.cancel()
            stopper.cancel()
            outcome, _ = await asyncio.gather(main, stopper, return_exceptions=True)
        if isinstance(outcome, Exception):
            raise outcome
        return self.stats

    def stop(self) -> None:
        """Ask run() to finish soon; safe to call from another thread."""
        self._stop_requested = True
        event, loop = self._stop_event, self._loop
        if event is None or loop is None:
            return
        try:
            current = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        if current is loop:
            event.set()
        else:
            with contextlib.suppress(RuntimeError):  # loop already closed
                loop.call_soon_threadsafe(event.set)

    async def _connection_loop(self) -> None:
        fruitless = 0  # attempts in a row that sent no read: refused, full, or down
        jitter = random.Random()  # not the feed's seeded generator: the reads stay the same
        while True:
            sent_before = self.stats.reads_sent
            streams = await self._connect()
            if streams is not None:
                self.stats.connections += 1
                outcome = await self._converse(*streams)
                log.info("connection %d ended: %s", self.stats.connections, outcome.value)
                if outcome is not _Outcome.LOST:
                    return
            if not self.cfg.reconnect or self._linger_expired(monotonic()):
                return
            fruitless = 0 if self.stats.reads_sent > sent_before else fruitless + 1
            await asyncio.sleep(self._backoff(fruitless, jitter))

    def _backoff(self, fruitless: int, jitter: random.Random) -> float:
        """Wait longer after each attempt that got nowhere, so a crowd of clients does not
        hammer a listener that is refusing them; a little jitter spreads their retries."""
        cfg = self.cfg
        if fruitless == 0:
            return cfg.reconnect_delay
        delay = min(cfg.reconnect_max_delay, cfg.reconnect_delay * 2 ** min(fruitless - 1, 16))
        return jitter.uniform(delay / 2, delay)

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        cfg = self.cfg
        try:
            return await asyncio.wait_for(
                asyncio.open_connection(cfg.host, cfg.port, limit=READ_LIMIT), CONNECT_TIMEOUT
            )
        except (OSError, TimeoutError) as exc:
            log.info("cannot connect to %s:%d: %s", cfg.host, cfg.port, exc)
            return None

    # ----------------------------------------------------------------- conversation

    async def _converse(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> _Outcome:
        tasks: list[asyncio.Task[bool]] = []
        finished = False
        try:
            writer.write(f"{self.cfg.program}~{self.cfg.version}~{PROTOCOL}\r\n".encode())
            await writer.drain()
            try:
                async with asyncio.timeout(HANDSHAKE_TIMEOUT):
                    conn = await self._handshake(reader, writer)
            except _Busy as exc:
                self.stats.busy += 1
                log.info("%s; will retry", exc)
                return _Outcome.LOST
            except _Refused as exc:
                self.stats.refused = str(exc)
                log.warning("refused: %s", exc)
                return _Outcome.REFUSED
            self._announce_locations(conn)
            await writer.drain()
            tasks = [
                asyncio.create_task(self._serve_commands(reader, conn)),
                asyncio.create_task(self._push(conn)),
            ]
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # re-raises a connection error (handled below) or a bug
            finished = tasks[1] in done
            return _Outcome.FINISHED if finished else _Outcome.LOST
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            log.info("connection lost: %s", exc or type(exc).__name__)
            return _Outcome.LOST
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if finished:
                await _close_gracefully(reader, writer, self.cfg.close_timeout)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _handshake(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> _Connection:
        header = await _require_line(reader)
        while not header.strip():
            header = await _require_line(reader)
        if header.lower().startswith("err~connect"):
            raise _Busy(f"server busy: {header}")
        if header.lower().startswith("err~"):
            raise _Refused(f"server refused: {header}")
        fields = header.split("~")
        count = fields[2].strip() if len(fields) == 3 else ""
        if not (count.isascii() and count.isdigit()):
            raise _Refused(f"invalid server header {header!r}")
        settings: dict[str, str] = {}
        for _ in range(int(count)):
            key, sep, value = (await _require_line(reader)).partition("=")
            if sep:
                settings[key.strip().lower()] = value.strip()
        negotiated = negotiate(settings, self.cfg.line_format)
        conn = _Connection(writer, negotiated, [False] * len(self.cfg.locations),
                           self.connection_id)  # fmt: skip
        if negotiated.authentication != "none":
            await self._authorize(reader, conn)
        return conn

    async def _authorize(self, reader: asyncio.StreamReader, conn: _Connection) -> None:
        method, seed = conn.negotiated.authentication, conn.negotiated.seed
        user, password = self.cfg.user, self.cfg.password
        if user is None or password is None:
            raise _Refused(f"server requires {method} authentication; no credentials configured")
        if seed is None and method != "plaintext":
            raise _Refused(f"server requires {method} authentication but sent no seed")
        conn.send(f"authorize~{user}~{client_secret(method, password, seed or '')}")
        await conn.writer.drain()
        while True:
            line = await _require_line(reader)
            lowered = line.strip().lower()
            if lowered.startswith("ack~authorize"):
                return
            if lowered.startswith("err~authorize"):
                raise _Refused(f"authorization failed: {line}")
            self._handle_command(line, conn)

    def _announce_locations(self, conn: _Connection) -> None:
        if not conn.negotiated.newlocations:
            return
        fmt = conn.negotiated.line_format
        sep = LINE_FORMATS[fmt]
        for loc in self.cfg.locations:
            conn.send(sep.join((fmt, "0", loc, "newlocation", "00:00:00.00", "0", "0", "0")))

    async def _serve_commands(self, reader: asyncio.StreamReader, conn: _Connection) -> bool:
        while True:
            line = await _read_line(reader)
            if line is None:
                return False
            self._handle_command(line, conn)
            await conn.writer.drain()

    def _handle_command(self, line: str, conn: _Connection) -> None:
        parts = [part.strip() for part in line.strip().lower().split("~")]
        command = parts[0]
        if command == "ping":
            conn.send("ack~ping")
        elif command == "getlocations":
            conn.send("~".join(("ack~getlocations", *self.cfg.locations)))
        elif command == "geteventinfo":
            name = self.cfg.event_name
            conn.send(f"ack~geteventinfo~{name}~0~{name}")
        elif command == "getconnectionid":
            conn.send(f"ack~getconnectionid~{conn.connection_id}")
        elif command == "start":
            self.stats.starts_received.append(line.strip())
            self._start(parts[1:], conn)
            conn.wake.set()
        elif command == "stop":
            self._stop_locations(parts[1:], conn)
        # ack~... from the server and anything unknown: ignored, as SimpleClient does.

    def _start(self, args: list[str], conn: _Connection) -> None:
        if not args:
            if conn.negotiated.pushmode_ack:
                conn.send("ack~start")
            for index in range(len(self._pointer)):
                self._start_stopped(index, conn)
            return
        index = self._index.get(args[0])
        if index is None:
            conn.send("err~start~invalid location requested")
            return
        if len(args) == 1:
            self._start_stopped(index, conn)
            return
        text = args[1]
        if not (text.isascii() and text.isdigit()):
            conn.send("err~start~invalid start sequence number requested")
            return
        seq = int(text)
        if not 1 <= seq <= self._feed.released[index] + 1:
            conn.send("err~start~invalid start sequence number requested")
            return
        self._pointer[index] = seq
        conn.running[index] = True

    def _start_stopped(self, index: int, conn: _Connection) -> None:
        # A stopped location replays its buffer from the beginning; a running one goes on.
        if not conn.running[index]:
            self._pointer[index] = 1
            conn.running[index] = True

    def _stop_locations(self, args: list[str], conn: _Connection) -> None:
        if not args:
            conn.running = [False] * len(conn.running)
            return
        index = self._index.get(args[0])
        if index is not None:
            conn.running[index] = False

    # ----------------------------------------------------------------- pushing

    def _release(self, now: float) -> None:
        if self.cfg.rate <= 0:
            self._feed.release(self._feed.total)
        else:
            self._feed.release(int((now - self._t0) * self.cfg.rate))

    def _all_sent(self) -> bool:
        feed = self._feed
        return feed.all_released and all(
            pointer > len(buffer)
            for pointer, buffer in zip(self._pointer, feed.buffers, strict=True)
        )

    def _linger_expired(self, now: float) -> bool:
        self._release(now)
        if not self._all_sent():
            self._idle_since = None
            return False
        if self._idle_since is None:
            self._idle_since = now
        return now - self._idle_since >= self.cfg.linger

    async def _push(self, conn: _Connection) -> bool:
        """Send released reads of running locations; True once done and lingered."""
        while True:
            conn.wake.clear()
            now = monotonic()
            if self._linger_expired(now):
                return True
            batch, sent = self._collect_batch(conn)
            if batch:
                conn.writer.write(batch)
                if self._on_read_sent is not None:
                    stamp = monotonic()
                    for location, seq in sent:
                        self._on_read_sent(location, seq, stamp)
                await conn.writer.drain()
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(conn.wake.wait(), self._next_tick(now, conn))

    def _next_tick(self, now: float, conn: _Connection) -> float | None:
        """How long to sleep when there is nothing to send (None: until woken)."""
        if self._idle_since is not None:
            return max(MIN_TICK, self._idle_since + self.cfg.linger - now)
        if not any(conn.running) or not conn.negotiated.push:
            return None  # only a start command can give us something to do
        if self._feed.all_released:
            return MAX_TICK
        due = (self._feed.released_total + 1) / self.cfg.rate - (now - self._t0)
        return min(MAX_TICK, max(MIN_TICK, due))

    def _collect_batch(self, conn: _Connection) -> tuple[bytes, list[tuple[str, int]]]:
        if not conn.negotiated.push:
            return b"", []
        time_format = self.cfg.time_format or conn.negotiated.time_format
        line_format = conn.negotiated.line_format
        lines: list[str] = []
        sent: list[tuple[str, int]] = []
        share = MAX_BATCH // len(self._pointer) + 1
        stats, every = self.stats, self.cfg.malformed_every
        for index, buffer in enumerate(self._feed.buffers):
            if not conn.running[index]:
                continue
            start = self._pointer[index]
            ever_sent = self._ever_sent[index]
            if len(ever_sent) < len(buffer):  # --forever grew the buffer
                ever_sent.extend(bytes(len(buffer) - len(ever_sent)))
            stop = min(self._feed.released[index], start - 1 + share)
            for seq in range(start, stop + 1):
                read = buffer[seq - 1]
                lines.append(read.line(time_format, line_format))
                sent.append((read.location, seq))
                stats.reads_sent += 1
                if ever_sent[seq - 1]:
                    stats.resent += 1
                ever_sent[seq - 1] = 1
                if every and stats.reads_sent % every == 0:
                    lines.append(self._malformed_line(read, time_format, line_format))
                    stats.malformed_sent += 1
            self._pointer[index] = max(start, stop + 1)
        if not lines:
            return b"", sent
        return ("\r\n".join(lines) + "\r\n").encode(), sent

    def _malformed_line(self, read: SimRead, time_format: str, line_format: str) -> str:
        """A line that is not a keyed read, so it can never take a sequence number."""
        sep = LINE_FORMATS[line_format]
        stamp = render_time(read.when, time_format)
        loc, tag, reader = read.location, read.tag, read.reader_id
        kind = self.stats.malformed_sent % 5
        if kind == 0:  # too few fields
            return sep.join((line_format, loc, tag))
        if kind == 1:  # garbage
            length = self._rng.randint(16, 64)
            return "".join(self._rng.choice(_GARBAGE_ALPHABET) for _ in range(length))
        if kind == 2:  # sequence number that is not a number
            return sep.join((line_format, "abc", loc, tag, stamp, "1", reader, "1"))
        if kind == 3:  # NUL bytes; the seq stays non-numeric even if NULs are stripped
            return sep.join((line_format, "\0x\0", loc, f"\0{tag}", stamp, "1", reader, "1"))
        prefix = sep.join((line_format, "oversize", loc, ""))
        return prefix + "X" * (OVERSIZED_LENGTH - len(prefix))


async def run_clients(cfgs: list[SimConfig]) -> list[SimStats]:
    """Run one client per config concurrently."""
    return await _run_all([SimulatedClient(cfg) for cfg in cfgs])


async def _run_all(clients: list[SimulatedClient], handle_signals: bool = False) -> list[SimStats]:
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    if handle_signals:
        # Ctrl-C / SIGTERM end the clients gracefully so the summary still prints.
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(RuntimeError, ValueError):  # not the main thread
                loop.add_signal_handler(signum, lambda: [client.stop() for client in clients])
                installed.append(signum)
    try:
        return list(await asyncio.gather(*(client.run() for client in clients)))
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)


# --------------------------------------------------------------------------- CLI


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from None


def _parse_clock(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected HH:MM:SS, got {text!r}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags for ``project88 simulate``."""
    d = SimConfig()
    add = parser.add_argument
    add("--host", default=d.host, help=f"listener host (default {d.host})")
    add("--port", type=int, default=d.port, help=f"listener TCP port (default {d.port})")
    add(
        "--clients",
        type=int,
        default=1,
        help="number of concurrent clients; the locations are dealt round-robin so each "
        "location belongs to exactly one client (default 1)",
    )
    add(
        "--locations",
        default=",".join(d.locations),
        help="comma-separated timing points in course order (default %(default)s)",
    )
    add(
        "--athletes",
        type=int,
        default=d.athletes,
        help="athletes in the race (default %(default)s)",
    )
    add(
        "--first-bib", type=int, default=d.first_bib, help="lowest bib number (default %(default)s)"
    )
    add(
        "--rate",
        type=float,
        default=d.rate,
        help="reads per second each client makes available, over its locations; "
        "0 = the whole buffer at once (default %(default)s)",
    )
    add("--event-name", default=d.event_name, help="answer to geteventinfo (default %(default)s)")
    add("--event-date", type=_parse_date, help="race date YYYY-MM-DD (default today)")
    add(
        "--start-clock",
        type=_parse_clock,
        default=d.start_clock,
        help="local gun time HH:MM:SS (default 08:00:00)",
    )
    add(
        "--line-format",
        choices=tuple(LINE_FORMATS),
        default=d.line_format,
        help="tag line format unless the server sets tagevent-format (default %(default)s)",
    )
    add(
        "--time-format",
        choices=("normal", "iso", "unix", "msecs"),
        help="render times in this format whatever the server asks for (a client that "
        "ignores time-format); default: follow the server",
    )
    add("--no-guntimes", action="store_true", help="do not start each location with a GUNTIME read")
    add(
        "--malformed-every",
        type=int,
        default=d.malformed_every,
        metavar="K",
        help="after every K reads also send one malformed, un-keyed line (default 0 = never)",
    )
    add("--user", help="user name for authorize, when the server asks for authentication")
    add(
        "--password-file",
        type=Path,
        metavar="FILE",
        help="file whose first line is the password (never given on the command line)",
    )
    add(
        "--linger",
        type=float,
        default=d.linger,
        help="seconds to stay connected after everything was sent, to answer re-requests "
        "(default %(default)s)",
    )
    add("--max-runtime", type=float, help="hard stop after this many seconds")
    add("--seed", type=int, default=d.seed, help="seed that makes the race reproducible")
    add("--no-reconnect", action="store_true", help="exit instead of reconnecting after a drop")
    add(
        "--forever",
        action="store_true",
        help="after the buffer is exhausted keep generating new laps as a continuous "
        "race feed (needs --rate > 0; stop with Ctrl-C)",
    )


def _read_password(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ValueError(f"cannot read password file: {exc}") from None
    if not lines or not lines[0]:
        raise ValueError(f"password file {path} has an empty first line")
    return lines[0]


def configs_from_args(args: argparse.Namespace) -> list[SimConfig]:
    """One SimConfig per client; ValueError with a readable message on bad input."""
    course = tuple(name.strip() for name in args.locations.split(",") if name.strip())
    if not course:
        raise ValueError("--locations needs at least one location")
    if args.clients < 1:
        raise ValueError("--clients must be at least 1")
    if args.clients > len(course):
        raise ValueError(
            f"--clients {args.clients} exceeds the {len(course)} location(s) given; every "
            "client needs a location of its own (reads are keyed by location and sequence)"
        )
    if (args.user is None) != (args.password_file is None):
        raise ValueError("--user and --password-file go together")
    password = _read_password(args.password_file) if args.password_file else None
    cfgs = []
    for index in range(args.clients):
        cfg = SimConfig(
            host=args.host,
            port=args.port,
            locations=course[index :: args.clients],
            course=course,
            athletes=args.athletes,
            first_bib=args.first_bib,
            rate=args.rate,
            event_name=args.event_name,
            event_date=args.event_date,
            start_clock=args.start_clock,
            user=args.user,
            password=password,
            line_format=args.line_format,
            time_format=args.time_format,
            guntimes=not args.no_guntimes,
            malformed_every=args.malformed_every,
            reconnect=not args.no_reconnect,
            linger=args.linger,
            max_runtime=args.max_runtime,
            seed=args.seed,  # shared: every client agrees on each athlete's race
            forever=args.forever,
        )
        _validate(cfg)
        cfgs.append(cfg)
    return cfgs


def _summary(number: int, cfg: SimConfig, stats: SimStats) -> str:
    return (
        f"client {number} [{','.join(cfg.locations)}]: connections={stats.connections} "
        f"reads_sent={stats.reads_sent} (buffer {expected_reads(cfg)}) resent={stats.resent} "
        f"malformed_sent={stats.malformed_sent} starts={len(stats.starts_received)} "
        f"refused={stats.refused or '-'}"
    )


def run_from_args(args: argparse.Namespace) -> int:
    """Run ``project88 simulate``: 0 = fine, 1 = refused or never connected, 2 = bad arguments."""
    try:
        cfgs = configs_from_args(args)
    except ValueError as exc:
        print(f"project88 simulate: error: {exc}", file=sys.stderr)
        return 2
    clients = [SimulatedClient(cfg) for cfg in cfgs]
    results = asyncio.run(_run_all(clients, handle_signals=True))
    for number, (cfg, stats) in enumerate(zip(cfgs, results, strict=True), 1):
        print(_summary(number, cfg, stats))
    failed = any(stats.refused or not stats.connections for stats in results)
    return 1 if failed else 0
