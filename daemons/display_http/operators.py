"""The operator login in front of /status and the operator APIs: HTTP Basic against an
htpasswd file (bcrypt), checked in the app so it holds whatever proxy is in front.

Fails closed: with no file configured, or one that cannot be read or holds no bcrypt
entry, operator views answer 503 and say why in the log, never open. Apache in front
terminates TLS and passes ``Authorization`` through (mod_proxy does by default).

bcrypt is CPU-bound by design (tens of ms), and under gevent a CPU-bound call stalls
every stream: it runs in a small thread pool (bcrypt releases the GIL), which also
caps the CPU a flood of wrong passwords can take. A good header is remembered for a
minute, so an operator's page refreshes cost no bcrypt.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Any

import gevent
from gevent.threadpool import ThreadPool

from daemons.common.htpasswd import (
    HtpasswdFile,
    Unavailable,
    basic_credentials,
    printable,
    verify,
)
from daemons.common.login_throttle import LoginThrottle, ThrottlePolicy
from daemons.common.logs import kv

log = logging.getLogger("display_http")

REALM = 'Basic realm="Project88 operators", charset="UTF-8"'
CACHE_SECONDS = 60.0
CACHE_SIZE = 256
VERIFY_THREADS = 2
COMPLAIN_EVERY = 60.0  # seconds between repeated "operator login unavailable" log lines


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str
    headers: tuple[tuple[str, str], ...] = ()


CHALLENGE = Refusal(401, "operator login required", (("WWW-Authenticate", REALM),))


def client_address(environ: dict[str, Any]) -> str:
    """The client's address: Apache's, from the last X-Forwarded-For entry, when the peer
    is a loopback proxy; otherwise the peer. A client can put anything in the header, but
    mod_proxy appends the address it saw last, so only that entry is trusted.
    """
    peer = environ.get("REMOTE_ADDR") or "?"
    try:
        loopback = ipaddress.ip_address(peer).is_loopback
    except ValueError:
        loopback = False
    forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
    if loopback and forwarded:
        last = forwarded.rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(last))
        except ValueError:
            return peer
    return peer


class OperatorGate:
    """Decides, per request, whether an operator view may be answered."""

    def __init__(self, htpasswd: str, counters: Counter[str], fail_delay: float) -> None:
        self.file = HtpasswdFile(htpasswd) if htpasswd else None
        self.counters = counters
        self.throttle = LoginThrottle(ThrottlePolicy(first_delay=fail_delay))
        self._key = secrets.token_bytes(32)  # cache keys are useless outside this process
        self._good: OrderedDict[bytes, float] = OrderedDict()  # header digest -> expiry
        self._pool: ThreadPool | None = None
        self._complained = -COMPLAIN_EVERY

    def describe(self) -> str:
        return self.file.path if self.file else "none (P88_DISPLAY_OPERATOR_HTPASSWD unset)"

    def check(self, environ: dict[str, Any]) -> Refusal | None:
        """None to go on; else the refusal to answer with (after any throttle delay)."""
        if self.file is None:
            self.counters["operator_login_unconfigured"] += 1
            self._complain("P88_DISPLAY_OPERATOR_HTPASSWD is not set")
            return Refusal(503, "operator login is not configured on this server")
        try:
            entries = self.file.entries()
        except Unavailable as exc:
            self.counters["operator_login_unavailable"] += 1
            self._complain(str(exc))
            return Refusal(503, "operator login is unavailable on this server")
        header = environ.get("HTTP_AUTHORIZATION")
        if not header:
            self.counters["operator_challenges"] += 1
            return CHALLENGE
        now = time.monotonic()
        # Keyed by the file's version too: an edited file checks every header again.
        digest = hmac.new(
            self._key, repr(entries.stamp).encode() + header.encode("utf-8", "surrogatepass"),
            hashlib.sha256,
        ).digest()  # fmt: skip
        expiry = self._good.get(digest)
        if expiry is not None and expiry > now:
            return None
        address = client_address(environ)
        credentials = basic_credentials(header)
        if credentials is None:
            return self._failed(address, "", "not HTTP Basic credentials", now)
        user, password = credentials
        if not self._verify_off_loop(entries, user, password):
            return self._failed(address, user.decode("utf-8", "replace"), "wrong login", now)
        self.throttle.succeeded(address)
        self._remember(digest, now)
        self.counters["operator_logins"] += 1
        log.info(
            "operator login %s",
            kv(user=printable(user.decode("utf-8", "replace")), address=printable(address)),
        )
        return None

    def _verify_off_loop(self, entries: Any, user: bytes, password: bytes) -> bool:
        if self._pool is None:
            self._pool = ThreadPool(VERIFY_THREADS)
        return bool(self._pool.apply(verify, (entries, user, password)))

    def _failed(self, address: str, user: str, reason: str, now: float) -> Refusal:
        self.counters["operator_login_failed"] += 1
        delay = self.throttle.failed(address, now)
        log.warning(
            "operator login failed %s",
            kv(
                address=printable(address),
                user=printable(user[:64]),
                reason=reason,
                failures=self.throttle.failures(address),
                delay=f"{delay:g}",
            ),
        )
        gevent.sleep(delay)  # this request waits; every other one goes on
        return CHALLENGE

    def _remember(self, digest: bytes, now: float) -> None:
        self._good[digest] = now + CACHE_SECONDS
        self._good.move_to_end(digest)
        while len(self._good) > CACHE_SIZE:
            self._good.popitem(last=False)

    def _complain(self, why: str) -> None:
        now = time.monotonic()
        if now - self._complained >= COMPLAIN_EVERY:
            self._complained = now
            log.error("operator views refused (fail closed) %s", kv(reason=why))
