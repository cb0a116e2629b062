"""A throwaway PostgreSQL cluster in a local folder, for `make demo`, tests and benchmarks.

Uses the distribution's PostgreSQL binaries (Debian: /usr/lib/postgresql/<v>/bin).
PostgreSQL refuses to run as root, so when we are root the server runs as the
``postgres`` system user that the Debian package creates. The cluster trusts
local connections only and listens on 127.0.0.1 and a socket in its folder.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class ClusterError(RuntimeError):
    pass


def find_bindir() -> Path:
    override = os.environ.get("P88_PG_BINDIR")
    if override:
        return Path(override)
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    for candidate in reversed(candidates):
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise ClusterError(
        "PostgreSQL server binaries not found: apt-get install postgresql-15 (or set P88_PG_BINDIR)"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    root: Path
    port: int = 0
    superuser: str = "postgres"

    def __post_init__(self) -> None:
        self.root = self.root.resolve()
        self.bindir = find_bindir()
        self.datadir = self.root / "data"
        self.socketdir = self.root / "socket"
        self.logfile = self.root / "postgres.log"
        port_file = self.root / "port"
        if not self.port:
            self.port = int(port_file.read_text()) if port_file.exists() else free_port()
        self._run_as = self._server_user()

    # -- running commands as the server's user -------------------------------------------
    @staticmethod
    def _server_user() -> str | None:
        if os.geteuid() != 0:
            return None
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise ClusterError(
                "running as root needs the 'postgres' system user (apt-get install postgresql-15)"
            ) from None
        return "postgres"

    def _cmd(self, argv: Sequence[str]) -> list[str]:
        if self._run_as:
            return ["runuser", "-u", self._run_as, "--", *argv]
        return list(argv)

    def _run(self, argv: Sequence[str]) -> None:
        result = subprocess.run(self._cmd(argv), capture_output=True, text=True, check=False)
        if result.returncode != 0:
            output = result.stderr.strip() or result.stdout.strip()
            raise ClusterError(f"{argv[0]} failed: {output}")

    def _chown(self, path: Path) -> None:
        if self._run_as:
            entry = pwd.getpwnam(self._run_as)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    # -- lifecycle -------------------------------------------------------------------------
    def init(self) -> None:
        if (self.datadir / "PG_VERSION").exists():
            return
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)  # the server user must be able to reach its folder
        (self.root / "port").write_text(str(self.port))
        for directory in (self.datadir, self.socketdir):
            directory.mkdir(exist_ok=True)
            self._chown(directory)
        self.datadir.chmod(0o700)
        self._run(
            [
                str(self.bindir / "initdb"),
                "-D", str(self.datadir),
                "-U", self.superuser,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ]
        )  # fmt: skip
        conf = self.datadir / "postgresql.auto.conf"
        with conf.open("a") as fh:
            fh.write(
                f"listen_addresses = '127.0.0.1'\n"
                f"port = {self.port}\n"
                f"unix_socket_directories = '{self.socketdir}'\n"
                "max_connections = 200\n"
                "shared_buffers = '256MB'\n"
            )

    def start(self) -> None:
        self.init()
        if self.running():
            return
        if not self.logfile.exists():
            self.logfile.touch()
            self._chown(self.logfile)
        self._run(
            [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-l", str(self.logfile),
             "-w", "-t", "60", "start"]
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        if self.running():
            pg_ctl = str(self.bindir / "pg_ctl")
            self._run([pg_ctl, "-D", str(self.datadir), "-m", mode, "-w", "stop"])

    def running(self) -> bool:
        result = subprocess.run(
            self._cmd([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "status"]),
            capture_output=True,
            check=False,
        )
        return result.returncode == 0

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    # -- databases -------------------------------------------------------------------------
    def dsn(self, dbname: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user={self.superuser} dbname={dbname}"

    def create_database(self, name: str) -> None:
        import psycopg2  # local import: pgcluster is usable before the venv has it

        conn = psycopg2.connect(self.dsn("postgres"))
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                if cur.fetchone() is None:
                    cur.execute(f'CREATE DATABASE "{name}"')
        finally:
            conn.close()
