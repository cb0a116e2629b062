"""CTP01 read lines (CT01_33 / CT01_13, shared/ctp01.md §3) parsed, sans-I/O.

A line becomes a ``TagRead`` (an athlete's tag or a gun start), a ``RejectedRead``
(stored to keep the sequence gap-free, but not a read), a ``NewLocation``
announcement, or a ``BadLine`` that belongs to no (location, seq).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import times

MAX_SEQ = 2**31 - 1
MAX_TAG = 8
MAX_READER = 6
MAX_LOCATION = 100
MAX_LAP = 65535
MAX_GATOR = 255
READ_FORMATS = {"CT01_33": "~", "CT01_13": ","}


@dataclass(frozen=True, slots=True)
class TagRead:
    """A keyed, valid read: an athlete's tag or (``is_gun``) a gun start."""

    location: str
    seq: int
    tag: str
    time: times.ReadTime
    lap: int
    reader_id: str
    gator: int
    raw: str
    is_gun: bool = False


@dataclass(frozen=True, slots=True)
class RejectedRead:
    """A line with a usable (location, seq) whose other fields are invalid.

    It is stored (and so keeps the sequence gap-free) but is not a read.
    """

    location: str
    seq: int
    reason: str
    raw: str


@dataclass(frozen=True, slots=True)
class NewLocation:
    location: str


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line that cannot be attributed to any (location, seq)."""

    reason: str


Keyed = TagRead | RejectedRead


def printable(text: str) -> str:
    """``text`` made safe for a log line or a TEXT column (control chars escaped)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def parse_read_line(line: str) -> TagRead | RejectedRead | NewLocation | BadLine:
    """Parse a CT01_33 / CT01_13 line (already without its line ending)."""
    fmt = line[:7].upper()
    sep = line[7:8]
    # Some clients send CT01_13 with CT01_33's tildes (ctp01.md §3): either is a read.
    if fmt not in READ_FORMATS or (
        sep != READ_FORMATS[fmt] and not (fmt == "CT01_13" and sep == "~")
    ):
        return BadLine("not a CT01_33/CT01_13 line")
    fields = line.split(sep)
    if len(fields) != 8:
        return BadLine(f"expected 8 fields, got {len(fields)}")
    _, seq_text, location, tag, time_text, lap_text, reader_id, gator_text = fields
    if not location or len(location) > MAX_LOCATION or not location.isprintable():
        return BadLine("invalid location name")
    if tag.lower() == "newlocation":
        return NewLocation(location)
    if not seq_text.isascii() or not seq_text.isdigit():
        return BadLine(f"sequence {printable(seq_text)[:20]!r} is not a number")
    seq = int(seq_text)
    if not 1 <= seq <= MAX_SEQ:
        return BadLine(f"sequence {seq} out of range")

    raw = printable(line)

    def reject(reason: str) -> RejectedRead:
        return RejectedRead(location, seq, reason, raw)

    if not tag or len(tag) > MAX_TAG or not tag.isprintable():
        return reject(f"tag must be 1-{MAX_TAG} printable characters")
    try:
        read_time = times.parse(time_text)
    except times.TimeFormatError as exc:
        return reject(str(exc))
    if not (lap_text.isascii() and lap_text.isdigit()) or int(lap_text) > MAX_LAP:
        return reject(f"lap must be 0-{MAX_LAP}")
    if len(reader_id) > MAX_READER or not reader_id.isprintable():
        return reject(f"reader id must be at most {MAX_READER} printable characters")
    if not (gator_text.isascii() and gator_text.isdigit()) or int(gator_text) > MAX_GATOR:
        return reject(f"gator must be 0-{MAX_GATOR}")
    return TagRead(
        location=location,
        seq=seq,
        tag=tag,
        time=read_time,
        lap=int(lap_text),
        reader_id=reader_id,
        gator=int(gator_text),
        raw=raw,
        is_gun=tag.lower() == "guntime",
    )
