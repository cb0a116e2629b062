"""apache/_sizing.j2: the event MPM's limits and the stream route's share, from host memory.

Rendered as the role renders it (the harness's Jinja settings), for hosts from
1 GB to 256 GB; the limits must be ones Apache accepts and keep the promises the
templates' comments make. The live behaviour is in tests/e2e/test_apache_vhosts.py
and bench/apache_streams.py.
"""

from __future__ import annotations

import re

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
