"""gevent's WSGI server as our daemons run it (display_http, nlq_http)."""

from __future__ import annotations

import contextlib
import signal
import socket
from collections.abc import Callable
from typing import Any

import gevent
import gevent.event
from gevent.pywsgi import WSGIServer

from .sdnotify import Notifier


class NoDelayWSGIServer(WSGIServer):
    """gevent's server with Nagle's algorithm off on every connection.

    pywsgi writes a response's headers and body separately; with Nagle on, the
    body waits for the client's delayed ACK (~40 ms on Linux) on every
    kept-alive request — every API answer would take 40 ms longer than its work.
    """

    def handle(self, sock: socket.socket, address: Any) -> None:
        with contextlib.suppress(OSError):  # not TCP (a Unix socket): nothing to tune
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().handle(sock, address)


def serve_until_signalled(
    notifier: Notifier, report: Callable[[], None], every: float = 5.0
) -> None:
    """The daemon's life after READY: ``report()`` every ``every`` s, WATCHDOG=1 from the
    event loop itself (if the loop hangs, systemd notices), until SIGTERM or SIGINT;
    then STOPPING=1. The caller closes its server and pools after this returns.
    """
    stopping = gevent.event.Event()
    gevent.signal_handler(signal.SIGTERM, stopping.set)
    gevent.signal_handler(signal.SIGINT, stopping.set)

    def reporting() -> None:
        while True:
            gevent.sleep(every)
            report()

    def watchdog() -> None:
        assert notifier.watchdog_interval is not None
        while True:
            notifier.watchdog()
            gevent.sleep(notifier.watchdog_interval)

    helpers = [gevent.spawn(reporting)]
    if notifier.watchdog_interval:
        helpers.append(gevent.spawn(watchdog))
    stopping.wait()
    notifier.stopping()
    gevent.killall(helpers)
