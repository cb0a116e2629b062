"""A bare CTP01 line client for tests that check the wire transcript exactly."""

from __future__ import annotations

import socket
import time


class LineClient:
    def __init__(self, port: int, timeout: float = 5.0, source: str | None = None) -> None:
        # ``source``: another loopback address (127.0.0.2, ...) to stand for another site.
        self.sock = socket.create_connection(
            ("127.0.0.1", port), timeout=timeout, source_address=(source, 0) if source else None
        )
        self.sock.settimeout(timeout)
        self._buffer = b""
        self.received: list[str] = []

    def send(self, *lines: str, ending: bytes = b"\r\n") -> None:
        self.sock.sendall(b"".join(line.encode() + ending for line in lines))

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def line(self, timeout: float | None = None) -> str:
        """The next line from the server (without CRLF); raises on close or timeout."""
        if timeout is not None:
            self.sock.settimeout(timeout)
        while b"\n" not in self._buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"server closed; so far {self.received}")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\n", 1)
        text = raw.decode().rstrip("\r")
        self.received.append(text)
        return text

    def lines(self, n: int) -> list[str]:
        return [self.line() for _ in range(n)]

    def until(self, predicate, timeout: float = 5.0) -> str:
        """Read lines until one satisfies ``predicate``; answer pings on the way."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no matching line; got {self.received}")
            line = self.line(timeout=remaining)
            if predicate(line):
                return line
            if line == "ping":
                self.send("ack~ping")

    def closed_by_server(self, timeout: float = 5.0) -> bool:
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self._buffer += chunk
        except (ConnectionResetError, TimeoutError, OSError):
            return False

    def handshake(self, program: str = "SimpleClient~0.6.0~CTP01") -> list[str]:
        """Greet and read the header and settings; returns them."""
        self.send(program)
        header = self.line()
        count = int(header.split("~")[2])
        return [header, *self.lines(count)]

    def close(self) -> None:
        self.sock.close()
