"""``make demo`` (project88.devstack): it all starts, reads reach the display, Ctrl-C cleans up."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import requests

from project88.pgcluster import free_port
from tests.conftest import REPO, wait_for


def test_demo_runs_the_whole_stack_and_leaves_nothing():
    parent = Path(tempfile.mkdtemp(prefix="p88demo-", dir="/tmp"))
    parent.chmod(0o755)  # the PostgreSQL server user must reach its folder inside
    root = parent / "demo"
    display_port, nlq_port = free_port(), free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "project88.devstack",
            "--root",
            str(root),
            "--ct-port",
            "0",
            "--display-port",
            str(display_port),
            "--nlq-port",
            str(nlq_port),
            "--scale",
            "0.005",
            "--athletes",
            "50",
            "--rate",
            "20",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(proc.stdout), daemon=True).start()
    try:
        wait_for(
            lambda: any("demo: running" in line for line in output) or proc.poll() is not None,
            60,
            interval=0.2,
            what="the demo to start",
        )
        assert proc.poll() is None, "".join(output)
        url = f"http://127.0.0.1:{display_port}"

        def reads_shown() -> list:
            try:
                return requests.get(url + "/api/timing/recent-reads", timeout=2).json()["reads"]
            except (requests.RequestException, ValueError, KeyError):
                return []

        reads = wait_for(reads_shown, 30, interval=0.5, what="simulated reads on the display API")
        assert reads[0]["session_name"].startswith("Session_")
        assert requests.get(url + "/?location=finish", timeout=5).status_code == 200
        keys = dict(line.split("\t") for line in (root / "nlq-keys").read_text().splitlines())

        def nlq_healthy() -> bool:  # it starts after the others: it looks for a model first
            try:
                return requests.get(f"http://127.0.0.1:{nlq_port}/health", timeout=2).ok
            except requests.RequestException:
                return False

        wait_for(nlq_healthy, 30, interval=0.5, what="nlq_http healthy (database and scope key)")
        asked = requests.post(
            f"http://127.0.0.1:{nlq_port}/api/v1/nl-query",
            timeout=10,
            headers={"X-API-Key": keys["admin"]},
            json={"question": "How many runners finished the Boston Marathon under 3 hours?"},
        )
        assert asked.status_code == 200, asked.text
        assert asked.json()["rows"][0][0] > 0
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(60) == 0, "".join(output)
    text = "".join(output)
    assert "race display       http://127.0.0.1:" in text
    assert "archiver" in text and "run finished job=backup outcome=done" in text
    assert "nothing left running" in text
    assert not root.exists()
    shutil.rmtree(parent, ignore_errors=True)
