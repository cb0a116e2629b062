"""gevent's WSGI server as our daemons run it (display_http, nlq_http)."""

from __future__ import annotations

import contextlib
import socket
from typing import Any

from gevent.pywsgi import WSGIServer


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
