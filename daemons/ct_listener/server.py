"""Twisted adapter: sockets in, ``ctp01.ServerConnection`` events out.

Everything protocol-shaped lives in ``ctp01``; this module only moves bytes,
keeps the clock, hands reads to the writer thread in batches and turns the
writer's answers (marks, sessions) back into protocol calls on the reactor.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import time
from collections import Counter
from typing import Any

from twisted.internet import protocol, task
from twisted.python.failure import Failure

from daemons.common.login_throttle import LoginThrottle
from daemons.common.logs import kv
from daemons.common.sdnotify import Notifier

from . import ctp01
from .admission import Admission, Budgets
from .attaching import StreamAttaching
from .batching import BatchingStore
from .settings import ListenerSettings
from .store import ConnectionRecord

log = logging.getLogger("ct_listener")

BACKLOG_PAUSE = 200  # writer batches queued before we stop reading from sockets
BACKLOG_RESUME = 50
LOG_REJECTS_PER_CONNECTION = 20  # then one line per 100, so a flood cannot flood the journal


class Ctp01Protocol(StreamAttaching, protocol.Protocol):
    """One client connection; the protocol logic is in ``ctp01.ServerConnection``."""

    factory: ListenerFactory

    def __init__(self) -> None:
        self.conn: ctp01.ServerConnection | None = None
        self.peer = ""
        self.session_id: int | None = None
        self.login: str | None = None  # the CTP01 user, which routes to a session
        self._session_known = False
        self._session_asked = False
        self._early: list[ctp01.Event] = []  # events that wait for the session
        self._readers: dict[str, str] = {}
        self.record: ConnectionRecord | None = None
        self._rejects = 0
        self.accepted = False
        self._init_streams()

    # -- Twisted callbacks -----------------------------------------------------------------
    def connectionMade(self) -> None:
        self.peer = self.transport.getPeer().host
        refusal = self.factory.admit(self)
        if refusal:
            self.factory.counters[f"refused_{refusal}"] += 1
            log.warning("connection refused %s", kv(peer=self.peer, reason=refusal))
            if refusal != "allow_list":  # say nothing to addresses we do not serve
                self.transport.write(b"err~connect~too many connections\r\n")
            self.transport.loseConnection()
            return
        self.accepted = True
        self.conn = ctp01.ServerConnection(self.factory.settings.protocol, time.monotonic())
        self.record = ConnectionRecord(self.peer, dt.datetime.now(dt.UTC))
        self.factory.store.connection_opened(self.record)
        self.factory.counters["connections"] += 1
        log.info("client connected %s", kv(peer=self.peer, clients=len(self.factory.clients)))

    def dataReceived(self, data: bytes) -> None:
        if self.conn is not None:
            self._handle(self.conn.receive_data(data, time.monotonic()))

    def connectionLost(self, reason: Failure = protocol.connectionDone) -> None:
        self.factory.forget(self)
        if self.conn is None or self.record is None:
            return
        self.conn.connection_lost()
        self._streams_connection_lost()
        self.record.info.update(self._summary())
        self.factory.store.connection_closed(self.record, self.conn.lines_received)
        log.info(
            "client disconnected %s",
            kv(peer=self.peer, lines=self.conn.lines_received, reads=self.conn.reads_received,
               rejected=self.conn.rejected_lines, reason=reason.getErrorMessage()),
        )  # fmt: skip

    def tick(self, now: float) -> None:
        if self.conn is not None:
            self._streams_tick(now)
            self._handle(self.conn.tick(now))

    # -- events ----------------------------------------------------------------------------
    def _handle(self, events: list[ctp01.Event]) -> None:
        for index, event in enumerate(events):
            if isinstance(event, ctp01.Store):  # by far the most frequent
                self._store(event.item)
            elif isinstance(event, ctp01.Send):
                self.transport.write(event.line.encode() + b"\r\n")
            elif isinstance(event, ctp01.LineRejected):
                self._rejected(event)
            elif isinstance(event, ctp01.NeedStart):
                self._need_start(event)
            elif isinstance(event, ctp01.BufferRestarted):
                self._buffer_restarted(event.location)
            elif isinstance(event, ctp01.Close):
                log.warning("closing connection %s", kv(peer=self.peer, reason=event.reason))
                self.factory.counters["closed_by_us"] += 1
                self.transport.loseConnection()
            elif isinstance(event, ctp01.Authenticated) and not event.ok:
                self._note(event)
                # The refusal and the close wait, longer for each failure from this address.
                delay = self.factory.throttle.failed(self.peer, time.monotonic())
                self.transport.pauseProducing()
                self.factory.store.reactor.callLater(delay, self._handle, events[index + 1 :])
                return
            else:
                self._note(event)

    def _session_ready(self, session_id: int | None) -> None:
        self.session_id = session_id
        self._session_known = True
        if self.record is not None:
            self.record.info["timing_session_id"] = session_id
        early, self._early = self._early, []
        self._handle(early)

    def _rejected(self, event: ctp01.LineRejected) -> None:
        self._rejects += 1
        self.factory.counters["lines_rejected"] += 1
        if self._rejects <= LOG_REJECTS_PER_CONNECTION or self._rejects % 100 == 0:
            log.warning(
                "line rejected %s",
                kv(peer=self.peer, reason=event.reason, stored=event.keyed,
                   rejected_so_far=self._rejects, line=event.preview),
            )  # fmt: skip

    def _note(self, event: ctp01.Event) -> None:
        info = self.record.info if self.record is not None else {}
        if isinstance(event, ctp01.Handshaken):
            info.update(program=event.program, version=event.version)
            log.info("client greeted %s", kv(peer=self.peer, program=event.program,
                                             version=event.version))  # fmt: skip
            if self.conn is not None and self.conn.phase is ctp01.Phase.READY:
                self._ask_session()  # no login required
        elif isinstance(event, ctp01.Authenticated):
            info["auth"] = {"method": event.method, "user": event.user, "ok": event.ok}
            if event.ok:
                self.factory.throttle.succeeded(self.peer)
                log.info("client authorized %s", kv(peer=self.peer, user=event.user))
                self.login = event.user
                self._ask_session()
            else:
                self.factory.counters["auth_failures"] += 1
                log.warning("authorization failed %s", kv(
                    peer=self.peer, user=event.user, method=event.method,
                    failures_from_address=self.factory.throttle.failures(self.peer) + 1,
                ))  # fmt: skip
        elif isinstance(event, ctp01.EventInfo):
            info["event"] = {"name": event.name, "id": event.event_id,
                             "description": event.description}  # fmt: skip
        elif isinstance(event, ctp01.ConnectionId):
            info["connection_id"] = event.value
            self._identity_known(event.value)
        elif isinstance(event, ctp01.LocationsListed):
            self._identity_known(None)
        elif isinstance(event, ctp01.ClientError):
            self.factory.counters["client_errors"] += 1
            log.warning("client reported error %s", kv(peer=self.peer, command=event.command,
                                                       message=event.message))  # fmt: skip
            if event.command == "start":
                self._refused_start()
        elif isinstance(event, ctp01.GapDetected):
            self.factory.counters["gaps"] += 1
            log.warning(
                "sequence gap %s",
                kv(peer=self.peer, location=event.location, expected=event.expected,
                   got=event.got, gave_up=event.gave_up),
            )  # fmt: skip

    def _ask_session(self) -> None:
        # Only a client that may send reads gets a timing session: a failed login must
        # leave nothing behind but its connection_log row.
        refusal = self.factory.admission.promote(self)
        if refusal:
            self.factory.counters[f"refused_{refusal}"] += 1
            log.warning("connection refused after login %s", kv(peer=self.peer, reason=refusal))
            self.transport.write(b"err~connect~too many connections\r\n")
            self.transport.loseConnection()
            return
        if not self._session_asked:
            self._session_asked = True
            self.factory.store.session(self.login).addCallback(self._session_ready)

    def _summary(self) -> dict[str, Any]:
        assert self.conn is not None
        return {
            # Bounded, as the connection_log row holds it: the count says if any were left out.
            "locations": self.conn.locations[:LOGGED_LOCATIONS],
            "location_count": len(self.conn.locations),
            "reads": self.conn.reads_received,
            "rejected_lines": self.conn.rejected_lines,
        }


LOGGED_LOCATIONS = 64


class ListenerFactory(protocol.ServerFactory):
    protocol = Ctp01Protocol

    def __init__(
        self, settings: ListenerSettings, store: BatchingStore, notifier: Notifier
    ) -> None:
        self.settings = settings
        self.store = store
        self.notifier = notifier
        self.clients: set[Ctp01Protocol] = set()
        self.admission: Admission[Ctp01Protocol] = Admission(
            Budgets(
                max_pending=settings.max_pending,
                max_pending_per_address=settings.max_pending_per_address,
                max_admitted=settings.max_connections,
                max_admitted_per_address=settings.max_per_address,
            )
        )
        self.counters: Counter[str] = Counter()
        self.throttle = LoginThrottle()
        self.reads_in = 0
        self._paused = False
        self._watchdog_withheld = False
        self._rate_window: tuple[float, int] = (time.monotonic(), 0)
        self.reads_per_second = 0.0

    def admit(self, client: Ctp01Protocol) -> str | None:
        """Why a new connection is refused, or None to accept it."""
        if not self._allowed(client.peer):
            return "allow_list"
        decision = self.admission.arrive(client, client.peer)
        if decision.refusal:
            return decision.refusal
        if decision.evict is not None:  # the longest-waiting stranger makes room
            self.counters["evicted_pending"] += 1
            reason = "pending connections full"
            log.warning("closing a connection not logged in %s", kv(peer=decision.evict.peer,
                                                                   reason=reason))  # fmt: skip
            decision.evict.transport.write(b"err~connect~too many connections\r\n")
            decision.evict.transport.loseConnection()
        self.clients.add(client)
        if self._paused:
            client.transport.pauseProducing()
        return None

    def _allowed(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        return any(address in network for network in self.settings.allow)

    def forget(self, client: Ctp01Protocol) -> None:
        self.clients.discard(client)
        self.admission.leave(client)

    # -- flow control ----------------------------------------------------------------------
    def check_backlog(self) -> None:
        """Stop reading sockets while the writer is far behind or holding reads.

        Far behind: memory stays bounded. Holding (database down and spool full):
        nothing more can be kept, so the clients keep it, in their own buffers,
        behind TCP back-pressure, until the writer can store again.
        """
        backlog = self.store.backlog()
        stalled = self.store.writer.stats.stalled
        if not self._paused and (backlog > BACKLOG_PAUSE or stalled):
            self._paused = True
            self.counters["backpressure_pauses"] += 1
            log.warning("writer behind, pausing reads %s",
                        kv(queued_batches=backlog, held=stalled or "no"))  # fmt: skip
            for client in self.clients:
                client.transport.pauseProducing()
            self.notifier.status(self.status_line())
        elif self._paused and backlog < BACKLOG_RESUME and not stalled:
            self._paused = False
            log.info("writer caught up, resuming reads %s", kv(queued_batches=backlog))
            for client in self.clients:
                client.transport.resumeProducing()
            self.notifier.status(self.status_line())

    def watchdog(self) -> None:
        """WATCHDOG=1 only while the reactor runs and the writer makes progress."""
        problem = self.store.writer.problem(self.settings.writer_stuck_after)
        if problem is None:
            if self._watchdog_withheld:
                log.info("writer making progress again, watchdog resumed")
                self._watchdog_withheld = False
            self.notifier.watchdog()
            return
        if not self._watchdog_withheld:
            self._watchdog_withheld = True
            self.counters["watchdog_withheld"] += 1
            log.error("withholding the watchdog so that systemd restarts the listener %s",
                      kv(reason=problem))  # fmt: skip
            self.notifier.status(f"FAILING: {problem}")

    # -- timers ----------------------------------------------------------------------------
    def tick(self) -> None:
        now = time.monotonic()
        for client in list(self.clients):
            client.tick(now)
        self.check_backlog()
        started, count = self._rate_window
        if now - started >= 1.0:
            self.reads_per_second = (self.reads_in - count) / (now - started)
            self._rate_window = (now, self.reads_in)

    def status_line(self) -> str:
        stats = self.store.writer.stats
        last = (
            dt.datetime.fromtimestamp(stats.last_read_at).astimezone().strftime("%H:%M:%S")
            if stats.last_read_at
            else "never"
        )
        db = "up" if stats.database_up else "DOWN (spooling)"
        if stats.stalled:
            db = f"DOWN, STALLED: {stats.stalled}; reads held, clients paused"
        return (
            f"clients={len(self.clients)} reads/s={self.reads_per_second:.0f} last_read={last} "
            f"stored={stats.inserted} spooled={stats.spooled_reads} db={db}"
        )

    def report(self) -> None:
        self.notifier.status(self.status_line())
        self.store.connection_counts(
            [(c.record, c.conn.lines_received) for c in self.clients if c.record and c.conn]
        )
        stats = self.store.writer.stats
        log.info(
            "status %s",
            kv(clients=len(self.clients), reads_per_s=f"{self.reads_per_second:.0f}",
               stored=stats.inserted, gun_times=stats.gun_times, duplicates=stats.duplicates,
               conflicts=stats.conflicts, rejected_stored=stats.rejected_stored,
               spooled=stats.spooled_reads, drained=stats.drained_reads,
               dead_letters=stats.dead_letters, db_up=stats.database_up,
               held_batches=stats.held_batches, stalled=bool(stats.stalled),
               **dict(self.counters)),
        )  # fmt: skip


def start_timers(factory: ListenerFactory, reactor: Any) -> list[task.LoopingCall]:
    loops = []
    ticker = task.LoopingCall(factory.tick)
    ticker.clock = reactor
    ticker.start(1.0, now=False)
    loops.append(ticker)
    status = task.LoopingCall(factory.report)
    status.clock = reactor
    status.start(factory.settings.status_interval, now=False)
    loops.append(status)
    if factory.notifier.watchdog_interval:
        # WATCHDOG=1 from the reactor, and only while the writer makes progress:
        # a hung loop or a dead or stuck writer thread gets the unit restarted.
        watchdog = task.LoopingCall(factory.watchdog)
        watchdog.clock = reactor
        watchdog.start(factory.notifier.watchdog_interval)
        loops.append(watchdog)
    return loops
