"""apache/_sizing.j2: the event MPM's limits and the stream route's share, from host memory.

Rendered with the harness's Jinja settings for hosts from 512 MB to 256 GB (the
limits must be ones Apache accepts and keep the promises the templates' comments
make), and once by the real ansible-playbook from this host's facts, to show the
role renders the same figures. The live behaviour is in tests/e2e/test_apache_vhosts.py
and bench/apache_streams.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
import yaml

from tests.conftest import REPO
from tests.e2e.apache_harness import TEMPLATES, Apache, ansible_bool, render

DEFAULTS = REPO / "ansible" / "roles" / "apache" / "defaults" / "main.yml"
FIGURES = ("memory_mb", "threads_per_child", "reserved_per_child", "worker_kb", "percent",
           "min_workers", "max_workers", "generations", "processes", "workers", "server_limit",
           "stream_max_per_child", "streams_max")  # fmt: skip
HOSTS_MB = [512, 1024, 2048, 4096, 8192, 12288, 16384, 24105, 65536, 262144]
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"  # pinned in the venv
HOST_PYTHON = "/usr/bin/python3"  # the modules run on "the host", this machine
# Compiled-in ceilings of the event MPM (server/mpm/event/event.c).
MAX_SERVER_LIMIT, MAX_THREAD_LIMIT = 20000, 100000


def sizing(memory_mb: int, **variables: object) -> dict[str, int]:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        trim_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["bool"] = ansible_bool
    names = " ".join(f"{{{{ s.{name} }}}}" for name in FIGURES)
    text = env.from_string("{% import '_sizing.j2' as s with context %}" + names).render(
        ansible_memtotal_mb=memory_mb, **variables
    )
    return dict(zip(FIGURES, map(int, text.split()), strict=True))


@pytest.mark.parametrize("memory_mb", HOSTS_MB)
def test_limits_are_consistent_and_within_apaches_ceilings(memory_mb):
    s = sizing(memory_mb)
    assert s["workers"] == s["processes"] * s["threads_per_child"]  # no rounding by Apache
    # Room for the generations that graceful reloads leave relaying streams.
    assert s["server_limit"] == 4 * s["processes"]
    assert s["server_limit"] <= MAX_SERVER_LIMIT
    assert s["threads_per_child"] <= MAX_THREAD_LIMIT
    # Descriptors per process: two per relayed stream, plus keep-alive connections
    # waiting in the listener (AsyncRequestWorkerFactor 2); Debian's apache2ctl sets 8192.
    assert 5 * s["threads_per_child"] + 64 <= 8192


@pytest.mark.parametrize("memory_mb", HOSTS_MB)
def test_workers_follow_memory_within_the_clamp(memory_mb):
    s = sizing(memory_mb)
    budget_kb = memory_mb * 1024 * s["percent"] / 100
    floor = s["min_workers"] // s["threads_per_child"] * s["threads_per_child"]
    assert floor <= s["workers"] <= s["max_workers"]
    if s["workers"] > floor:  # not held up by the minimum: within Apache's share of memory
        assert s["workers"] * s["worker_kb"] <= budget_kb


def test_more_memory_never_means_fewer_workers():
    workers = [sizing(m)["workers"] for m in HOSTS_MB]
    assert workers == sorted(workers)
    assert workers[0] < workers[-1]


@pytest.mark.parametrize("memory_mb", HOSTS_MB)
def test_both_stream_routes_full_still_leave_the_reserve_in_every_process(memory_mb):
    s = sizing(memory_mb)
    # display name + main's /race-display/: each has its own pool per process.
    assert 2 * s["stream_max_per_child"] + s["reserved_per_child"] <= s["threads_per_child"]
    assert s["stream_max_per_child"] >= 1


def test_a_12_gb_host_holds_5000_screens_on_one_name():
    assert sizing(12288)["streams_max"] >= 5000
    assert sizing(24105)["streams_max"] >= 5000  # bench/apache_streams.py's machine


def test_the_memory_comes_from_ansible_facts_unless_given():
    assert sizing(8192)["memory_mb"] == 8192
    assert sizing(8192, apache_memory_mb=2048) == sizing(2048)


def test_role_defaults_are_the_templates_defaults():
    """The harness renders without the role's defaults: the two must say the same."""
    defaults = yaml.safe_load(DEFAULTS.read_text())
    assert defaults["apache_memory_mb"] == "{{ ansible_memtotal_mb }}"
    text = "\n".join(
        (TEMPLATES / name).read_text() for name in ("_sizing.j2", "mpm.conf.j2", "_common.j2")
    )
    found = dict(re.findall(r"(apache_\w+) \| default\((\d+)\)", text))
    for name in ("apache_threads_per_child", "apache_reserved_threads_per_child",
                 "apache_worker_memory_kb", "apache_memory_percent", "apache_min_workers",
                 "apache_max_workers", "apache_thread_stack_size",
                 "apache_stream_acquire_ms", "apache_generations"):  # fmt: skip
        assert int(found[name]) == defaults[name], name


def test_rendered_mpm_and_stream_routes_carry_the_sizing():
    apache = Apache(apache_memory_mb=24105)
    try:
        s = sizing(24105)
        mpm = render("mpm.conf.j2", apache.variables)
        assert re.search(rf"^MaxRequestWorkers\s+{s['workers']}$", mpm, re.M)
        assert re.search(rf"^ServerLimit\s+{s['server_limit']}$", mpm, re.M)
        assert re.search(rf"^StartServers\s+{s['processes']}$", mpm, re.M)
        assert re.search(rf"^MaxSpareThreads\s+{s['workers']}$", mpm, re.M)  # none retired
        for template in ("display.conf.j2", "main.conf.j2"):
            stream = next(
                line
                for line in render(template, apache.variables).splitlines()
                if "ProxyPass" in line and "/api/timing/stream" in line
            )
            assert f" max={s['stream_max_per_child']} acquire=100" in stream
    finally:
        apache.stop()


def meminfo_mb() -> int:
    """ansible_memtotal_mb: MemTotal in whole MiB."""
    lines = Path("/proc/meminfo").read_text().splitlines()
    line = next(x for x in lines if x.startswith("MemTotal:"))
    return int(line.split()[1]) // 1024


def test_the_role_renders_the_same_sizing_from_this_hosts_facts(tmp_path):
    """The real ansible-playbook, the role's defaults and vars, ansible.builtin.template."""
    role = REPO / "ansible" / "roles" / "apache"
    playbook = tmp_path / "play.yml"
    playbook.write_text(f"""
- name: Apache sizing as the role renders it
  hosts: localhost
  connection: local
  gather_facts: true
  vars_files:
    - {role / "defaults" / "main.yml"}
    - {role / "vars" / "main.yml"}
    - {role / "vars" / "Debian.yml"}
  tasks:
    - name: Templates
      ansible.builtin.template:
        src: "{{{{ apache_source_dir }}}}/{{{{ item }}}}.conf.j2"
        dest: "{tmp_path}/{{{{ item }}}}.conf"
        mode: "0644"
      loop: [mpm, display, main]
""")
    names = {f"project88_{v}_server_name": f"{v}.p88.test" for v in ("main", "display", "ai")}
    variables = {"ansible_python_interpreter": HOST_PYTHON, "apache_source_dir": str(TEMPLATES),
                 **names}  # fmt: skip
    run = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", "localhost,", str(playbook), "-e", json.dumps(variables)],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_LOCAL_TEMP": str(tmp_path / "tmp")},
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    s = sizing(meminfo_mb())
    mpm = (tmp_path / "mpm.conf").read_text()
    expected = {"MaxRequestWorkers": s["workers"], "ServerLimit": s["server_limit"],
                "ThreadsPerChild": s["threads_per_child"]}  # fmt: skip
    for directive, value in expected.items():
        assert re.search(rf"^{directive}\s+{value}$", mpm, re.M), directive
    for vhost in ("display", "main"):
        text = (tmp_path / f"{vhost}.conf").read_text()
        assert f" max={s['stream_max_per_child']} acquire=100" in text, vhost
