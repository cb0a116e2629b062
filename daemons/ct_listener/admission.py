"""Who may hold a connection to 61611: pure bookkeeping, no I/O.

Strangers and controllers get separate budgets, so strangers cannot lock the timing
hardware out. A connection is *pending* from accept until it may send reads (a good
login, or the greeting when authentication is off), and *admitted* from then on.

* Pending connections are capped per address and in total. When the total is full the
  oldest pending connection makes room: a real controller logs in within milliseconds,
  so whoever holds a pending slot longest is the likeliest to be idle or hostile (the
  handshake deadline ends it anyway).
* Admitted connections are capped per address and in total, counted only among
  connections that logged in: a flood of strangers never uses them up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

Client = TypeVar("Client", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Budgets:
    max_pending: int = 32
    max_pending_per_address: int = 4
    max_admitted: int = 64
    max_admitted_per_address: int = 8


@dataclass(frozen=True, slots=True)
class Decision(Generic[Client]):
    refusal: str | None  # a counter-friendly reason, or None when let in
    evict: Client | None = None  # a pending connection to close to make room


class Admission(Generic[Client]):
    def __init__(self, budgets: Budgets) -> None:
        self.budgets = budgets
        self._pending: dict[Client, str] = {}  # insertion order: oldest first
        self._admitted: dict[Client, str] = {}
        self._pending_by_address: Counter[str] = Counter()
        self._admitted_by_address: Counter[str] = Counter()

    # -- transitions -----------------------------------------------------------------------
    def arrive(self, client: Client, address: str) -> Decision[Client]:
        """A new connection: pending, if its address has a pending slot left."""
        if self._pending_by_address[address] >= self.budgets.max_pending_per_address:
            return Decision("pending_address_cap")
        evict = None
        if len(self._pending) >= self.budgets.max_pending:
            evict = next(iter(self._pending))
            self.leave(evict)
        self._pending[client] = address
        self._pending_by_address[address] += 1
        return Decision(None, evict)

    def promote(self, client: Client) -> str | None:
        """The connection may now send reads; a refusal means the controllers' budget is full."""
        address = self._pending.get(client)
        if address is None:
            return None if client in self._admitted else "unknown"
        self._drop_pending(client, address)
        if len(self._admitted) >= self.budgets.max_admitted:
            return "connection_cap"
        if self._admitted_by_address[address] >= self.budgets.max_admitted_per_address:
            return "address_cap"
        self._admitted[client] = address
        self._admitted_by_address[address] += 1
        return None

    def leave(self, client: Client) -> None:
        address = self._pending.get(client)
        if address is not None:
            self._drop_pending(client, address)
            return
        address = self._admitted.pop(client, None)
        if address is not None:
            self._admitted_by_address[address] -= 1
            if self._admitted_by_address[address] <= 0:
                del self._admitted_by_address[address]

    # -- views -----------------------------------------------------------------------------
    @property
    def pending(self) -> int:
        return len(self._pending)

    @property
    def admitted(self) -> int:
        return len(self._admitted)

    def _drop_pending(self, client: Client, address: str) -> None:
        del self._pending[client]
        self._pending_by_address[address] -= 1
        if self._pending_by_address[address] <= 0:
            del self._pending_by_address[address]
