"""A deadline for blocking calls to a model server that sets none of its own.

``llm-ollama`` 0.19.1 creates its HTTP client with no read timeout
(``httpx.Timeout(None, connect=1.0)``), for listing models as well as for
chatting, so a hung Ollama would hang the request. Every call that may touch
the model server (resolving the model, prompting it) therefore runs under
``Deadline.call``:

* under gevent with monkey-patched sockets (how ``nlq_http`` runs) the call
  runs in its own greenlet; httpx's socket reads are then cooperative, so the
  caller simply waits ``timeout`` seconds on it and, if it is not done, *kills*
  it: ``GreenletExit`` is raised inside the blocked read, httpx closes the
  connection, and nothing is left behind (tested in a monkey-patched
  subprocess against a fake Ollama that never answers);
* without gevent (the CLI, tests) the call runs in a daemon thread the caller
  stops waiting for; a thread blocked in a read cannot be interrupted, so it is
  abandoned, counted, and while ``max_abandoned`` such threads are still stuck
  new calls are refused (``ModelUnavailable``) instead of piling more up.

``gevent.Timeout`` in the calling greenlet would also interrupt a cooperative
read, but the plugin catches broad exceptions in places (``get_ollama_models``
swallows ``Exception``) and a separate greenlet lets the caller return on time
whatever the call does with the interruption.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from .llm_errors import ModelTimeout, ModelUnavailable

T = TypeVar("T")


def gevent_sockets() -> bool:
    monkey = sys.modules.get("gevent.monkey")
    return bool(monkey and monkey.is_module_patched("socket"))


class Deadline:
    """Runs a blocking call for at most ``timeout`` seconds (see the module docstring)."""

    def __init__(self, max_abandoned: int) -> None:
        self.max_abandoned = max_abandoned
        self._lock = threading.Lock()
        self._abandoned = 0  # thread mode: timed-out calls still running

    @property
    def abandoned(self) -> int:
        return self._abandoned

    def call(self, fn: Callable[[], T], timeout: float, late: str) -> T:
        """``fn()``, or ``ModelTimeout(late)`` once ``timeout`` seconds have passed."""
        if gevent_sockets():
            return self._in_greenlet(fn, timeout, late)
        return self._in_thread(fn, timeout, late)

    @staticmethod
    def _in_greenlet(fn: Callable[[], T], timeout: float, late: str) -> T:
        import gevent

        def run() -> tuple[bool, Any]:
            # Errors come back as values: a greenlet dying of one would have the
            # hub print a traceback for what is an ordinary outcome here.
            try:
                return True, fn()
            except Exception as exc:  # handed to the caller below
                return False, exc

        worker = gevent.spawn(run)
        worker.join(timeout)
        if not worker.ready():
            worker.kill(block=False)  # GreenletExit in the blocked read; httpx closes it
            raise ModelTimeout(late)
        ok, value = worker.get()
        if not ok:
            raise value
        return value

    def _in_thread(self, fn: Callable[[], T], timeout: float, late: str) -> T:
        with self._lock:
            if self._abandoned >= self.max_abandoned:
                raise ModelUnavailable(
                    f"{self._abandoned} earlier calls to the language model are still hung"
                )
        done = threading.Event()
        box: dict[str, Any] = {}
        state = {"abandoned": False}

        def run() -> None:
            try:
                box["value"] = fn()
            except BaseException as exc:  # handed to the caller below
                box["error"] = exc
            finally:
                with self._lock:
                    done.set()
                    if state["abandoned"]:
                        self._abandoned -= 1

        threading.Thread(target=run, name="llm-fallback-call", daemon=True).start()
        if not done.wait(timeout):
            with self._lock:
                if not done.is_set():
                    state["abandoned"] = True
                    self._abandoned += 1
            if state["abandoned"]:
                raise ModelTimeout(late)
        if "error" in box:
            raise box["error"]
        return box["value"]
