"""``python -m daemons.provider_sync`` as a process: scheduling, two daemons at once,
a SIGKILL in the middle of a job, a stop, and the roster kept fresh on race day."""

from __future__ import annotations

import signal
import time

import pytest

from tests.conftest import query, wait_for
from tests.fakes.fake_chronotrack import FakeChronoTrackLive
from tests.integration.provider_sync_env import make_world


@pytest.fixture
def world(pg, tmp_path):
    w = make_world(pg, tmp_path)
    yield w
    w.stop()


def field(events: dict[int, int], hours_ahead: float = 72) -> FakeChronoTrackLive:
    """A fake with these events (id -> number of entries), each with one race."""
    fake = FakeChronoTrackLive().start()
    start = int(time.time() + hours_ahead * 3600)
    entry = 0
    for event_id, entries in events.items():
        fake.add_event(event_id, f"Race {event_id}", start)
        fake.add_race(event_id * 10, event_id, "10K", 10000)
        for _ in range(entries):
            entry += 1
            fake.add_entry(entry, event_id * 10, str(entry))
    return fake


def queue(world, *jobs: tuple[str, str]) -> None:
    for kind, event in jobs:
        world.su(
            "INSERT INTO sync_queue (timing_partner_id, provider_id, job_type, payload)"
            " VALUES (1, 1, %s, jsonb_build_object('event', %s::text))",
            (kind, event),
        )


def all_done(world) -> bool:
    return world.su("SELECT count(*) FROM sync_queue WHERE status IN ('queued', 'running')") == [
        (0,)
    ]


def test_the_daemon_schedules_the_calendar_and_syncs_it(world):
    fake = field({101: 25, 102: 15})
    try:
        world.set_credentials(1, "chronotrack", fake.creds)
        world.daemon(P88_SYNC_CHRONOTRACK_URL=fake.base_url)
        # First the partner-wide events job (never run: due), then each event's
        # participants (on the calendar, never run: due).
        wait_for(
            lambda: world.su("SELECT count(*) FROM ct_participants") == [(40,)],
            timeout=60,
            what="both events' entries",
        )
        wait_for(lambda: all_done(world), timeout=30, what="the queue to empty")
        kinds = world.su("SELECT job_type, payload->>'event', status FROM sync_queue ORDER BY id")
        assert kinds == [
            ("events", "", "done"),
            ("participants", "101", "done"),
            ("participants", "102", "done"),
        ]
        assert "sync chronotrack participants event 101 for partner 1: succeeded" in world.log()
    finally:
        fake.stop()


def test_two_daemons_share_the_queue_without_running_a_job_twice(world):
    fake = field({201: 120, 202: 120, 203: 120, 204: 120})
    fake.delay = 0.05
    try:
        world.set_credentials(1, "chronotrack", fake.creds)
        # Four participants jobs (the daemons add the partner-wide events job themselves).
        queue(world, *(("participants", str(e)) for e in (201, 202, 203, 204)))
        env = {"P88_SYNC_CHRONOTRACK_URL": fake.base_url, "P88_SYNC_PAGE_SIZE": "20"}
        world.daemon("a", **env)
        world.daemon("b", **env)
        wait_for(lambda: all_done(world), timeout=120, what="every job to end")
        runs = world.su(
            "SELECT sync_queue_id, count(*), min(status) FROM sync_history"
            " WHERE job_type = 'participants' GROUP BY 1 ORDER BY 1"
        )
        assert [r[1:] for r in runs] == [(1, "succeeded")] * 4
        assert world.su("SELECT count(*), count(DISTINCT entry_id) FROM ct_participants") == [
            (480, 480)
        ]
        assert "sync starting" in world.log("a") and "sync starting" in world.log("b")
    finally:
        fake.stop()


def test_a_job_killed_half_way_is_taken_up_again_and_ends_whole(world):
    fake = field({301: 600})
    fake.delay = 0.15
    try:
        world.set_credentials(1, "chronotrack", fake.creds)
        queue(world, ("participants", "301"))
        env = {
            "P88_SYNC_CHRONOTRACK_URL": fake.base_url,
            "P88_SYNC_PAGE_SIZE": "20",
            "P88_SYNC_LEASE_SECONDS": "2",
        }
        first = world.daemon("first", **env)
        wait_for(
            lambda: world.su("SELECT count(*) FROM ct_participants")[0][0] >= 60,
            timeout=60,
            what="some pages written",
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        partial = world.su("SELECT count(*) FROM ct_participants")[0][0]
        assert 0 < partial < 600
        assert world.su("SELECT status FROM sync_queue WHERE job_type = 'participants'") == [
            ("running",)
        ]
        world.daemon("second", **env)
        wait_for(lambda: all_done(world), timeout=120, what="the job to be taken up and end")
        assert world.su("SELECT count(*), count(DISTINCT entry_id) FROM ct_participants") == [
            (600, 600)
        ]
        assert [
            r[0]
            for r in world.su(
                "SELECT status FROM sync_history WHERE job_type = 'participants' ORDER BY id"
            )
        ] == [
            "failed",
            "succeeded",
        ]
        [(error,)] = world.su("SELECT error FROM sync_history WHERE status = 'failed'")
        assert "interrupted" in error
    finally:
        fake.stop()


def test_a_stop_ends_the_job_between_pages_and_it_runs_again(world):
    fake = field({401: 400})
    fake.delay = 0.15
    try:
        world.set_credentials(1, "chronotrack", fake.creds)
        queue(world, ("participants", "401"))
        env = {"P88_SYNC_CHRONOTRACK_URL": fake.base_url, "P88_SYNC_PAGE_SIZE": "20"}
        proc = world.daemon("first", **env)
        wait_for(
            lambda: world.su("SELECT count(*) FROM ct_participants")[0][0] >= 40,
            timeout=60,
            what="some pages written",
        )
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert world.su(
            "SELECT status, attempts FROM sync_queue WHERE job_type = 'participants'"
        ) == [("queued", 0)]
        world.daemon("second", **env)
        wait_for(lambda: all_done(world), timeout=120, what="the job to run again")
        assert world.su("SELECT count(*) FROM ct_participants") == [(400,)]
    finally:
        fake.stop()


def test_the_roster_of_a_followed_event_is_kept_fresh(world):
    fake = field({501: 30}, hours_ahead=2)  # race morning: every minute
    try:
        env = {"P88_SYNC_CHRONOTRACK_URL": fake.base_url}
        world.set_credentials(1, "chronotrack", fake.creds)
        done = world.cli(
            "roster", "sync", "--event", "501", "--partner", "1", "--provider", "chronotrack", **env
        )
        assert done.returncode == 0, done.stderr
        assert "30 runners (30 written, 0 removed)" in done.stdout
        assert query(world.raw_su, "SELECT first_name FROM race_roster WHERE bib = '1'") == [
            ("First1",)
        ]
        # A name corrected at the provider; a minute has passed since the last sync.
        fake.entries[1]["athlete_first_name"] = "Joanna"
        fake.withdraw(2)
        query(world.raw_su, "UPDATE roster_sources SET attempted_at = now() - interval '2 min'")
        world.su("UPDATE sync_queue SET updated_at = now() - interval '2 min'")
        world.daemon(**env)
        wait_for(
            lambda: (
                query(world.raw_su, "SELECT first_name FROM race_roster WHERE bib = '1'")
                == [("Joanna",)]
            ),
            timeout=60,
            what="the corrected name on the roster",
        )
        wait_for(
            lambda: query(world.raw_su, "SELECT count(*) FROM race_roster") == [(29,)],
            timeout=30,
            what="the withdrawn runner off the roster",
        )
        [(runners, error, synced)] = query(
            world.raw_su,
            "SELECT runners, error, synced_at > now() - interval '1 min' FROM roster_sources",
        )
        assert (runners, error, synced) == (29, None, True)
    finally:
        fake.stop()


def test_it_tells_systemd_how_it_goes(world, tmp_path):
    from tests.conftest import NotifySocket

    fake = field({601: 5})
    notify = NotifySocket(tmp_path / "notify.sock")
    try:
        world.set_credentials(1, "chronotrack", fake.creds)
        proc = world.daemon(
            P88_SYNC_CHRONOTRACK_URL=fake.base_url,
            NOTIFY_SOCKET=str(notify.path),
            WATCHDOG_USEC="2000000",
        )
        lines = notify.collect({"READY=1", "STATUS", "WATCHDOG=1"}, timeout=15)
        assert "READY=1" in lines and "WATCHDOG=1" in lines
        wait_for(
            lambda: world.su("SELECT count(*) FROM ct_participants") == [(5,)],
            timeout=30,
            what="the calendar synced",
        )
        deadline = time.monotonic() + 15
        statuses: list[str] = []
        while time.monotonic() < deadline and not any("2 succeeded" in s for s in statuses):
            statuses += [
                s for s in notify.collect({"STATUS"}, timeout=6) if s.startswith("STATUS=")
            ]
        assert any("succeeded" in s and "last: " in s for s in statuses), statuses
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert "STOPPING=1" in notify.collect({"STOPPING=1"}, timeout=5)
    finally:
        notify.close()
        fake.stop()


def test_without_its_key_every_job_fails_and_says_why(world):
    fake = field({701: 5})
    try:
        world.set_credentials(1, "chronotrack", fake.creds)
        world.daemon(P88_SYNC_CHRONOTRACK_URL=fake.base_url, P88_SYNC_KEY_FILE="/nonexistent")
        wait_for(
            lambda: world.su("SELECT count(*) FROM sync_history") == [(1,)],
            timeout=30,
            what="a job tried",
        )
        wait_for(lambda: world.su("SELECT status FROM sync_history") == [("failed",)], timeout=10)
        [(error,)] = world.su("SELECT error FROM sync_history")
        assert "sync key" in error
        assert "every job will fail until it is given" in world.log()
    finally:
        fake.stop()
