"""bench/archive: moving 1,000,000 old reads to the archive, beside the documented function.

One run, one throwaway cluster: ``--rows`` reads 35 to 60 days old are loaded, then

1. the archiver (``python -m daemons.archiver --run-once archive``, its default
   batches) moves them, while a writer commits one read at a time at
   ``--rate`` per second into the live session, as the listener does, timing
   every commit;
2. the rows go back, and the baseline — one ``SELECT archive_old_timing_data()``
   on the same data — moves them, with the same writer running.

Printed for each: rows/s, and the writer's commit latency (p50 / p99 / max):
the longest stall an insert saw. Also the writer alone, before, as the floor.

Usage: python bench/archive.py [--rows 1000000] [--rate 1000] [--idle-seconds 5]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg2

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from daemons.common import migrate  # noqa: E402
from project88.pgcluster import Cluster  # noqa: E402


def execute(dsn: str, *statements: str, autocommit: bool = False) -> object:
    conn = psycopg2.connect(dsn)
    conn.autocommit = autocommit
    try:
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
            result = cur.fetchone() if cur.description else None
        if not autocommit:
            conn.commit()
        return result
    finally:
        conn.close()


def load_old_reads(dsn: str, rows: int) -> None:
    execute(
        dsn,
        "INSERT INTO timing_sessions (session_name, status) VALUES ('old races', 'closed')",
        "INSERT INTO timing_reads (session_id, sequence_number, location_name, tag_code,"
        " read_time, read_date, read_timestamp, raw_data)"
        " SELECT 1, g, 'finish', (g % 20000)::text, ts::time, ts::date, ts,"
        "        'CT01_33~' || g || '~finish~' || (g % 20000) || '~' || ts || '~1~117F37~1'"
        f" FROM generate_series(1, {rows}) AS g,"
        "      LATERAL (SELECT now() - interval '35 days'"
        f"                     - (g * interval '25 days' / {rows}) AS ts) AS x",
        "INSERT INTO timing_sessions (session_name) VALUES ('live race')",
    )


def settle(dsn: str) -> None:
    execute(
        dsn,
        "VACUUM (ANALYZE) timing_reads",
        "VACUUM (ANALYZE) timing_reads_archive",
        "CHECKPOINT",
        autocommit=True,
    )


def restore_rows(dsn: str) -> None:
    """Put the archived reads back where they were, for the baseline's turn."""
    execute(
        dsn,
        "INSERT INTO timing_reads (id, session_id, location_id, sequence_number, location_name,"
        " tag_code, read_time, read_date, read_timestamp, lap_count, reader_id, gator_number,"
        " raw_data, processed_at)"
        " SELECT id, session_id, location_id, sequence_number, location_name, tag_code,"
        " read_time, read_date, read_timestamp, lap_count, reader_id, gator_number, raw_data,"
        " processed_at FROM timing_reads_archive",
        "TRUNCATE timing_reads_archive",
    )


class Writer:
    """One read per transaction at a fixed rate into the live session; times each commit."""

    def __init__(self, dsn: str, rate: float, first_seq: int) -> None:
        self.dsn = dsn
        self.rate = rate
        self.seq = first_seq
        self.latencies: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Writer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()

    def _run(self) -> None:
        conn = psycopg2.connect(self.dsn)
        cur = conn.cursor()
        period = 1 / self.rate
        due = time.perf_counter()
        while not self.stop.is_set():
            started = time.perf_counter()
            cur.execute(
                "INSERT INTO timing_reads (session_id, sequence_number, location_name, tag_code,"
                " read_time, read_date, read_timestamp) VALUES (2, %s, 'finish', '1',"
                " localtime, current_date, now())",
                (self.seq,),
            )
            cur.execute("SELECT pg_notify('timing_reads', '{}')")
            conn.commit()
            self.latencies.append((time.perf_counter() - started) * 1000)
            self.seq += 1
            due += period
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        conn.close()

    def figures(self) -> str:
        ordered = sorted(self.latencies)
        p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
        return f"{len(ordered):>8,} {p(0.5):>8.1f} {p(0.99):>8.1f} {ordered[-1]:>8.1f}"


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--idle-seconds", type=float, default=5.0)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="p88bench-archive-", dir="/tmp"))
    workdir.chmod(0o755)
    cluster = Cluster(workdir / "pg")
    try:
        cluster.start()
        cluster.create_database("raw_tag_data")
        dsn = cluster.dsn("raw_tag_data")
        migrate.apply(dsn, "raw_tag_data")
        started = time.perf_counter()
        load_old_reads(dsn, args.rows)
        settle(dsn)
        print(
            f"bench/archive on {os.cpu_count()} cores; {args.rows:,} old reads (loaded in "
            f"{time.perf_counter() - started:.1f} s); writer at {args.rate:,.0f} commits/s"
        )
        seq = 1
        with Writer(dsn, args.rate, seq) as idle:
            time.sleep(args.idle_seconds)
        seq = idle.seq

        env = dict(os.environ, P88_RAW_DSN=dsn, P88_TIMEZONE="UTC", P88_LOG_LEVEL="WARNING")
        with Writer(dsn, args.rate, seq) as during_ours:
            time.sleep(1)
            began = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "daemons.archiver", "--run-once", "archive"],
                cwd=REPO,
                env=env,
            )
            ours_seconds = time.perf_counter() - began
            time.sleep(1)
        seq = during_ours.seq
        if done.returncode != 0:
            raise SystemExit(f"archiver exited {done.returncode}")
        moved = execute(dsn, "SELECT count(*) FROM timing_reads_archive")[0]

        restore_rows(dsn)
        settle(dsn)
        with Writer(dsn, args.rate, seq) as during_baseline:
            time.sleep(1)
            began = time.perf_counter()
            baseline_moved = execute(dsn, "SELECT archive_old_timing_data()")[0]
            baseline_seconds = time.perf_counter() - began
            time.sleep(1)

        print()
        print(f"{'':44}{'rows':>10}{'seconds':>9}{'rows/s':>10}")
        print(
            f"{'archiver (batches of 5,000, 20 ms apart)':44}{moved:>10,}"
            f"{ours_seconds:>9.1f}{moved / ours_seconds:>10,.0f}"
        )
        print(
            f"{'baseline: archive_old_timing_data()':44}{baseline_moved:>10,}"
            f"{baseline_seconds:>9.1f}{baseline_moved / baseline_seconds:>10,.0f}"
        )
        print()
        print(
            f"{'concurrent writer, commit latency (ms)':44}{'commits':>8} {'p50':>8} "
            f"{'p99':>8} {'max':>8}"
        )
        print(f"{'  alone (no archiving)':44}{idle.figures()}")
        print(f"{'  during the archiver':44}{during_ours.figures()}")
        print(f"{'  during archive_old_timing_data()':44}{during_baseline.figures()}")
        worst = max(during_ours.latencies)
        print(
            f"targets: longest insert stall during the archiver < 100 ms: "
            f"{'met' if worst < 100 else 'MISSED'} ({worst:.1f} ms)"
        )
        return 0
    finally:
        cluster.destroy()


if __name__ == "__main__":
    sys.exit(main())
