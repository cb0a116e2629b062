"""``make demo``: the whole system on this machine, with a simulated race.

A throwaway PostgreSQL cluster in ``var/demo/`` (Debian's binaries), both
databases migrated, every daemon that exists started as a child process, and
``project88 simulate`` pushing a race into the listener with CTP01 hmac-sha1
authentication (the password is generated per run and never printed). The
operator pages (/status) take a login generated per run too, printed in the banner:
a throwaway for a loopback-only demo. Ctrl-C stops everything and removes the cluster.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import psycopg2

from daemons.common import htpasswd, migrate
from daemons.common.config import read_secret
from project88 import demo_providers, scopekey
from project88.pgcluster import Cluster, free_port
from tests.fakes.fake_chronotrack import FakeChronoTrackLive

DAEMONS = ["ct_listener", "display_http", "archiver", "nlq_http", "provider_sync"]
SAMPLE_ROSTER = Path(__file__).resolve().parents[1] / "tools" / "sample_roster.csv"
ASK = '{"question": "How many runners finished the Boston Marathon under 3 hours?"}'
LATEST_READS = "SELECT * FROM timing_reads ORDER BY id DESC LIMIT 10"  # shown, not run


def _pump(prefix: str, stream: IO[bytes]) -> None:
    for raw in iter(stream.readline, b""):
        sys.stdout.write(f"{prefix:<10}| {raw.decode(errors='replace')}")
        sys.stdout.flush()


def _spawn(name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    # A session of its own: the terminal's Ctrl-C reaches only us, and we stop the
    # children in order (the race first, then the daemons).
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    assert proc.stdout is not None
    threading.Thread(target=_pump, args=(name, proc.stdout), daemon=True).start()
    return proc


def _count_reads(dsn: str) -> int | None:
    try:
        conn = psycopg2.connect(dsn, connect_timeout=2)
    except psycopg2.Error:
        return None
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM timing_reads")
            return int(cur.fetchone()[0])
    finally:
        conn.close()


def _enable_login(dsn: str, role: str) -> None:
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f"ALTER ROLE {role} LOGIN")  # a constant role name, not input
    finally:
        conn.close()


def _sync_roster(env: dict[str, str], provider: FakeChronoTrackLive) -> None:
    """Credentials for partner 1, the event into the catalogue, its roster (progress bar)."""

    def cli(*args: str, stdin: str | None = None) -> None:
        subprocess.run(
            [sys.executable, "-m", "project88.cli", *args],
            env=env,
            check=True,
            input=stdin,
            text=True,
            stdout=subprocess.DEVNULL,
        )

    print(
        "demo: the race's roster from its provider (a named fake ChronoTrack Live) ...", flush=True
    )
    cli(
        "sync",
        "credentials",
        "set",
        "--partner",
        "1",
        "--provider",
        "chronotrack",
        stdin=json.dumps(provider.creds),
    )
    event = str(demo_providers.DEMO_EVENT)
    cli(
        "sync",
        "run",
        "--partner",
        "1",
        "--provider",
        "chronotrack",
        "--kind",
        "events",
        "--event",
        event,
    )
    subprocess.run(
        [sys.executable, "-m", "project88.cli", "roster", "sync", "--event", event],
        env=env,
        check=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, default=Path("var/demo"))
    parser.add_argument("--ct-port", type=int, default=int(os.environ.get("DEMO_CT_PORT", 61611)))
    parser.add_argument(
        "--display-port", type=int, default=int(os.environ.get("DEMO_DISPLAY_PORT", 5000))
    )
    parser.add_argument("--nlq-port", type=int, default=int(os.environ.get("DEMO_NLQ_PORT", 8000)))
    parser.add_argument("--scale", type=float, default=0.02, help="demo-data scale")
    parser.add_argument("--athletes", type=int, default=400)
    parser.add_argument("--rate", type=float, default=20.0, help="reads per second per client")
    parser.add_argument("--keep", action="store_true", help="keep var/demo after Ctrl-C")
    parser.add_argument("--seconds", type=float, default=0, help="stop by itself after this long")
    args = parser.parse_args(argv)

    root: Path = args.root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    cluster = Cluster(root / "pg")
    children: list[subprocess.Popen[bytes]] = []
    stopping = threading.Event()

    def stop(_sig: int = 0, _frame: object = None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        print(f"demo: starting PostgreSQL in {cluster.root} ...", flush=True)
        cluster.start()
        for name in ("raw_tag_data", "project88_myappdb"):
            cluster.create_database(name)
        raw_dsn, prod_dsn = cluster.dsn("raw_tag_data"), cluster.dsn("project88_myappdb")
        for folder, dsn in (("raw_tag_data", raw_dsn), ("production", prod_dsn)):
            migrate.apply(dsn, folder)
        keys = root / "nlq-keys"  # API keys of the synthetic partners, 0600, this run only
        subprocess.run(
            [
                sys.executable,
                "-m",
                "project88.cli",
                "demo-data",
                "--scale",
                str(args.scale),
                "--keys-file",
                str(keys),
            ],
            env={**os.environ, "P88_PROD_DSN": prod_dsn},
            check=True,
        )
        _enable_login(prod_dsn, "nlq_reader")  # trust auth on the throwaway cluster
        _enable_login(prod_dsn, "nlq_admin")
        # The key that signs nlq_http's partner scope: in the database and in a 0600 file
        # for the service, as the deployment does with the credential scope-key.
        scope_key = root / "nlq-scope-key"
        if not scope_key.exists():  # --keep: the kept database holds the kept key
            scopekey.new_key_file(scope_key)
        scopekey.store(prod_dsn, read_secret(scope_key, scopekey.WHAT))

        sync_key = root / "sync-key"  # seals provider credentials, as the credential sync-key
        sync_key.write_text(secrets.token_urlsafe(32) + "\n")
        sync_key.chmod(0o600)

        password = secrets.token_urlsafe(18)
        creds = root / "ct-auth"
        creds.write_text(f"demo:{password}\n")
        creds.chmod(0o600)
        client_pw = root / "ct-password"
        client_pw.write_text(password + "\n")
        client_pw.chmod(0o600)

        # The display's operator login (/status), as the deployment writes it with
        # htpasswd -B; the password is this run's alone.
        operator_password = secrets.token_urlsafe(12)
        operators = root / "operators.htpasswd"
        operators.write_text(htpasswd.entry("operator", operator_password))
        operators.chmod(0o600)

        ct_port = args.ct_port or free_port()
        env = dict(os.environ)
        env.update(
            P88_RAW_DSN=raw_dsn,
            P88_PROD_DSN=prod_dsn,
            P88_CT_HOST="127.0.0.1",
            P88_CT_PORT=str(ct_port),
            P88_CT_AUTH="hmac-sha1",
            P88_CT_AUTH_FILE=str(creds),
            P88_SPOOL_DIR=str(root / "spool"),
            P88_DISPLAY_HOST="127.0.0.1",
            P88_DISPLAY_PORT=str(args.display_port),
            P88_DISPLAY_TITLE="Project88Hub demo race",
            P88_DISPLAY_OPERATOR_HTPASSWD=str(operators),
            P88_BACKUP_DIR=str(root / "backups"),
            P88_NLQ_HOST="127.0.0.1",
            P88_NLQ_PORT=str(args.nlq_port),
            P88_NLQ_DSN=f"{prod_dsn} user=nlq_reader",
            P88_NLQ_RAW_DSN=f"{raw_dsn} user=nlq_reader",
            P88_NLQ_ADMIN_DSN=f"{prod_dsn} user=nlq_admin",
            P88_NLQ_SCOPE_KEY_FILE=str(scope_key),
            LLM_USER_PATH=str(root / "llm"),
            P88_STATUS_INTERVAL="10",
            PYTHONUNBUFFERED="1",
        )
        # The runners' names for the display come from the race's registration provider
        # (the named fake ChronoTrack Live), as on a real race morning.
        provider = demo_providers.start(args.athletes, SAMPLE_ROSTER)
        env.update(P88_SYNC_CHRONOTRACK_URL=provider.base_url, P88_SYNC_KEY_FILE=str(sync_key))
        _sync_roster(env, provider)
        demo_providers.correct_a_name_later(provider, stopping)
        for daemon in DAEMONS:
            children.append(_spawn(daemon, [sys.executable, "-m", f"daemons.{daemon}"], env))
        time.sleep(1.5)
        children.append(
            _spawn(
                "simulate",
                [
                    sys.executable,
                    "-m",
                    "project88.cli",
                    "simulate",
                    "--port",
                    str(ct_port),
                    "--clients",
                    "2",
                    "--locations",
                    "start,5k,10k,finish",
                    "--athletes",
                    str(args.athletes),
                    "--rate",
                    str(args.rate),
                    "--forever",
                    "--user",
                    "demo",
                    "--password-file",
                    str(client_pw),
                ],
                env,
            )
        )
        psql = shutil.which("psql") or "psql"
        # The venv's command by its path: the banner's lines run as printed in a fresh
        # shell, where the venv is not on PATH.
        admin = Path(sys.executable).parent / "project88"
        print(
            "\n"
            "demo: running. Where to look:\n"
            f"  CTP01 listener     127.0.0.1:{ct_port} (hmac-sha1; user 'demo', password in "
            f"{client_pw})\n"
            f"  raw reads          {psql} '{raw_dsn}' -c '{LATEST_READS}'\n"
            f"  race display       http://127.0.0.1:{args.display_port}/?location=finish\n"
            f"  operator status    http://127.0.0.1:{args.display_port}/status"
            f" (user 'operator', password '{operator_password}')\n"
            f"  timing API         http://127.0.0.1:{args.display_port}/api/timing/recent-reads\n"
            f"  live stream        curl -N http://127.0.0.1:{args.display_port}/api/timing/stream\n"
            f"  questions (NLQ)    http://127.0.0.1:{args.nlq_port}/docs (API keys in {keys})\n"
            f"                     KEY=$(grep ^admin {keys} | cut -f2)\n"
            f"                     curl -H \"X-API-Key: $KEY\" -d '{ASK}'"
            f" http://127.0.0.1:{args.nlq_port}/api/v1/nl-query\n"
            f"  sessions           P88_RAW_DSN='{raw_dsn}' {admin} session list\n"
            f"  connections        {psql} '{raw_dsn}' -c 'TABLE connection_log'\n"
            f"  provider syncs     {psql} '{prod_dsn}' -c 'TABLE sync_history'"
            f" (roster: P88_RAW_DSN='{raw_dsn}' {admin} roster list)\n"
            f"  archiver runs      {psql} '{raw_dsn}' -c 'TABLE archiver_runs'"
            f" (backups in {root / 'backups'})\n"
            "  Ctrl-C stops everything.\n",
            flush=True,
        )
        started = time.monotonic()
        last_report = 0.0
        while not stopping.is_set():
            if any(child.poll() is not None for child in children):
                print("demo: a process exited unexpectedly; stopping", flush=True)
                return 1
            if time.monotonic() - last_report >= 15:
                last_report = time.monotonic()
                print(f"demo: timing_reads holds {_count_reads(raw_dsn)} reads", flush=True)
            if args.seconds and time.monotonic() - started > args.seconds:
                break
            stopping.wait(0.5)
        return 0
    finally:
        print("demo: stopping ...", flush=True)
        for child in reversed(children):  # the race first, then the daemons
            if child.poll() is None:
                child.terminate()
            try:
                child.wait(20)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if args.keep:
            cluster.stop()
            print(f"demo: stopped; data kept in {root}", flush=True)
        else:
            cluster.destroy()
            shutil.rmtree(root, ignore_errors=True)
            print("demo: stopped and cleaned up; nothing left running", flush=True)


if __name__ == "__main__":
    sys.exit(main())
