"""A FAKE Ollama HTTP server for tests: just what llm-ollama 0.19.1 calls, no model.

It speaks the slice of the Ollama API that the ``llm-ollama`` plugin (through the
``ollama`` client) uses to list, describe and prompt a chat model:

* ``GET /api/tags`` -- the model list (``models[].model``, ``.digest``, ...);
* ``POST /api/show`` -- one model's ``capabilities`` (``completion`` makes llm-ollama
  register it) and ``model_info``; 404 for a model it does not have;
* ``POST /api/chat`` -- ``{model, messages, format, options, stream}``: answers the
  canned content for the last user message, as one JSON object or, with
  ``stream: true``, as NDJSON chunks ending in ``done: true``; 404 for an unknown model.

``answers[question] = FakeOllama.HANG`` (or ``hang_paths``) makes it never answer:
the handler waits until the test releases it or the client goes away, and
records that disconnect (``disconnected``), which tells a cancelled request from
an abandoned one. Everything runs on a free loopback port in daemon threads.
"""

from __future__ import annotations

import hashlib
import json
import select
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HANG = "<hang>"


class FakeOllama:
    HANG = HANG

    def __init__(
        self,
        models: dict[str, str] | list[str] | tuple[str, ...] = ("llama3.1:8b",),
        capabilities: tuple[str, ...] = ("completion", "tools"),
        port: int = 0,
    ) -> None:
        # name -> digest (names sharing a digest are one model, as in Ollama)
        if isinstance(models, dict):
            self.models = dict(models)
        else:
            self.models = {name: hashlib.sha256(name.encode()).hexdigest() for name in models}
        self.capabilities = list(capabilities)
        self.answers: dict[str, str] = {}
        # A semantic query (what the LLM fallback asks for): count every finisher.
        self.default_answer = '{"entity": "finishers", "measures": [{"name": "count"}]}'
        self.hang_paths: set[str] = set()
        self.requests: list[tuple[str, str, dict | None]] = []  # (method, path, json body)
        self.release = threading.Event()
        self.disconnected = threading.Event()
        self.hanging = threading.Event()  # a request is being held
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def host(self) -> str:
        """The value for OLLAMA_HOST."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeOllama:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def chat_requests(self) -> list[dict]:
        return [body for method, path, body in self.requests if path == "/api/chat" and body]

    def paths(self) -> list[str]:
        return [path for _method, path, _body in self.requests]


def _handler_for(fake: FakeOllama) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args) -> None:  # quiet
            pass

        def _body(self) -> dict | None:
            length = int(self.headers.get("Content-Length") or 0)
            if not length:
                return None
            return json.loads(self.rfile.read(length))

        def _send(self, status: int, payload: object) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _hang(self) -> bool:
            """Hold the request; True if the client went away first."""
            fake.hanging.set()
            sock = self.connection
            while not fake.release.is_set():
                readable, _, _ = select.select([sock], [], [], 0.05)
                if readable:
                    try:
                        peek = sock.recv(1, socket.MSG_PEEK)
                    except OSError:
                        peek = b""
                    if not peek:
                        fake.disconnected.set()
                        self.close_connection = True
                        return True
            return False

        def do_GET(self) -> None:
            fake.requests.append(("GET", self.path, None))
            if self.path in fake.hang_paths and self._hang():
                return
            if self.path == "/api/tags":
                self._send(200, {"models": [_listing(n, d) for n, d in fake.models.items()]})
            else:
                self._send(404, {"error": f"no such endpoint {self.path}"})

        def do_POST(self) -> None:
            body = self._body()
            fake.requests.append(("POST", self.path, body))
            if self.path in fake.hang_paths and self._hang():
                return
            if self.path == "/api/show":
                name = (body or {}).get("model")
                if name not in fake.models:
                    self._send(404, {"error": f"model '{name}' not found"})
                    return
                self._send(200, _show(name, fake.capabilities))
            elif self.path == "/api/chat":
                self._chat(body or {})
            else:
                self._send(404, {"error": f"no such endpoint {self.path}"})

        def _chat(self, body: dict) -> None:
            name = body.get("model")
            if name not in fake.models:
                self._send(404, {"error": f'model "{name}" not found, try pulling it first'})
                return
            users = [m for m in body.get("messages", []) if m.get("role") == "user"]
            question = users[-1]["content"] if users else ""
            content = fake.answers.get(question, fake.default_answer)
            if content == HANG:
                if self._hang():
                    return
                self._send(503, {"error": "fake server released"})
                return
            final = {
                "model": name,
                "created_at": "2025-11-25T12:00:00Z",
                "done": True,
                "done_reason": "stop",
                "total_duration": 1_000_000,
                "prompt_eval_count": 100,
                "eval_count": 20,
            }
            if not body.get("stream", True):
                self._send(200, {**final, "message": {"role": "assistant", "content": content}})
                return
            half = len(content) // 2
            chunks = [
                {
                    "model": name,
                    "created_at": "2025-11-25T12:00:00Z",
                    "done": False,
                    "message": {"role": "assistant", "content": part},
                }
                for part in (content[:half], content[half:])
            ]
            chunks.append({**final, "message": {"role": "assistant", "content": ""}})
            data = b"".join(json.dumps(c).encode() + b"\n" for c in chunks)
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _details() -> dict:
    return {
        "parent_model": "",
        "format": "gguf",
        "family": "llama",
        "families": ["llama"],
        "parameter_size": "8.0B",
        "quantization_level": "Q4_K_M",
    }


def _listing(name: str, digest: str) -> dict:
    return {
        "name": name,
        "model": name,
        "modified_at": "2025-11-01T10:00:00Z",
        "size": 4_920_753_328,
        "digest": digest,
        "details": _details(),
    }


def _show(name: str, capabilities: list[str]) -> dict:
    return {
        "modelfile": f"FROM {name}",
        "parameters": "",
        "template": "{{ .Prompt }}",
        "details": _details(),
        "model_info": {"general.architecture": "llama"},
        "capabilities": capabilities,
        "modified_at": "2025-11-01T10:00:00Z",
    }
