"""Backup files: names, atomic writes, retention. The naming and choosing are pure."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import signal
import subprocess
import threading
from pathlib import Path

SUFFIX = ".dump"
_NAME = re.compile(r"^(?P<db>[A-Za-z0-9_]+)_(?P<stamp>\d{8}_\d{6})\.dump$")


def file_name(database: str, when: dt.datetime) -> str:
    """``raw_tag_data_20261125_024500.dump``: by database and (local) date."""
    return f"{database}_{when:%Y%m%d_%H%M%S}{SUFFIX}"


def expired(names: list[str], database: str, keep: int) -> list[str]:
    """The backups of ``database`` beyond the newest ``keep`` (other files are never touched)."""
    ours = sorted(
        (m.group("stamp"), name)
        for name in names
        if (m := _NAME.match(name)) and m.group("db") == database
    )
    return [name for _stamp, name in ours[:-keep]] if len(ours) > keep else []


class BackupFailed(Exception):
    pass


def dump(pg_dump: str, dsn: str, target: Path, stop: threading.Event) -> int:
    """``pg_dump -Fc`` into ``target``, atomically: a temporary name, fsync, rename, fsync dir.

    A failed or interrupted dump leaves no file under the final name. Returns its size.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    with open(partial, "wb") as out:
        proc = subprocess.Popen(
            [pg_dump, "--format=custom", "--no-password", f"--dbname={dsn}"],
            stdout=out,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        errors = _wait(proc, stop)
        if proc.returncode != 0:
            out.close()
            partial.unlink(missing_ok=True)
            reason = "stopped" if stop.is_set() else (errors.strip() or f"exit {proc.returncode}")
            raise BackupFailed(f"pg_dump failed: {reason}")
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)
    return target.stat().st_size


def _wait(proc: subprocess.Popen[bytes], stop: threading.Event) -> str:
    """Wait for pg_dump; on ``stop`` end it (SIGTERM to its group). Returns its stderr."""
    assert proc.stderr is not None
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.append(proc.stderr.read()), daemon=True)
    reader.start()
    while proc.poll() is None:
        if stop.wait(0.2):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
    reader.join(5)
    return b"".join(chunks).decode("utf-8", "replace")
