"""The durable local spool: where reads wait while PostgreSQL is unreachable.

An append-only file of records, one per batch: ``<crc32> <json>\\n``, flushed
and fsync'ed before ``append`` returns — from then on the reads count as
received. Draining replays records in order; the database's unique key makes a
replay after a crash harmless. A torn last record (a crash mid-append) was
never acknowledged, so it is dropped; the client still has those reads.
"""

from __future__ import annotations

import json
import logging
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from daemons.common.logs import kv

log = logging.getLogger("ct_listener.spool")


@dataclass(frozen=True)
class SpoolRecord:
    end_offset: int
    session_id: int | None
    lines: list[str]


class Spool:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / "spool.log"
        self._offset_path = directory / "spool.offset"
        self._fh = open(self.path, "ab")  # noqa: SIM115 - held open for the daemon's life
        self._fsync_dir()
        self._consumed = self._read_offset()
        if self._consumed > self._size():
            self._consumed = 0

    def _fsync_dir(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _size(self) -> int:
        return self.path.stat().st_size

    def _read_offset(self) -> int:
        try:
            return int(self._offset_path.read_text().strip() or 0)
        except (OSError, ValueError):
            return 0

    def append(self, session_id: int | None, lines: list[str]) -> None:
        """Write a record durably (returns after fsync)."""
        body = json.dumps({"s": session_id, "l": lines}, separators=(",", ":")).encode()
        self._fh.write(b"%08x %s\n" % (zlib.crc32(body), body))
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def pending(self) -> bool:
        return self._size() > self._consumed

    def records(self) -> Iterator[SpoolRecord]:
        """Records not yet consumed, in order; stops at a torn or corrupt tail."""
        with open(self.path, "rb") as fh:
            fh.seek(self._consumed)
            offset = self._consumed
            for raw in fh:
                end = offset + len(raw)
                record = self._decode(raw)
                if record is None:
                    if raw.endswith(b"\n") and end < self._size():
                        log.error("spool record corrupt, skipped %s", kv(offset=offset))
                        offset = end
                        continue
                    log.warning("spool tail torn (crash during append), ignored %s",
                                kv(offset=offset))  # fmt: skip
                    return
                session_id, lines = record
                yield SpoolRecord(end, session_id, lines)
                offset = end

    @staticmethod
    def _decode(raw: bytes) -> tuple[int | None, list[str]] | None:
        if not raw.endswith(b"\n") or len(raw) < 10 or raw[8:9] != b" ":
            return None
        body = raw[9:-1]
        try:
            if int(raw[:8], 16) != zlib.crc32(body):
                return None
            data = json.loads(body)
            return data["s"], list(data["l"])
        except (ValueError, KeyError, TypeError):
            return None

    def consumed(self, end_offset: int) -> None:
        """Everything before ``end_offset`` is in the database now."""
        self._consumed = end_offset
        if end_offset >= self._size():
            self._fh.truncate(0)
            os.fsync(self._fh.fileno())
            self._consumed = 0
        self._offset_path.write_text(str(self._consumed))

    def scan(self) -> Iterator[SpoolRecord]:
        """All unconsumed records (for sequence marks while the database is away)."""
        return self.records()

    def close(self) -> None:
        self._fh.close()
