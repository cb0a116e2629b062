"""bench/apache_streams: other requests through Apache while it relays thousands of display streams.

Everything runs on this machine in one run: a throwaway PostgreSQL cluster, the
real display daemon (``python -m daemons.display_http``, gevent) behind a private
apache2 that runs the shipped templates (``apache/*.j2``, rendered and sized by
``tests/e2e/apache_harness.py`` as the Ansible role renders them, for this
host's memory unless ``--memory-mb`` says otherwise), and small stand-ins
(``tests.e2e.apache_harness.StandIn``) for the ai name's backends, which are
not what is measured here.

A holder process (this file again, one asyncio loop) opens display streams
through Apache over TLS, as screens do: ``GET /api/timing/stream`` on the
display name (``--route``), held once display_http's ``: connected`` frame has
come through Apache; a 503 (the stream route's per-process share is full) is
retried after ``--retry-ms``, as display.js does. At each level (0 streams -
the baseline, measured in the same run - then each of ``--levels``), once
every stream is held, sequential probes each open a fresh TLS connection and
time one GET to completion, round-robin over: the main site's landing page,
the ai name's ``/nlq/`` (stand-in) and the display's own page (display_http,
not a stream). Reported per level: p50/p99/max ms and failures (an error, a
non-200 or no answer within ``--probe-timeout``), p99 against the baseline's,
and Apache's memory: the sum of VmRSS over its processes (counts shared pages
once per process) and the sum of Pss (shares them out), and its thread count.
Then ``--reloads`` graceful reloads (SIGUSR1, what ``systemctl reload`` sends)
with every stream still open - each leaves the old generation of processes
relaying its streams beside the new one - and after each, ``--reload-streams``
more screens connect and the probes run again.

Usage: python bench/apache_streams.py [--levels 1000,5000] [--probes 150] [--reloads 3]
       [--route display] [--memory-mb <this host>] [--stock]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.stats import percentile  # noqa: E402
from daemons.common import migrate  # noqa: E402
from project88.pgcluster import Cluster  # noqa: E402
from tests.conftest import DisplayProcess  # noqa: E402
from tests.e2e.apache_harness import NAMES, Apache, StandIn  # noqa: E402

PROBES = {  # label -> (vhost, path)
    "main /": ("main", "/"),
    "ai /nlq/": ("ai", "/nlq/"),
    "display page": ("display", "/?location=finish"),
}
WARMUP = 10  # probes per URL before the baseline, not counted
ROUTES = {"display": ("display", ""), "main": ("main", "/race-display")}
# Debian's stock mpm_event.conf, for --stock: what issue 13 saw.
STOCK_MPM = """StartServers 2
MinSpareThreads 25
MaxSpareThreads 75
ThreadLimit 64
ThreadsPerChild 25
MaxRequestWorkers 150
MaxConnectionsPerChild 0
"""


def raise_nofile() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def memtotal_mb() -> int:
    """What ansible_memtotal_mb reports for this host."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024
    raise SystemExit("no MemTotal in /proc/meminfo")


# -- the holder (a child process) --------------------------------------------------------------
class Holder:
    """Holds display streams through Apache; asked for a count on stdin, reports on stdout."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        vhost, prefix = ROUTES[args.route]
        self.name = NAMES[vhost]
        self.request = (
            f"GET {prefix}/api/timing/stream?location=finish HTTP/1.1\r\n"
            f"Host: {self.name}:{args.port}\r\nAccept: text/event-stream\r\n\r\n"
        ).encode()
        self.context = ssl.create_default_context(cafile=args.cafile)
        self.held = self.refused = self.errors = self.lost = 0
        self.tasks: set[asyncio.Task[None]] = set()
        self.changed = asyncio.Event()

    async def one(self) -> None:
        """One screen: connect, and keep the stream; on a 503 or an error, come back."""
        while True:
            writer = None
            try:
                reader, writer = await asyncio.open_connection(
                    "127.0.0.1", self.args.port, ssl=self.context, server_hostname=self.name
                )
                writer.write(self.request)
                status = (await reader.readline()).split(b" ", 2)[1]
                if status != b"200":
                    self.refused += 1
                    writer.close()
                    await asyncio.sleep(self.args.retry_ms / 1000)
                    continue
                while b": connected" not in await reader.readline():
                    pass
                self.held += 1
                self.changed.set()
                try:
                    while await reader.read(65536):
                        pass
                finally:
                    self.held -= 1
                    self.lost += 1
            except (OSError, IndexError, asyncio.IncompleteReadError):
                self.errors += 1
            finally:
                if writer is not None:
                    writer.close()
            await asyncio.sleep(self.args.retry_ms / 1000)

    async def hold(self, target: int) -> dict[str, object]:
        started = time.monotonic()
        refused0, errors0 = self.refused, self.errors
        deadline = started + self.args.open_timeout
        while len(self.tasks) < target:
            # Screens arrive in bursts of --burst at a time, not all at once.
            for _ in range(min(self.args.burst, target - len(self.tasks))):
                task = asyncio.create_task(self.one())
                self.tasks.add(task)
            while (
                self.held < len(self.tasks) - self.args.burst // 2 and time.monotonic() < deadline
            ):
                await asyncio.sleep(0.01)
        while self.held < target and time.monotonic() < deadline:
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), 0.5)
        return {"held": self.held, "seconds": time.monotonic() - started,
                "refused": self.refused - refused0, "errors": self.errors - errors0,
                "lost": self.lost}  # fmt: skip

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            target = int(line)
            if target == -1:  # status only
                result = {"held": self.held, "lost": self.lost, "errors": self.errors}
            else:
                result = await self.hold(target)
            print(json.dumps(result), flush=True)


# -- probes and measurements -------------------------------------------------------------------
def probe(apache: Apache, context: ssl.SSLContext, vhost: str, path: str,
          timeout: float) -> float | None:  # fmt: skip
    """Seconds for one GET on a fresh TLS connection, to the end of the body; None if failed."""
    started = time.monotonic()
    request = (f"GET {path} HTTP/1.1\r\nHost: {NAMES[vhost]}:{apache.https_port}\r\n"
               "Connection: close\r\n\r\n").encode()  # fmt: skip
    answer = b""
    try:
        with (
            socket.create_connection(("127.0.0.1", apache.https_port), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=NAMES[vhost]) as sock,
        ):
            sock.sendall(request)
            while chunk := sock.recv(65536):
                answer += chunk
                if time.monotonic() - started > timeout:
                    return None
    except OSError:
        return None
    return time.monotonic() - started if answer.startswith(b"HTTP/1.1 200") else None


def measure(apache: Apache, n: int, timeout: float) -> dict[str, dict[str, float]]:
    context = apache.tls_context()
    times: dict[str, list[float]] = {label: [] for label in PROBES}
    failed = dict.fromkeys(PROBES, 0)
    for _ in range(n):
        for label, (vhost, path) in PROBES.items():
            took = probe(apache, context, vhost, path, timeout)
            if took is None:
                failed[label] += 1
            else:
                times[label].append(took * 1000)
    result = {}
    for label, values in times.items():
        pct = {p: percentile(values, p) if values else float("nan") for p in (50, 99, 100)}
        result[label] = {"n": n, "failed": failed[label], "p50": pct[50], "p99": pct[99],
                         "max": pct[100]}  # fmt: skip
    return result


def apache_memory(pgid: int) -> dict[str, float]:
    """Sum of VmRSS and of Pss (MB) and the threads of every process in Apache's group."""
    rss = pss = 0.0
    threads = processes = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if int((proc / "stat").read_text().rsplit(")", 1)[1].split()[2]) != pgid:
                continue
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1]) / 1024
                elif line.startswith("Threads:"):
                    threads += int(line.split()[1])
            for line in (proc / "smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1]) / 1024
            processes += 1
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
    return {"rss_mb": rss, "pss_mb": pss, "threads": threads, "processes": processes}


def settle(apache: Apache, timeout: float = 60.0) -> None:
    """Until every process StartServers asks for is up with all its threads."""
    started, last = time.monotonic(), -1
    while time.monotonic() - started < timeout:
        now = apache_memory(apache.proc.pid)["threads"]
        if now == last:
            return
        last = now
        time.sleep(1.0)


# -- the run -----------------------------------------------------------------------------------
def ask(holder: subprocess.Popen[str], target: int) -> dict[str, object]:
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.write(f"{target}\n")
    holder.stdin.flush()
    return json.loads(holder.stdout.readline())


Figures = dict[str, dict[str, float]]


def print_level(title: str, held: dict[str, object], figures: Figures,
                memory: dict[str, float], baseline: Figures) -> str:  # fmt: skip
    """Print one level's table; return its verdict."""
    opened = (f" (opened in {held['seconds']:.1f} s; {held['refused']:,} answered 503 and retried,"
              f" {held['errors']:,} errors; {held['lost']:,} held streams lost so far)"
              if "seconds" in held else "")  # fmt: skip
    print(f"\n{title}: {held['held']:,} streams held{opened}; Apache {memory['processes']}"
          f" processes, {memory['threads']:,} threads, RSS sum {memory['rss_mb']:,.0f} MB,"
          f" PSS sum {memory['pss_mb']:,.0f} MB")  # fmt: skip
    print(f"  {'other requests, ms':22}{'n':>6}{'failed':>8}{'p50':>9}{'p99':>9}{'max':>9}"
          f"{'p99 vs 0 streams':>19}")  # fmt: skip
    for label, f in figures.items():
        ratio = f["p99"] / baseline[label]["p99"]
        print(f"  {label:22}{f['n']:>6}{f['failed']:>8}{f['p50']:>9.1f}{f['p99']:>9.1f}"
              f"{f['max']:>9.1f}{ratio:>18.1f}x")  # fmt: skip
    sys.stdout.flush()
    failed = sum(int(f["failed"]) for f in figures.values())
    worst = max(f["p99"] for f in figures.values())
    return (
        f"{title}: {held['held']:,} held, other requests "
        + (f"{failed} FAILED" if failed else "all answered")
        + f", worst p99 {worst:.1f} ms"
    )


def start_stack(args: argparse.Namespace, workdir: Path, cleanup: list) -> Apache:
    """PostgreSQL, display_http, the stand-ins and Apache; their stops go on ``cleanup``."""
    cluster = Cluster(workdir / "pg")
    cluster.start()
    cleanup.append(cluster.destroy)
    cluster.create_database("raw_tag_data")
    dsn = cluster.dsn("raw_tag_data")
    migrate.apply(dsn, "raw_tag_data")
    most = max(int(x) for x in args.levels.split(",")) + args.reloads * args.reload_streams
    daemon = DisplayProcess(dsn, workdir, {"P88_DISPLAY_MAX_STREAMS": str(most + 500)})
    daemon.start()
    cleanup.append(daemon.stop)
    stand_ins = {name: StandIn(name).start() for name in ("nlq", "open-webui", "postgrest")}
    cleanup += [s.stop for s in stand_ins.values()]
    apache = Apache(apache_display_backend_port=daemon.port,
                    apache_nlq_backend_port=stand_ins["nlq"].port,
                    apache_open_webui_backend_port=stand_ins["open-webui"].port,
                    apache_postgrest_backend_port=stand_ins["postgrest"].port,
                    apache_memory_mb=args.memory_mb)  # fmt: skip
    if args.stock:
        apache.mpm_override = STOCK_MPM
    apache.start()
    cleanup.append(apache.stop)
    # display_http before Apache: a worker relaying a stream whose client
    # has gone notices only at the next heartbeat, and holds up the stop.
    cleanup.append(daemon.stop)
    return apache


def run(args: argparse.Namespace) -> int:
    levels = [int(x) for x in args.levels.split(",")]
    nofile = raise_nofile()
    if nofile < max(levels) + args.reloads * args.reload_streams + 200:
        raise SystemExit(f"open-files limit {nofile} is too low for {max(levels)} streams")
    workdir = Path(tempfile.mkdtemp(prefix="p88bench-apache-", dir="/tmp"))
    workdir.chmod(0o755)  # the PostgreSQL server user must reach its folder inside
    cleanup: list = []
    try:
        apache = start_stack(args, workdir, cleanup)
        mpm = (apache.root / "conf" / "mpm.conf").read_text()
        sizing = [line for line in mpm.splitlines() if line and not line.startswith("#")]
        sized = "Debian's STOCK MPM limits" if args.stock else f"sized for {args.memory_mb:,} MB"
        print(f"bench/apache_streams on {os.cpu_count()} cores, {memtotal_mb():,} MB; Apache"
              f" {sized}; logs in {workdir}\n  " + "; ".join(" ".join(s.split()) for s in sizing)
              + f"\n  streams: {args.route} route, to display_http (the real daemon)")  # fmt: skip
        holder = subprocess.Popen(
            [sys.executable, __file__, "--holder", "--port", str(apache.https_port),
             "--cafile", str(apache.cert), "--route", args.route, "--retry-ms", str(args.retry_ms),
             "--burst", str(args.burst), "--open-timeout", str(args.open_timeout)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        cleanup.append(holder.kill)
        settle(apache)
        measure(apache, WARMUP, args.probe_timeout)  # first connections to each backend
        baseline = measure(apache, args.probes, args.probe_timeout)
        memory = apache_memory(apache.proc.pid)
        verdicts = [print_level("0 streams (baseline)", {"held": 0}, baseline, memory, baseline)]

        def level(title: str, target: int) -> None:
            held = ask(holder, target)
            figures = measure(apache, args.probes, args.probe_timeout)
            memory = apache_memory(apache.proc.pid)
            held |= {k: v for k, v in ask(holder, -1).items() if k in ("held", "lost")}
            verdicts.append(print_level(title, held, figures, memory, baseline))

        for target in levels:
            level(f"{target:,} streams", target)
        # A graceful reload (systemctl reload: the role, certificate renewals)
        # starts a new generation beside the old one, which keeps its streams.
        for reload in range(1, args.reloads + 1):
            os.kill(apache.proc.pid, signal.SIGUSR1)  # what apachectl graceful sends
            time.sleep(2)
            settle(apache)
            level(f"after graceful reload {reload}", levels[-1] + reload * args.reload_streams)
        print("\nverdict:\n  " + "\n  ".join(verdicts))
        return 0
    finally:
        for step in reversed(cleanup):
            try:
                step()
            except Exception as exc:  # every step must still run
                print(f"cleanup: {exc}", file=sys.stderr)


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # cleanup runs on a timeout too
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--levels", default="1000,5000", help="stream counts, in order")
    parser.add_argument("--probes", type=int, default=150,
                        help="requests per probed URL per level (3 URLs)")  # fmt: skip
    parser.add_argument("--probe-timeout", type=float, default=5.0, help="seconds")
    parser.add_argument("--route", choices=sorted(ROUTES), default="display",
                        help="streams on the display name, or main's /race-display/")  # fmt: skip
    parser.add_argument("--memory-mb", type=int, default=memtotal_mb(),
                        help="host memory Apache is sized for (ansible_memtotal_mb)")  # fmt: skip
    parser.add_argument("--stock", action="store_true",
                        help="Debian's stock MPM limits instead of the shipped sizing")  # fmt: skip
    parser.add_argument("--reloads", type=int, default=3,
                        help="graceful reloads after the last level, streams held")  # fmt: skip
    parser.add_argument("--reload-streams", type=int, default=300,
                        help="new streams opened after each reload")  # fmt: skip
    parser.add_argument("--burst", type=int, default=200, help="streams opening at once")
    parser.add_argument("--retry-ms", type=int, default=500, help="wait after a refused stream")
    parser.add_argument("--open-timeout", type=float, default=300.0,
                        help="seconds to reach a level's stream count")  # fmt: skip
    # The holder is this file again, in a child process.
    parser.add_argument("--holder", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--cafile", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.holder:
        raise_nofile()
        asyncio.run(Holder(args).serve())
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
