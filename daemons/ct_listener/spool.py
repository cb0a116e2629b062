"""The durable local spool: where reads wait while PostgreSQL is unreachable.

An append-only file of records, one per batch: ``<crc32> <json>\\n``, flushed
and fsync'ed before ``append`` returns — from then on the reads count as
received. Draining replays records in order; the database's unique key makes a
replay after a crash harmless. A torn last record (a crash mid-append) was
never acknowledged, so it is dropped; the client still has those reads.

A record that cannot be written whole (a full or read-only filesystem, an I/O
error) is cut off again before ``append`` raises ``SpoolUnwritable``, so a
failed append never leaves a torn record in the middle of the file, where it
would hide the good records written after it.
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


class SpoolUnwritable(OSError):
    """The spool could not take a record; nothing of it was kept."""


@dataclass(frozen=True)
class SpoolRecord:
    end_offset: int
    session_id: int | None
    lines: list[str]
    stream: int = 1


class Spool:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / "spool.log"
        self._offset_path = directory / "spool.offset"
        # A raw descriptor, not a buffered file: a failed write must leave no
        # bytes behind in a buffer to be flushed, out of place, by the next one.
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)
        self._fsync_dir()
        self._consumed = self._read_offset()
        if self._consumed > self._size():
            self._consumed = 0
        self._cut_torn_tail()

    def _cut_torn_tail(self) -> None:
        """A crash (or a full disk) mid-append leaves a torn last record: cut it off.

        Left in place, the next record appended would follow it on the same line
        and be skipped with it as corrupt.
        """
        end = self._consumed
        for record in self.records():
            end = record.end_offset
        size = self._size()
        if size > end:
            log.warning("spool tail cut off %s", kv(offset=end, bytes=size - end))
            self._cut_back(end)

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

    def append(self, session_id: int | None, lines: list[str], stream: int = 1) -> None:
        """Write a record durably (returns after fsync)."""
        fields: dict[str, object] = {"s": session_id, "l": lines}
        if stream != 1:  # records written before streams existed are stream 1
            fields["k"] = stream
        body = json.dumps(fields, separators=(",", ":")).encode()
        record = memoryview(b"%08x %s\n" % (zlib.crc32(body), body))
        size = os.fstat(self._fd).st_size
        try:
            while record:
                record = record[os.write(self._fd, record) :]
            os.fsync(self._fd)
        except OSError as exc:
            self._cut_back(size)
            raise SpoolUnwritable(exc.errno, f"spool append failed: {exc.strerror}") from exc

    def _cut_back(self, size: int) -> None:
        try:
            os.ftruncate(self._fd, size)
        except OSError as exc:  # the tail is then torn, which records() already skips
            log.error("spool could not be cut back %s", kv(size=size, error=exc.strerror))

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
                session_id, lines, stream = record
                yield SpoolRecord(end, session_id, lines, stream)
                offset = end

    @staticmethod
    def _decode(raw: bytes) -> tuple[int | None, list[str], int] | None:
        if not raw.endswith(b"\n") or len(raw) < 10 or raw[8:9] != b" ":
            return None
        body = raw[9:-1]
        try:
            if int(raw[:8], 16) != zlib.crc32(body):
                return None
            data = json.loads(body)
            return data["s"], list(data["l"]), int(data.get("k", 1))
        except (ValueError, KeyError, TypeError):
            return None

    def consumed(self, end_offset: int) -> None:
        """Everything before ``end_offset`` is in the database now."""
        self._consumed = end_offset
        if end_offset >= self._size():
            os.ftruncate(self._fd, 0)  # frees the space first: the spool may be full
            os.fsync(self._fd)
            self._consumed = 0
        # Saved by rename, so a full disk leaves the old offset rather than an
        # empty file. Losing it only replays drained records: harmless duplicates.
        temporary = self._offset_path.with_suffix(".tmp")
        try:
            temporary.write_text(str(self._consumed))
            os.replace(temporary, self._offset_path)
        except OSError as exc:
            log.warning("spool offset not saved %s", kv(error=exc.strerror))

    def scan(self) -> Iterator[SpoolRecord]:
        """All unconsumed records (for sequence marks while the database is away)."""
        return self.records()

    def close(self) -> None:
        os.close(self._fd)
