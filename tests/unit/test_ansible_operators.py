"""The deployment's operator login for the display: the real tasks, the real htpasswd.

Runs ``roles/project88/tasks/operators.yml`` and the ``project88_secrets`` role with the
real ``ansible-playbook`` against localhost, pointed at a temporary htpasswd file and
secrets folder (the htpasswd package is already here: tools/bootstrap.sh --test
installs Apache). The handler that would restart display-http is a stand-in that
leaves a mark.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

from daemons.common.htpasswd import HtpasswdFile, verify

ROLES = Path(__file__).resolve().parents[2] / "ansible" / "roles"
ROLE = ROLES / "project88"
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"  # pinned in the venv
# The modules run on "the host", this machine: its system Python, which has python3-apt
# for the package task (interpreter discovery could find some other Python on PATH).
HOST_PYTHON = "/usr/bin/python3"


def play(tmp_path: Path, body: str, **variables: object) -> subprocess.CompletedProcess[str]:
    variables = {"ansible_python_interpreter": HOST_PYTHON, **variables}
    playbook = tmp_path / "play.yml"
    playbook.write_text(body)
    run = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", "localhost,", str(playbook), "-e", json.dumps(variables)],
        capture_output=True,
        text=True,
        timeout=300,
        env={
            **os.environ,
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
            "ANSIBLE_ROLES_PATH": str(ROLES),
        },
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run


def changed(run: subprocess.CompletedProcess[str]) -> int:
    return int(re.search(r"localhost\s*: ok=\d+\s+changed=(\d+)", run.stdout).group(1))


def operators(tmp_path: Path, password: str) -> subprocess.CompletedProcess[str]:
    body = f"""
- name: Operator login
  hosts: localhost
  connection: local
  gather_facts: true
  vars_files: [{ROLE / "defaults" / "main.yml"}]
  vars:
    role_path: {ROLE}
  tasks:
    - name: The role's tasks
      ansible.builtin.import_tasks: {ROLE / "tasks" / "operators.yml"}
    - name: The drop-in as the role writes it
      ansible.builtin.template:
        src: {ROLE / "templates" / "display-http-operators.conf.j2"}
        dest: {tmp_path / "operators.conf"}
        mode: "0644"
  handlers:
    - name: Restart display-http
      ansible.builtin.copy:
        content: restarted
        dest: {tmp_path / "restarted"}
        mode: "0644"
"""
    (tmp_path / "restarted").unlink(missing_ok=True)
    return play(
        tmp_path,
        body,
        project88_display_operator_htpasswd=str(tmp_path / "ops.htpasswd"),
        project88_secrets_display_operator_password=password,
        project88_display_operator_bcrypt_cost=5,
    )


def htpasswd_verifies(path: Path, user: str, password: str) -> bool:
    check = subprocess.run(
        ["htpasswd", "-v", "-i", str(path), user], input=password, text=True, capture_output=True
    )
    return check.returncode == 0


def test_the_login_is_written_once_and_rewritten_when_the_password_changes(tmp_path):
    path = tmp_path / "ops.htpasswd"
    first = operators(tmp_path, "first-password-123")
    assert changed(first) >= 2 and (tmp_path / "restarted").exists()
    assert "first-password-123" not in first.stdout  # no_log
    assert htpasswd_verifies(path, "operator", "first-password-123")
    entries = HtpasswdFile(str(path)).entries()
    assert entries.hashes[b"operator"].startswith(b"$2y$05$")
    assert verify(entries, b"operator", b"first-password-123")  # what the daemon checks
    info = path.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (0, 0, 0o600)
    dropin = (tmp_path / "operators.conf").read_text()
    assert f"LoadCredential=operators.htpasswd:{path}\n" in dropin
    assert "Environment=P88_DISPLAY_OPERATOR_HTPASSWD=%d/operators.htpasswd\n" in dropin

    again = operators(tmp_path, "first-password-123")
    assert changed(again) == 0, again.stdout
    assert not (tmp_path / "restarted").exists()

    # An operator added by hand stays when the role's own password changes.
    subprocess.run(["htpasswd", "-B", "-C", "5", "-b", str(path), "second", "by-hand"], check=True)
    rotated = operators(tmp_path, "second-password-456")
    assert changed(rotated) >= 1 and (tmp_path / "restarted").exists()
    assert htpasswd_verifies(path, "operator", "second-password-456")
    assert not htpasswd_verifies(path, "operator", "first-password-123")
    assert htpasswd_verifies(path, "second", "by-hand")


def secrets(tmp_path: Path, **variables: object) -> str:
    out = tmp_path / "out"
    body = f"""
- name: Secrets
  hosts: localhost
  connection: local
  gather_facts: false
  roles:
    - role: project88_secrets
  tasks:
    - name: Show what the role decided
      ansible.builtin.copy:
        content: "{{{{ project88_secrets_display_operator_password }}}}"
        dest: {out}
        mode: "0600"
"""
    play(tmp_path, body, project88_secrets_dir=str(tmp_path / "secrets"), **variables)
    return out.read_text()


def test_the_password_is_generated_once_on_the_control_node_or_taken_from_the_vault(tmp_path):
    generated = secrets(tmp_path)
    assert re.fullmatch(r"[A-Za-z0-9]{24}", generated)
    stored = (tmp_path / "secrets" / "display-operator-password").read_text()
    assert stored.startswith(generated)  # where the README tells ops to look
    assert secrets(tmp_path) == generated
    vaulted = secrets(tmp_path, vault_project88_display_operator_password="from-the-vault-1")
    assert vaulted == "from-the-vault-1"
