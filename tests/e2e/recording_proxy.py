"""A recording HTTP proxy in front of one backend: what a client really sent, and what it got.

Every request is forwarded as is (method, path, headers, body) and the response
is passed back as it arrives (a streamed ``text/event-stream`` stays streamed,
chunk by chunk); each exchange is kept in ``exchanges`` for the test to read.
"""

from __future__ import annotations

import http.client
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
}


@dataclass
class Exchange:
    method: str
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, or the text, or None
    status: int = 0
    content_type: str = ""
    response: bytes = b""
    done: threading.Event = field(default_factory=threading.Event)

    def json(self) -> Any:
        return json.loads(self.response)

    def streamed_text(self) -> str:
        """The assistant's text of a streamed chat completion (its ``data:`` events)."""
        text = []
        for line in self.response.decode().splitlines():
            if line.startswith("data: ") and line != "data: [DONE]":
                for choice in json.loads(line[6:]).get("choices", []):
                    text.append(choice.get("delta", {}).get("content") or "")
        return "".join(text)

    def reply_text(self) -> str:
        if "event-stream" in self.content_type:
            return self.streamed_text()
        choices = self.json().get("choices", [])
        return choices[0]["message"]["content"] if choices else ""


class RecordingProxy:
    def __init__(self, backend_host: str, backend_port: int) -> None:
        self.backend = (backend_host, backend_port)
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body: Any = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode(errors="replace")
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                exchange = Exchange(self.command, self.path, headers, body)
                with proxy._lock:
                    proxy.exchanges.append(exchange)
                upstream = http.client.HTTPConnection(*proxy.backend, timeout=120)
                try:
                    upstream.request(self.command, self.path, body=raw, headers=headers)
                    reply = upstream.getresponse()
                    exchange.status = reply.status
                    exchange.content_type = reply.getheader("Content-Type", "")
                    self.send_response(reply.status)
                    for name, value in reply.getheaders():
                        if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                            self.send_header(name, value)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    received = bytearray()
                    while chunk := reply.read1(65536):
                        received += chunk
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.flush()
                    self.wfile.write(b"0\r\n\r\n")
                    exchange.response = bytes(received)
                finally:
                    upstream.close()
                    exchange.done.set()

            do_GET = do_POST = do_PUT = do_DELETE = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def start(self) -> RecordingProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(10)

    def chats(self) -> list[Exchange]:
        """The chat completion requests, in the order they arrived."""
        with self._lock:
            return [e for e in self.exchanges if e.path.endswith("/chat/completions")]
