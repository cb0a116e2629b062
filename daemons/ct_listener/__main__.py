"""``python -m daemons.ct_listener``: the CTP01 listener daemon."""

from __future__ import annotations

import logging
import signal
import sys
from typing import Any

from twisted.internet import defer, task

from daemons.common import logs
from daemons.common.config import ConfigError, zone
from daemons.common.logs import kv
from daemons.common.sdnotify import Notifier

from .batching import BatchingStore
from .server import ListenerFactory, start_timers
from .settings import ListenerSettings
from .spool import Spool
from .store import Writer, start_writer_thread

log = logging.getLogger("ct_listener")


def main() -> int:
    # The writer thread spends its life waiting for PostgreSQL; each time an
    # answer arrives it must win the interpreter lock back from the busy
    # reactor, which by default yields it only every 5 ms — several waits per
    # batch. A 0.5 ms switch interval keeps the writer (and so the database) busy.
    sys.setswitchinterval(0.0005)
    logs.setup()
    try:
        settings = ListenerSettings.from_env()
    except ConfigError as exc:
        log.error("configuration error: %s", exc)
        return 2

    from twisted.internet import reactor

    r: Any = reactor
    notifier = Notifier()
    spool = Spool(settings.spool_dir)
    writer = Writer(
        settings.common.raw_dsn,
        spool,
        zone(settings.common.timezone),
        deliver=r.callFromThread,
        session_name_format=settings.session_name_format,
        event_name=settings.event_name,
    )
    writer_thread = start_writer_thread(writer)
    store = BatchingStore(writer, r, settings.batch_size, settings.batch_delay)
    factory = ListenerFactory(settings, store, notifier)
    try:
        port = r.listenTCP(settings.port, factory, interface=settings.host)
    except Exception as exc:  # CannotListenError and friends: say it plainly
        log.error("cannot listen %s", kv(host=settings.host, port=settings.port, error=exc))
        return 1
    loops = start_timers(factory, r)

    @defer.inlineCallbacks
    def shutdown() -> Any:
        # SIGTERM: stop accepting, close clients (their connection_log rows are
        # written), hand the last batch to the writer, let it commit or spool.
        notifier.stopping()
        log.info("stopping %s", factory.status_line())
        for loop in loops:
            if loop.running:
                loop.stop()
        yield port.stopListening()
        for client in list(factory.clients):
            client.transport.loseConnection()
        for _ in range(50):  # connectionLost runs on a later turn of the loop
            if not factory.clients:
                break
            yield task.deferLater(r, 0.05, lambda: None)
        yield store.stop()
        writer_thread.join(timeout=30)
        log.info("stopped %s", kv(stored=writer.stats.inserted, spooled=writer.stats.spooled_reads))

    r.addSystemEventTrigger("before", "shutdown", shutdown)
    log.info(
        "listening %s",
        kv(host=settings.host, port=port.getHost().port, auth=settings.protocol.auth_method,
           allow=",".join(str(n) for n in settings.allow), spool=settings.spool_dir,
           timezone=settings.common.timezone),
    )  # fmt: skip
    notifier.ready(factory.status_line())

    stop_requested = []

    def on_signal(signum: int, _frame: object) -> None:
        # A second SIGTERM/SIGINT while stopping (an impatient admin, a terminal's
        # Ctrl-C reaching the whole process group) must not disturb the shutdown.
        if not stop_requested:
            stop_requested.append(signum)
            log.info("signal received %s", kv(signal=signal.Signals(signum).name))
            r.callFromThread(r.stop)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    r.run(installSignalHandlers=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
