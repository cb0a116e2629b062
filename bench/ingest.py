"""bench/ingest: CTP01 ingest throughput and latency, beside a COPY baseline.

Everything runs on this machine in one run: a throwaway PostgreSQL cluster,
the listener as its own process (as in production), SimpleClient look-alike
clients (``project88 simulate``), and, as the baseline, a plain ``COPY`` of the
same number of rows into the same table of the same database.

1. Throughput: 4 clients push their whole buffers as fast as the socket takes
   them; we time from the first to the last committed row.
2. Latency at a fixed 1,000 reads/s (4 clients x 250/s): for every read, the
   time from the line being written to the socket to the NOTIFY that
   announces its committed row (NOTIFY is delivered at commit, so this is
   "line sent -> row committed -> NOTIFY received"); also to the moment its
   transaction began inserting (processed_at).

Usage: python bench/ingest.py [--reads 200000] [--latency-seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

import psycopg2

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.stats import percentile  # noqa: E402
from daemons.common import migrate  # noqa: E402
from project88.pgcluster import Cluster, free_port  # noqa: E402
from project88.simulate import SimConfig, SimulatedClient, build_buffer  # noqa: E402

LOCATIONS = ("start", "5k", "10k", "finish")


def scalar(dsn: str, sql: str, params: object = None) -> object:
    conn = psycopg2.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchone()[0]
    finally:
        conn.close()


def start_listener(dsn: str, port: int, workdir: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        P88_RAW_DSN=dsn,
        P88_CT_HOST="127.0.0.1",
        P88_CT_PORT=str(port),
        P88_CT_AUTH="none",
        P88_SPOOL_DIR=str(workdir / "spool"),
        P88_TIMEZONE="America/New_York",
        P88_LOG_LEVEL=os.environ.get("P88_LOG_LEVEL", "WARNING"),
    )
    log = open(workdir / "listener.log", "ab")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen([sys.executable, "-m", "daemons.ct_listener"], cwd=REPO, env=env,
                            stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            import socket

            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    return proc


def close_sessions(dsn: str) -> None:
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute("UPDATE timing_sessions SET status = 'closed' WHERE status = 'active'")
    conn.close()


def settle(dsn: str) -> None:
    """Do the housekeeping a bulk phase leaves behind (autovacuum, checkpoint) now.

    Otherwise the next phase measures it: on 2 cores an autovacuum of a few
    hundred thousand fresh rows stalls commits by up to ~250 ms.
    """
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM (ANALYZE) timing_reads")
        cur.execute("CHECKPOINT")
    conn.close()


def throughput(dsn: str, port: int, reads: int) -> dict[str, float]:
    per_client = reads // len(LOCATIONS)
    # The clients run as one separate process, like real timing bridges would;
    # they linger (connected, as SimpleClient stays) until we have every read.
    clients = subprocess.Popen(
        [sys.executable, "-m", "project88.cli", "simulate", "--port", str(port), "--clients", "4",
         "--locations", ",".join(LOCATIONS), "--athletes", str(per_client), "--rate", "0",
         "--no-guntimes", "--linger", "600"],
        cwd=REPO, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    target = per_client * len(LOCATIONS)
    # Count committed reads from the NOTIFY stream: polling count(*) would
    # steal PostgreSQL time from the very thing being measured.
    listen = psycopg2.connect(dsn)
    listen.autocommit = True
    listen.cursor().execute("LISTEN timing_reads")
    seen = 0
    while seen < target:
        if clients.poll() not in (None, 0):
            raise SystemExit("simulated clients failed")
        if select.select([listen], [], [], 0.5) != ([], [], []):
            listen.poll()
            while listen.notifies:
                seen += json.loads(listen.notifies.pop(0).payload)["count"]
    listen.close()
    # Like SimpleClient, the clients would stay connected for ever: stop them now.
    clients.terminate()
    clients.wait(60)
    first, last, n = psycopg2.connect(dsn), None, None
    with first, first.cursor() as cur:
        cur.execute(
            "SELECT min(processed_at), max(processed_at), count(*) FROM timing_reads"
            " WHERE session_id = (SELECT max(id) FROM timing_sessions)"
        )
        start, last, n = cur.fetchone()
    first.close()
    seconds = (last - start).total_seconds()
    return {"reads": n, "seconds": seconds, "reads_per_s": n / seconds}


def copy_baseline(dsn: str, reads: int) -> dict[str, float]:
    """COPY the same number of rows into the same table (with its indexes)."""
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO timing_sessions (session_name, status) VALUES ('copy baseline', 'closed')"
            " RETURNING id"
        )
        session = cur.fetchone()[0]
        location_ids = []
        for name in LOCATIONS:
            cur.execute(
                "INSERT INTO timing_locations (session_id, location_name, reader_id)"
                " VALUES (%s, %s, '117F37') RETURNING id",
                (session, name),
            )
            location_ids.append(cur.fetchone()[0])
    per_location = reads // len(LOCATIONS)
    buf = io.StringIO()
    for name, location_id in zip(LOCATIONS, location_ids, strict=True):
        for seq in range(1, per_location + 1):
            buf.write(
                f"{session}\t{location_id}\t{seq}\t{name}\t{seq}\t10:00:00.12\t2025-10-11\t"
                f"2025-10-11 10:00:00.12-04\t1\t117F37\t1\t"
                f"CT01_33~{seq}~{name}~{seq}~2025-10-11T10:00:00.12~1~117F37~1\n"
            )
    data = buf.getvalue()
    started = time.perf_counter()
    with conn, conn.cursor() as cur:
        cur.copy_expert(
            "COPY timing_reads (session_id, location_id, sequence_number, location_name, tag_code,"
            " read_time, read_date, read_timestamp, lap_count, reader_id, gator_number, raw_data)"
            " FROM STDIN",
            io.StringIO(data),
        )
    seconds = time.perf_counter() - started
    conn.close()
    return {"reads": per_location * len(LOCATIONS), "seconds": seconds,
            "reads_per_s": per_location * len(LOCATIONS) / seconds}  # fmt: skip


def latency(dsn: str, port: int, seconds: float, rate: float) -> dict[str, float]:
    sent_at: dict[tuple[str, int], float] = {}
    wall_minus_mono = time.time() - time.monotonic()

    def on_sent(location: str, seq: int, stamp: float) -> None:
        sent_at.setdefault((location, seq), stamp)

    listen = psycopg2.connect(dsn)
    listen.autocommit = True
    listen.cursor().execute("LISTEN timing_reads")
    notified: list[tuple[float, int, int]] = []
    stop = threading.Event()

    def listener_loop() -> None:
        while not stop.is_set():
            if select.select([listen], [], [], 0.2) == ([], [], []):
                continue
            listen.poll()
            now = time.monotonic()
            while listen.notifies:
                payload = json.loads(listen.notifies.pop(0).payload)
                notified.append((now, payload["first_id"], payload["last_id"]))

    watcher = threading.Thread(target=listener_loop, daemon=True)
    watcher.start()
    athletes = int(seconds * rate / len(LOCATIONS))
    base = SimConfig(port=port, athletes=athletes, rate=rate / len(LOCATIONS), guntimes=False,
                     course=LOCATIONS, linger=1.0)  # fmt: skip
    clients = [SimulatedClient(replace(base, locations=(loc,)), on_sent) for loc in LOCATIONS]

    async def run_all() -> None:
        await asyncio.gather(*(c.run() for c in clients))

    asyncio.run(run_all())
    time.sleep(1.0)
    stop.set()
    watcher.join()
    listen.close()

    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT id, location_name, sequence_number, extract(epoch FROM processed_at)"
            " FROM timing_reads WHERE session_id = (SELECT max(id) FROM timing_sessions)"
        )
        rows = {row[0]: row[1:] for row in cur.fetchall()}
    conn.close()
    to_notify, to_insert = [], []
    for received, first_id, last_id in notified:
        for read_id in range(first_id, last_id + 1):
            if read_id not in rows:
                continue
            location, seq, processed_epoch = rows[read_id]
            sent = sent_at.get((location, seq))
            if sent is None:
                continue
            to_notify.append((received - sent) * 1000)
            to_insert.append((float(processed_epoch) - (sent + wall_minus_mono)) * 1000)
    return {
        "reads": len(to_notify),
        "p50_notify_ms": percentile(to_notify, 50),
        "p99_notify_ms": percentile(to_notify, 99),
        "max_notify_ms": max(to_notify),
        "mean_notify_ms": statistics.fmean(to_notify),
        "p50_insert_ms": percentile(to_insert, 50),
        "p99_insert_ms": percentile(to_insert, 99),
    }


def main() -> int:
    # SIGTERM (a timeout, Ctrl-C from a supervisor) must still run the cleanup below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reads", type=int, default=200_000)
    parser.add_argument("--latency-seconds", type=float, default=20.0)
    parser.add_argument("--latency-rate", type=float, default=1000.0)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="p88bench-", dir="/tmp"))
    workdir.chmod(0o755)  # the PostgreSQL server user must reach its folder inside
    cluster = Cluster(workdir / "pg")
    listener = None
    try:
        cluster.start()
        cluster.create_database("raw_tag_data")
        dsn = cluster.dsn("raw_tag_data")
        migrate.apply(dsn, "raw_tag_data")
        port = free_port()
        listener = start_listener(dsn, port, workdir)
        build_buffer(SimConfig(athletes=10))  # warm imports

        print(
            f"bench/ingest on {os.cpu_count()} cores; {args.reads:,} reads; latency at "
            f"{args.latency_rate:,.0f} reads/s for {args.latency_seconds:g} s"
        )
        ingest = throughput(dsn, port, args.reads)
        close_sessions(dsn)
        settle(dsn)
        copy = copy_baseline(dsn, args.reads)
        close_sessions(dsn)
        settle(dsn)
        lat = latency(dsn, port, args.latency_seconds, args.latency_rate)

        ratio = ingest["reads_per_s"] / copy["reads_per_s"]
        print()
        print(f"{'':34}{'reads':>10}{'seconds':>10}{'reads/s':>12}")
        print(f"{'listener (4 clients, end to end)':34}{ingest['reads']:>10,}"
              f"{ingest['seconds']:>10.2f}{ingest['reads_per_s']:>12,.0f}")  # fmt: skip
        print(f"{'baseline: COPY, same table':34}{copy['reads']:>10,}"
              f"{copy['seconds']:>10.2f}{copy['reads_per_s']:>12,.0f}")  # fmt: skip
        print(f"listener / COPY = {ratio:.2f}")
        print()
        print(f"latency over {lat['reads']:,} reads at {args.latency_rate:,.0f} reads/s:")
        print(f"  line sent -> committed -> NOTIFY received: p50 {lat['p50_notify_ms']:.1f} ms, "
              f"p99 {lat['p99_notify_ms']:.1f} ms, max {lat['max_notify_ms']:.1f} ms")  # fmt: skip
        print(f"  line sent -> insert transaction began:      p50 {lat['p50_insert_ms']:.1f} ms, "
              f"p99 {lat['p99_insert_ms']:.1f} ms")  # fmt: skip
        targets = {
            ">= 20,000 reads/s": ingest["reads_per_s"] >= 20_000,
            ">= 1/4 of COPY": ratio >= 0.25,
            "p99 < 50 ms": lat["p99_notify_ms"] < 50,
        }
        print(
            "targets: " + ", ".join(f"{k}: {'met' if v else 'MISSED'}" for k, v in targets.items())
        )
        return 0
    finally:
        if listener is not None:
            listener.terminate()
            listener.wait(30)
        cluster.destroy()


if __name__ == "__main__":
    sys.exit(main())
