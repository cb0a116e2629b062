"""The deployment's preflight: port 61611 is never open to all without a login.

Runs the role's real preflight tasks with the real ``ansible-playbook`` against
localhost (they only check variables; nothing on the machine changes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROLE = Path(__file__).resolve().parents[2] / "ansible" / "roles" / "project88"
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"  # pinned in the venv


def preflight(tmp_path: Path, **variables: object) -> subprocess.CompletedProcess[str]:
    play = tmp_path / "play.yml"
    play.write_text(
        "- name: Preflight\n  hosts: localhost\n  gather_facts: false\n  connection: local\n"
        f"  vars_files: [{ROLE / 'defaults' / 'main.yml'}]\n"
        f"  tasks:\n    - name: Checks\n      ansible.builtin.import_tasks: "
        f"{ROLE / 'tasks' / 'preflight.yml'}\n"
    )
    return subprocess.run(
        [
            str(ANSIBLE_PLAYBOOK),
            "-i",
            "localhost,",
            str(play),
            "-e",
            json.dumps(variables),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_LOCAL_TEMP": str(tmp_path)},
    )


def test_no_authentication_and_no_allow_list_is_refused(tmp_path):
    run = preflight(tmp_path, project88_ct_auth_method="none")
    assert run.returncode != 0
    assert "would take reads from any address without a login" in run.stdout


def test_authentication_open_to_all_deploys_with_a_warning(tmp_path):
    run = preflight(tmp_path)
    assert run.returncode == 0, run.stdout
    assert "WARNING: port 61611 is open to every address" in run.stdout


@pytest.mark.parametrize("method", ["none", "hmac-sha1"])
def test_an_allow_list_deploys_quietly(tmp_path, method):
    run = preflight(
        tmp_path, project88_ct_auth_method=method, project88_listener_allow_sources=["192.0.2.0/24"]
    )
    assert run.returncode == 0, run.stdout
    assert "WARNING" not in run.stdout
