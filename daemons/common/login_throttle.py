"""How long to keep a failed login waiting for its answer, per address: pure, no I/O.

For the listener's controller logins and the display's operator logins alike
(SimpleClient retries a refused login about once a second, forever; a script as fast
as it can reconnect): each failure from an address is answered later than the last
(doubling, up to a cap), which makes guessing a password slow without locking out
someone who mistyped it. A good login clears the
address's record, and so does a quiet spell. The record is bounded, so a spray from
many addresses cannot grow it.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    first_delay: float = 0.5  # seconds before answering the first failure
    max_delay: float = 30.0
    forget_after: float = 600.0  # a quiet address starts again from the first delay
    max_addresses: int = 10_000


class LoginThrottle:
    """Failed-login counts per address, oldest forgotten first."""

    def __init__(self, policy: ThrottlePolicy | None = None) -> None:
        self.policy = policy or ThrottlePolicy()
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def failed(self, address: str, now: float) -> float:
        """Record a failed login; the delay before it may be answered, in seconds."""
        count, last = self._failures.pop(address, (0, now))
        if now - last > self.policy.forget_after:
            count = 0
        count += 1
        self._failures[address] = (count, now)
        while len(self._failures) > self.policy.max_addresses:
            self._failures.popitem(last=False)
        return min(self.policy.max_delay, self.policy.first_delay * 2 ** min(count - 1, 32))

    def succeeded(self, address: str) -> None:
        self._failures.pop(address, None)

    def failures(self, address: str) -> int:
        return self._failures.get(address, (0, 0.0))[0]

    def __len__(self) -> int:
        return len(self._failures)
