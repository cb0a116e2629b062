"""The deployment of the provider sync: its key, its files, its switch.

The ``project88_secrets`` role and the ``project88`` role's templates run in the real
``ansible-playbook`` against localhost, writing only into a temporary folder; the
unit itself is checked in test_systemd_units.py and on a booted systemd by molecule
(ansible/molecule/default/verify.yml, which also switches the sync off and on).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ROLES = REPO / "ansible" / "roles"
ROLE = ROLES / "project88"
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"  # pinned in the venv
HOST_PYTHON = "/usr/bin/python3"


def play(
    tmp_path: Path, body: str, check: bool = True, **variables: object
) -> subprocess.CompletedProcess[str]:
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
    if check:
        assert run.returncode == 0, run.stdout + run.stderr
    return run


def secrets(tmp_path: Path, check: bool = True, **variables: object):
    out = tmp_path / "out.json"
    out.unlink(missing_ok=True)
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
        content: "{{{{ {{'key': project88_secrets_sync_key,
                        'db': project88_secrets_db_passwords}} | to_json }}}}"
        dest: {out}
        mode: "0600"
"""
    run = play(tmp_path, body, check, project88_secrets_dir=str(tmp_path / "secrets"), **variables)
    return run, (json.loads(out.read_text()) if out.exists() else None)


def test_the_sync_key_is_generated_once_on_the_control_node_or_taken_from_the_vault(tmp_path):
    run, first = secrets(tmp_path)
    key = first["key"]
    assert re.fullmatch(r"[A-Za-z0-9]{43}", key)  # 256 bits; read_secret wants 32 bytes or more
    assert key not in run.stdout + run.stderr  # no_log
    assert (tmp_path / "secrets" / "sync-key").read_text().startswith(key)
    assert re.fullmatch(r"[A-Za-z0-9]{32}", first["db"]["provider_sync"])  # its login's password
    assert secrets(tmp_path)[1]["key"] == key

    vaulted = "v" * 32
    assert secrets(tmp_path, vault_project88_sync_key=vaulted)[1]["key"] == vaulted


def test_a_short_vault_key_is_refused_without_showing_it(tmp_path):
    run, _ = secrets(tmp_path, check=False, vault_project88_sync_key="short-but-secret")
    assert run.returncode != 0
    assert "vault_project88_sync_key must be at least 32 characters long" in run.stdout
    assert "short-but-secret" not in run.stdout + run.stderr


def render(tmp_path: Path, **variables: object) -> dict[str, str]:
    """The provider sync's env file, pgpass and operators' command as the role writes them,
    and the role's lists of daemons switched on and off."""
    body = f"""
- name: Templates
  hosts: localhost
  connection: local
  gather_facts: false
  vars_files:
    - {ROLE / "defaults" / "main.yml"}
    - {ROLE / "vars" / "main.yml"}
  vars:
    item: "{{{{ project88_daemons | selectattr('name', '==', 'provider-sync') | first }}}}"
  tasks:
    - name: Render
      ansible.builtin.template:
        src: {ROLE / "templates"}/{{{{ file.src }}}}
        dest: {tmp_path}/{{{{ file.dest }}}}
        mode: "0600"
      loop:
        - {{src: daemon.env.j2, dest: env}}
        - {{src: pgpass.j2, dest: pgpass}}
        - {{src: project88-sync-credentials.j2, dest: command}}
      loop_control:
        loop_var: file
    - name: The switch
      ansible.builtin.copy:
        content: "{{{{ {{'on': project88_daemons_on | map(attribute='name'),
                        'off': project88_daemons_off}} | to_json }}}}"
        dest: {tmp_path}/switch
        mode: "0600"
"""
    variables = {"project88_secrets_db_passwords": {"provider_sync": "pw:with\\colon"}, **variables}
    play(tmp_path, body, **variables)
    return {name: (tmp_path / name).read_text() for name in ("env", "pgpass", "command", "switch")}


def env_lines(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if line and line[0] != "#")
    return dict(pairs)


def test_the_env_file_has_the_daemons_settings_and_no_secret(tmp_path):
    files = render(tmp_path, project88_timezone="America/New_York")
    env = env_lines(files["env"])
    dsn = "host=127.0.0.1 port=5432 user=provider_sync"
    assert env == {
        "P88_TIMEZONE": "America/New_York",
        "P88_SQL_DIR": "/opt/project88/src/sql",
        "P88_PROD_DSN": f"{dsn} dbname=project88_myappdb",
        "P88_RAW_DSN": f"{dsn} dbname=raw_tag_data",
        "P88_SYNC_CHRONOTRACK_URL": "https://api.chronotrack.com/api",
        "P88_SYNC_RUNSIGNUP_URL": "https://runsignup.com/Rest",
        "P88_SYNC_RACEROSTER_URL": "https://raceroster.com/api/v1",
        "P88_SYNC_POLL_SECONDS": "5",
    }
    assert "pw:with" not in files["env"]
    assert files["pgpass"] == "127.0.0.1:5432:*:provider_sync:pw\\:with\\\\colon\n"


def test_the_provider_urls_and_poll_interval_are_settings(tmp_path):
    env = env_lines(
        render(
            tmp_path,
            project88_sync_runsignup_url="http://127.0.0.1:9001/Rest",
            project88_sync_poll_seconds=30,
            project88_extra_env={"provider-sync": {"P88_SYNC_EXTRA": "1"}},
        )["env"]
    )
    assert env["P88_SYNC_RUNSIGNUP_URL"] == "http://127.0.0.1:9001/Rest"
    assert env["P88_SYNC_POLL_SECONDS"] == "30"
    assert env["P88_SYNC_EXTRA"] == "1"


def test_the_operators_command_uses_the_key_file_and_the_daemons_login(tmp_path):
    command = render(tmp_path)["command"]
    assert subprocess.run(["sh", "-n"], input=command, text=True).returncode == 0
    assert "export P88_SYNC_KEY_FILE=/etc/project88/credentials/sync-key\n" in command
    assert "export PGPASSFILE=/etc/project88/credentials/provider-sync.pgpass\n" in command
    assert "user=provider_sync dbname=project88_myappdb" in command
    assert command.rstrip().endswith('exec /opt/project88/venv/bin/project88 sync credentials "$@"')


@pytest.mark.parametrize("enabled", [True, False])
def test_the_switch_decides_whether_the_daemon_is_deployed(tmp_path, enabled):
    switch = json.loads(render(tmp_path, project88_enable_provider_sync=enabled)["switch"])
    daemons = ["ct-listener", "display-http", "archiver", "nlq-http"]
    if enabled:
        assert switch == {"on": [*daemons, "provider-sync"], "off": []}
    else:
        assert switch == {"on": daemons, "off": ["provider-sync"]}


def load(path: Path):
    return yaml.safe_load(path.read_text())


def test_every_daemon_has_a_unit_a_restart_handler_and_a_code_restart():
    daemons = load(ROLE / "vars" / "main.yml")["project88_daemons"]
    names = [daemon["name"] for daemon in daemons]
    assert sorted(names) == sorted(p.stem for p in (REPO / "systemd").glob("*.service"))
    handlers = {handler["name"]: handler for handler in load(ROLE / "handlers" / "main.yml")}
    code = next(
        task
        for task in load(ROLE / "tasks" / "code.yml")
        if "notify" in task and "pip" in str(task)
    )
    for name in names:
        handler = handlers[f"Restart {name}"]
        assert handler["ansible.builtin.systemd_service"]["name"] == name
        assert f"Restart {name}" in code["notify"]
    # Notified on every host, so it must not fail where the unit is not installed.
    assert handlers["Restart provider-sync"]["when"] == "project88_enable_provider_sync | bool"


def test_the_provider_sync_login_joins_its_groups_and_never_bypasses_rls():
    daemons = {d["name"]: d for d in load(ROLE / "vars" / "main.yml")["project88_daemons"]}
    assert daemons["provider-sync"]["db_user"] == "provider_sync"
    assert sorted(daemons["provider-sync"]["db_groups"]) == ["p88_roster", "p88_sync"]
    tasks = load(ROLE / "tasks" / "database.yml")
    bypass = next(t for t in tasks if "past row-level security" in t["name"])
    assert "provider_sync" not in bypass["loop"]
    user = "community.postgresql.postgresql_user"
    kept = next(t for t in tasks if t.get(user, {}).get("name") == "provider_sync")
    assert kept[user] == {
        "login_db": "project88_myappdb",
        "name": "provider_sync",
        "role_attr_flags": "NOBYPASSRLS,NOSUPERUSER",
    }
    logins = load(ROLES / "project88_secrets" / "defaults" / "main.yml")
    assert "provider_sync" in logins["project88_secrets_db_login_roles"]
