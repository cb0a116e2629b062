"""The Ansible playbook on a real systemd: ``molecule test`` in ansible/.

The scenario (ansible/molecule/default) boots a fresh Debian 12 machine with
systemd-nspawn, converges site.yml on it, converges again (idempotence),
verifies it and destroys it. Root only; the host needs systemd-container,
debootstrap, nftables and zstd (tools/molecule/nspawn-machine.sh says why).
The first run builds the cached Debian rootfs (about 1.5 min).

Output goes to test-artifacts/molecule/molecule-test.log, with the machine's
console and journal next to it (kept by destroy).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest

REPO = Path(__file__).resolve().parents[2]
ANSIBLE_DIR = REPO / "ansible"
ARTIFACTS = REPO / "test-artifacts" / "molecule"
SBIN = "/usr/local/sbin:/usr/sbin:/sbin"
TIMEOUT = 2700  # molecule's own budget; the pytest timeout below is a backstop


def _venv_bin() -> Path:
    """The virtualenv running the tests (ansible, molecule are installed in it)."""
    return Path(sys.executable).parent


def _skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root: systemd-nspawn, veth interfaces and nftables on the host"
    search = f"{os.environ.get('PATH', '')}:{SBIN}"
    for tool, package in (("systemd-nspawn", "systemd-container"), ("debootstrap", "debootstrap")):
        if shutil.which(tool, path=search) is None:
            return f"{tool} not installed (apt-get install {package})"
    return None


def _excerpt(path: Path) -> str:
    """The first failed task (Ansible's ERROR/fatal block) and the end of the log."""
    lines = path.read_text(errors="replace").splitlines()
    first = next(
        (i for i, line in enumerate(lines) if "[ERROR]:" in line or "fatal: [" in line), None
    )
    tail = lines[-40:]
    if first is None or first >= len(lines) - 40:
        return "\n".join(lines[-120:])
    return "\n".join([*lines[max(first - 5, 0) : first + 60], "[...]", *tail])


def _molecule(args: list[str], env: dict[str, str], log: IO[str], timeout: float) -> int:
    """Run molecule in its own process group, so a timeout can stop all of it."""
    proc = subprocess.Popen(
        [str(_venv_bin() / "molecule"), *args],
        cwd=ANSIBLE_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        raise


@pytest.mark.deploy
@pytest.mark.timeout(3000)
def test_molecule_converges_site_on_real_systemd() -> None:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / "molecule-test.log"
    env = dict(os.environ)
    env.update(
        PATH=f"{_venv_bin()}:{env.get('PATH', '/usr/bin:/bin')}:{SBIN}",
        P88_MOLECULE_LOG_DIR=str(ARTIFACTS),
        NO_COLOR="1",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        PY_COLORS="0",
    )
    with log_path.open("w") as log:
        try:
            rc = _molecule(["test"], env, log, TIMEOUT)
        except subprocess.TimeoutExpired:
            log.write(f"\n*** molecule test still running after {TIMEOUT} s: stopped; destroying\n")
            log.flush()
            _molecule(["destroy"], env, log, 300)
            pytest.fail(
                f"molecule test timed out after {TIMEOUT} s; log {log_path}:\n{_excerpt(log_path)}"
            )
    assert rc == 0, f"molecule test exited {rc}; log {log_path}:\n{_excerpt(log_path)}"
