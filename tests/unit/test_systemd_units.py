"""The daemons' systemd units: hardened (exposure <= 2.0), notify, watchdog, credentials.

Scored by the real ``systemd-analyze security --offline=true`` on the unit files;
that they also start and run so confined is checked on a booted systemd by the
deployment tests.
"""

from __future__ import annotations

import configparser
import re
import subprocess
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parents[2] / "systemd"
DAEMONS = {
    "ct-listener": "ct_listener",
    "display-http": "display_http",
    "archiver": "archiver",
    "nlq-http": "nlq_http",
    "provider-sync": "provider_sync",
}
# Daemons that must reach the internet (the providers' APIs over HTTPS).
OUTBOUND = {"provider-sync"}
REQUIRED = (
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "NoNewPrivileges=yes",
    "CapabilityBoundingSet=",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "ProtectControlGroups=yes",
    "RestrictNamespaces=yes",
    "LockPersonality=yes",
    "RestrictRealtime=yes",
    "MemoryDenyWriteExecute=yes",
    "SystemCallFilter=@system-service",
    "Type=notify",
    "Restart=on-failure",
    "DynamicUser=yes",
)


def service_lines(name: str) -> list[str]:
    text = (UNITS / f"{name}.service").read_text()
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


ROLE_UNITS = sorted((UNITS.parent / "ansible" / "roles").glob("*/templates/*.service.j2"))
RESOURCE_LIMITS = ("MemoryHigh=", "MemoryMax=", "TasksMax=", "CPUWeight=")


@pytest.mark.parametrize(
    "unit", [*(UNITS / f"{name}.service" for name in DAEMONS), *ROLE_UNITS], ids=lambda p: p.name
)
def test_every_unit_bounds_its_memory_tasks_and_cpu_share(unit):
    lines = [line.strip() for line in unit.read_text().splitlines()]
    for setting in RESOURCE_LIMITS:
        assert any(line.startswith(setting) for line in lines), f"{unit.name}: no {setting}"


def test_one_unit_per_daemon_and_nothing_else():
    assert sorted(p.stem for p in UNITS.glob("*.service")) == sorted(DAEMONS)


@pytest.mark.parametrize("name", DAEMONS)
def test_unit_runs_its_daemon_with_its_env_file_and_credential(name):
    lines = service_lines(name)
    assert f"ExecStart=/opt/project88/venv/bin/python -m daemons.{DAEMONS[name]}" in lines
    assert f"EnvironmentFile=/etc/project88/{name}.env" in lines
    assert f"LoadCredential=pgpass:/etc/project88/credentials/{name}.pgpass" in lines
    assert "Environment=PGPASSFILE=%d/pgpass" in lines
    assert any(re.fullmatch(r"WatchdogSec=\d+", line) for line in lines)
    missing = [directive for directive in REQUIRED if directive not in lines]
    assert missing == []
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment]
    parser.read_string((UNITS / f"{name}.service").read_text())
    assert parser["Install"]["WantedBy"] == "multi-user.target"
    assert not any(
        "password" in line.lower() and "=" in line
        for line in lines
        if not line.startswith(("LoadCredential", "Environment=PGPASSFILE"))
    )


@pytest.mark.parametrize("name", DAEMONS)
def test_exposure_is_at_most_2(name):
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(UNITS / f"{name}.service")],
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout)
    assert match, done.stdout + done.stderr
    assert float(match.group(1)) <= 2.0, done.stdout


def test_only_the_listener_and_the_provider_sync_talk_beyond_loopback():
    for name in DAEMONS:
        lines = service_lines(name)
        if name == "ct-listener":
            assert "IPAddressDeny=" in lines  # the allow-list lives in the listener + firewall
        elif name in OUTBOUND:
            assert not any(line.startswith(("IPAddressDeny=", "IPAddressAllow=")) for line in lines)
            assert not any(line.startswith("PrivateNetwork=") for line in lines)
            assert "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" in lines
        else:
            assert "IPAddressDeny=any" in lines and "IPAddressAllow=localhost" in lines


def test_every_daemon_keeps_to_ip_and_unix_sockets():
    for name in DAEMONS:
        families = [
            line for line in service_lines(name) if line.startswith("RestrictAddressFamilies=")
        ]
        assert len(families) == 1, name
        assert sorted(families[0].split("=", 1)[1].split()) == ["AF_INET", "AF_INET6", "AF_UNIX"]


def test_provider_sync_gets_its_key_time_to_finish_a_page_and_no_state():
    lines = service_lines("provider-sync")
    assert "LoadCredential=sync-key:/etc/project88/credentials/sync-key" in lines
    assert "WatchdogSec=60" in lines
    assert "TimeoutStopSec=45" in lines  # SIGTERM finishes the page in flight (up to ~30 s)
    assert not any(line.startswith("StateDirectory=") for line in lines)  # no local state
    assert not any(line.startswith("Environment=") and "KEY" in line for line in lines)
