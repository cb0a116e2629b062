"""Shared fixtures: a real PostgreSQL cluster and real listener processes.

One throwaway cluster serves the whole run; every test gets a fresh database
cloned from a migrated template, so tests never see each other's rows.
Tests that stop PostgreSQL get a cluster of their own (``own_cluster``).
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import pytest

from daemons.common import migrate
from project88.pgcluster import Cluster, free_port

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = "p88_raw_template"
_db_numbers = itertools.count(1)


def _new_cluster() -> Cluster:
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="p88test-pg-", dir="/tmp")))
    cluster.start()
    return cluster


# Group roles the production migrations create. Roles belong to the cluster; tests
# that migrate as a database owner (no CREATEROLE, as in production_database) find
# them made, as the deployment's superuser migrations would have.
GROUP_ROLES = ("nlq_reader", "web_anon", "p88_sync")


def _group_roles(cluster: Cluster) -> None:
    conn = psycopg2.connect(cluster.dsn("postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        for role in GROUP_ROLES:
            cur.execute(f"SELECT FROM pg_roles WHERE rolname = '{role}'")
            if cur.fetchone() is None:
                cur.execute(f"CREATE ROLE {role} NOLOGIN")
    conn.close()


@pytest.fixture(scope="session")
def pg() -> Iterator[Cluster]:
    cluster = _new_cluster()
    _group_roles(cluster)
    cluster.create_database(TEMPLATE)
    migrate.apply(cluster.dsn(TEMPLATE), "raw_tag_data")
    yield cluster
    cluster.destroy()


def fresh_database(cluster: Cluster, template: str = TEMPLATE) -> str:
    name = f"raw_test_{os.getpid()}_{next(_db_numbers)}"
    conn = psycopg2.connect(cluster.dsn("postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    conn.close()
    return cluster.dsn(name)


@pytest.fixture
def raw_dsn(pg: Cluster) -> str:
    return fresh_database(pg)


@pytest.fixture
def own_cluster() -> Iterator[tuple[Cluster, str]]:
    """A cluster this test may stop and start; yields (cluster, migrated raw DSN)."""
    cluster = _new_cluster()
    cluster.create_database("raw_tag_data")
    dsn = cluster.dsn("raw_tag_data")
    migrate.apply(dsn, "raw_tag_data")
    yield cluster, dsn
    cluster.destroy()


@pytest.fixture
def tiny_filesystem(tmp_path: Path) -> Iterator[Path]:
    """A 96 KiB tmpfs mounted for this test: a spool disk that really fills up (ENOSPC)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (the suite runs as root in CI)")
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k,mode=0755", "tmpfs", str(mount_point)],
                   check=True)  # fmt: skip
    yield mount_point
    subprocess.run(["umount", "--lazy", str(mount_point)], check=False)


def query(dsn: str, sql: str, params: object = None) -> list[tuple]:
    conn = psycopg2.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@dataclass
class ListenerProcess:
    """``python -m daemons.ct_listener`` as a real process on a real port."""

    dsn: str
    workdir: Path
    env_overrides: dict[str, str] = field(default_factory=dict)
    port: int = 0
    proc: subprocess.Popen | None = None
    starts: int = 0

    def __post_init__(self) -> None:
        self.port = self.port or free_port()
        self.spool_dir = self.workdir / "spool"
        self.log_path = self.workdir / "listener.log"

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            P88_RAW_DSN=self.dsn,
            P88_CT_HOST="127.0.0.1",
            P88_CT_PORT=str(self.port),
            P88_CT_AUTH="none",
            P88_SPOOL_DIR=str(self.spool_dir),
            P88_TIMEZONE="America/New_York",
            P88_STATUS_INTERVAL="1",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.env_overrides)
        return env

    def start(self, wait: bool = True) -> ListenerProcess:
        self.starts += 1
        log = open(self.log_path, "a")  # noqa: SIM115 - handed to the child
        log.write(f"---- start {self.starts}\n")
        log.flush()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "daemons.ct_listener"],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        if wait:
            # Wait for its own "listening" line: probing the port would itself be
            # a client connection, logged in connection_log.
            marker = f"listening host=127.0.0.1 port={self.port}"
            wait_for(
                lambda: self.log().count(marker) >= self.starts or self.proc.poll() is not None,
                15,
                what="listener to listen",
            )
            if self.proc.poll() is not None:
                raise AssertionError(f"listener exited early:\n{self.log()}")
        return self

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def terminate(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(30)

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def stop(self) -> None:
        stop_process(self.proc)


def _daemon_factory(tmp_path: Path, kind: type, name: str):
    """Yield a maker of ``kind`` daemons (each in a workdir of its own); stop them all after."""
    started: list = []

    def make(dsn: str, **env: str):
        workdir = tmp_path / f"{name}{len(started)}"
        workdir.mkdir()
        proc = kind(dsn, workdir, env)
        started.append(proc)
        return proc

    yield make
    for proc in started:
        proc.stop()


def stop_process(proc: subprocess.Popen | None) -> int | None:
    """SIGTERM, then SIGKILL after 15 s; the exit code (None if never started)."""
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode if proc is not None else None


class NotifySocket:
    """A stand-in for systemd's notify socket: bind first, start the daemon, then collect."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))

    def collect(self, wanted: set[str], timeout: float = 10) -> list[str]:
        """Datagram lines until each of ``wanted`` (``READY=1``, ``STATUS``…) was seen."""
        lines: list[str] = []
        seen: set[str] = set()
        self.sock.settimeout(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not wanted <= seen:
            for item in self.sock.recv(4096).decode().split("\n"):
                lines.append(item)
                seen.add("STATUS" if item.startswith("STATUS=") else item)
        return lines

    def close(self) -> None:
        self.sock.close()
        self.path.unlink(missing_ok=True)


@pytest.fixture
def listener_factory(tmp_path: Path):
    yield from _daemon_factory(tmp_path, ListenerProcess, "listener")


@dataclass
class DisplayProcess:
    """``python -m daemons.display_http`` as a real process on a real port."""

    dsn: str
    workdir: Path
    env_overrides: dict[str, str] = field(default_factory=dict)
    port: int = 0
    proc: subprocess.Popen | None = None

    def __post_init__(self) -> None:
        self.port = self.port or free_port()
        self.log_path = self.workdir / "display.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> DisplayProcess:
        env = dict(os.environ)
        env.update(
            P88_RAW_DSN=self.dsn,
            P88_DISPLAY_HOST="127.0.0.1",
            P88_DISPLAY_PORT=str(self.port),
            P88_TIMEZONE="America/New_York",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.env_overrides)
        log = open(self.log_path, "a")  # noqa: SIM115 - handed to the child
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "daemons.display_http"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        marker = f"listening host=127.0.0.1 port={self.port}"
        wait_for(
            lambda: marker in self.log() or self.proc.poll() is not None,
            15,
            what="display_http to listen",
        )
        if self.proc.poll() is not None:
            raise AssertionError(f"display_http exited early:\n{self.log()}")
        return self

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def stop(self) -> int | None:
        return stop_process(self.proc)


@pytest.fixture
def display_factory(tmp_path: Path):
    yield from _daemon_factory(tmp_path, DisplayProcess, "display")


class SseReader:
    """A test client for ``text/event-stream``: yields (id, event, data) as they arrive."""

    def __init__(self, url: str, headers: dict[str, str] | None = None, timeout: float = 10):
        import requests

        self.response = requests.get(url, headers=headers or {}, stream=True, timeout=timeout)
        self._lines = self.response.iter_lines(decode_unicode=True)

    def events(self):
        event_id, name, data = None, "message", []
        for line in self._lines:
            if line == "":
                if data:
                    yield event_id, name, "\n".join(data)
                event_id, name, data = None, "message", []
            elif line.startswith(":"):
                continue
            else:
                key, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if key == "id":
                    event_id = value
                elif key == "event":
                    name = value
                elif key == "data":
                    data.append(value)

    def take(self, count: int, event: str = "read") -> list[tuple[str, dict]]:
        import json

        got = []
        for event_id, name, data in self.events():
            if name == event:
                got.append((event_id, json.loads(data)))
                if len(got) == count:
                    break
        return got

    def close(self) -> None:
        self.response.close()
