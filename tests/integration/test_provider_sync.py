"""provider_sync against the named fake providers, through ``project88 sync run``.

Every job runs as the CLI runs it (enqueued, claimed by id, executed by the
daemon's runner) and leaves one ``sync_history`` row. The writes pass row-level
security as the partner whose credentials were used.
"""

from __future__ import annotations

import hashlib
import json
import time

import pytest

from tests.fakes.fake_chronotrack import FakeChronoTrackLive
from tests.fakes.fake_raceroster import FakeRaceRoster
from tests.fakes.fake_runsignup import FakeRunSignUp
from tests.integration.provider_sync_env import SyncWorld, make_world

EVENT = "32804"


@pytest.fixture
def world(pg, tmp_path):
    w = make_world(pg, tmp_path)
    yield w
    w.stop()


@pytest.fixture
def chronotrack():
    fake = FakeChronoTrackLive().start()
    start = int(time.time()) + 3 * 86400
    fake.add_event(int(EVENT), "Fall Classic", start)
    fake.add_race(1, int(EVENT), "Marathon", 42195)
    fake.add_race(2, int(EVENT), "5K", 5000)
    for i in range(1, 41):
        fake.add_entry(i, 1 if i <= 30 else 2, str(100 + i))
    for i in range(1, 11):
        fake.add_result(i, f"3:{i:02d}:00")
    yield fake
    fake.stop()


def run(
    world: SyncWorld,
    provider: str,
    kind: str,
    event: str | None = None,
    partner: int = 1,
    **env: str,
):
    args = ["sync", "run", "--partner", str(partner), "--provider", provider, "--kind", kind]
    return world.cli(*args, *(["--event", event] if event else []), **env)


def ct_env(fake) -> dict[str, str]:
    return {"P88_SYNC_CHRONOTRACK_URL": fake.base_url}


def participants(world: SyncWorld) -> dict[int, tuple]:
    rows = world.su(
        "SELECT entry_id, timing_partner_id, race_id, bib, first_name, last_name, sex, age, city"
        " FROM ct_participants ORDER BY entry_id"
    )
    return {r[0]: r[1:] for r in rows}


def history(world: SyncWorld) -> list[tuple]:
    return world.su(
        "SELECT status, job_type, provider_scope, records_synced, error FROM sync_history"
        " ORDER BY id"
    )


def test_chronotrack_first_sync_then_again_changes_nothing(world, chronotrack):
    world.set_credentials(1, "chronotrack", chronotrack.creds)
    for kind in ("events", "participants", "results"):
        done = run(world, "chronotrack", kind, EVENT, **ct_env(chronotrack))
        assert done.returncode == 0, done.stderr
        assert "succeeded" in done.stdout
    assert world.su("SELECT id, timing_partner_id, name, status FROM ct_events") == [
        (int(EVENT), 1, "Fall Classic", "upcoming")
    ]
    assert world.su("SELECT count(*) FROM ct_races WHERE timing_partner_id = 1") == [(2,)]
    first = participants(world)
    assert len(first) == 40 and first[1] == (1, 1, "101", "First1", "Last1", "F", 35, "Hopkinton")
    results = world.su("SELECT count(*), min(chip_time), max(overall_place) FROM ct_results")
    assert results[0][0] == 10 and str(results[0][1]) == "3:01:00"
    assert world.su("SELECT provider_event_id, name FROM events") == [(EVENT, "Fall Classic")]

    snapshot = world.su("SELECT * FROM ct_participants ORDER BY id")
    results_before = world.su("SELECT * FROM ct_results ORDER BY id")
    again = run(world, "chronotrack", "participants", EVENT, **ct_env(chronotrack))
    assert again.returncode == 0 and " 0 changed, 0 removed" in again.stdout, again.stdout
    again = run(world, "chronotrack", "results", EVENT, **ct_env(chronotrack))
    assert " 0 changed" in again.stdout
    assert world.su("SELECT * FROM ct_participants ORDER BY id") == snapshot
    assert world.su("SELECT * FROM ct_results ORDER BY id") == results_before
    rows = history(world)
    assert [r[0] for r in rows] == ["succeeded"] * 5 and all(r[4] is None for r in rows)
    assert rows[1][1:4] == ("participants", EVENT, 43)  # 3 event/race rows + 40 entries


def test_chronotrack_bib_change_withdrawal_and_deletion_are_applied(world, chronotrack):
    world.set_credentials(1, "chronotrack", chronotrack.creds)
    assert run(world, "chronotrack", "participants", EVENT, **ct_env(chronotrack)).returncode == 0
    assert run(world, "chronotrack", "results", EVENT, **ct_env(chronotrack)).returncode == 0
    ids_before = dict(world.su("SELECT entry_id, id FROM ct_participants"))
    # Two runners swap bibs (checked at commit), one withdraws, one is deleted, one is new.
    chronotrack.set_bib(1, "102")
    chronotrack.set_bib(2, "101")
    chronotrack.withdraw(3)
    del chronotrack.entries[4]
    chronotrack.add_entry(41, 1, "141")
    done = run(world, "chronotrack", "participants", EVENT, **ct_env(chronotrack))
    assert done.returncode == 0, done.stderr
    assert "2 removed" in done.stdout
    now = participants(world)
    assert now[1][2] == "102" and now[2][2] == "101"
    assert 3 not in now and 4 not in now and now[41][2] == "141"
    assert len(now) == 39
    # The same rows, not new ones: ids are kept through a bib change.
    ids_after = dict(world.su("SELECT entry_id, id FROM ct_participants"))
    assert ids_after[1] == ids_before[1] and ids_after[2] == ids_before[2]
    # The withdrawn runner's result went with the entry.
    assert world.su("SELECT count(*) FROM ct_results") == [(8,)]


def test_bad_credentials_fail_with_a_clear_message_and_no_secret(world, chronotrack):
    wrong = dict(chronotrack.creds, password="not-the-password-xyz")
    world.set_credentials(1, "chronotrack", wrong)
    done = run(world, "chronotrack", "events", None, **ct_env(chronotrack))
    assert done.returncode == 1
    [(status, _kind, _scope, _n, error)] = history(world)
    assert status == "failed" and "401" in error and "ChronoTrack" in error
    sha1 = hashlib.sha1(b"not-the-password-xyz", usedforsecurity=False).hexdigest()
    for text in (error, done.stdout, done.stderr):
        assert "not-the-password-xyz" not in text and sha1 not in text
        assert chronotrack.user_id not in text and chronotrack.client_id not in text
    # Not retried: bad credentials are not mended by time.
    assert world.su("SELECT status, attempts FROM sync_queue") == [("failed", 1)]
    # And the database holds them sealed, never in the clear.
    [(sealed,)] = world.su("SELECT fields_encrypted FROM partner_provider_credentials")
    assert b"not-the-password-xyz" not in bytes(sealed)


def test_credentials_set_checks_fields_and_echoes_nothing(world):
    done = world.cli(
        "sync",
        "credentials",
        "set",
        "--partner",
        "1",
        "--provider",
        "runsignup",
        stdin=json.dumps({"api_key": "k-123456", "secret": "s-abcdef"}),
    )
    assert done.returncode == 1
    assert "api_secret" in done.stderr and "s-abcdef" not in done.stderr + done.stdout
    done = world.cli(
        "sync",
        "credentials",
        "set",
        "--partner",
        "1",
        "--provider",
        "runsignup",
        stdin='{"api_key": "k-123456", "api_secret": ',
    )
    assert done.returncode == 1 and "not JSON" in done.stderr and "k-123456" not in done.stderr
    done = world.cli(
        "sync",
        "credentials",
        "set",
        "--partner",
        "9",
        "--provider",
        "runsignup",
        stdin=json.dumps({"api_key": "k", "api_secret": "s"}),
    )
    assert done.returncode == 1 and "no timing partner 9" in done.stderr
    ok = world.cli(
        "sync",
        "credentials",
        "set",
        "--partner",
        "1",
        "--provider",
        "runsignup",
        stdin=json.dumps({"api_key": "k-123456", "api_secret": "s-abcdef"}),
    )
    assert ok.returncode == 0 and "k-123456" not in ok.stdout and "s-abcdef" not in ok.stdout


def test_a_missing_sync_key_fails_the_job_and_says_why(world, chronotrack):
    world.set_credentials(1, "chronotrack", chronotrack.creds)
    done = run(
        world,
        "chronotrack",
        "events",
        None,
        P88_SYNC_KEY_FILE="/nonexistent/key",
        **ct_env(chronotrack),
    )
    assert done.returncode == 1 and "sync key" in done.stderr
    assert history(world)[0][0] == "failed" and "sync key" in history(world)[0][4]


def test_rate_limits_server_errors_and_malformed_answers_are_retried(world, chronotrack):
    world.set_credentials(1, "chronotrack", chronotrack.creds)
    chronotrack.fail_next(429, retry_after=1)
    chronotrack.fail_next(503)
    chronotrack.malformed_next()
    started = time.monotonic()
    done = run(world, "chronotrack", "participants", EVENT, **ct_env(chronotrack))
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started >= 1.0  # Retry-After was honoured
    assert len(participants(world)) == 40


def test_a_provider_rate_limit_is_kept_between_requests(world, chronotrack):
    world.set_credentials(1, "chronotrack", chronotrack.creds)
    world.su("UPDATE providers SET rate_limit_per_hour = 3600 * 4 WHERE slug = 'chronotrack'")
    started = time.monotonic()
    assert run(world, "chronotrack", "participants", EVENT, **ct_env(chronotrack)).returncode == 0
    # 3 requests (events, races, entries) at 4 a second: at least half a second apart in all.
    assert time.monotonic() - started >= 0.5


def test_a_row_of_another_partner_is_refused_by_row_level_security(world, chronotrack):
    world.su(
        "INSERT INTO ct_events (id, timing_partner_id, name, event_date)"
        " VALUES (%s, 2, 'Theirs', '2026-01-01')",
        (int(EVENT),),
    )
    world.set_credentials(1, "chronotrack", chronotrack.creds)
    done = run(world, "chronotrack", "events", EVENT, **ct_env(chronotrack))
    assert done.returncode == 1
    assert "row-level security" in history(world)[0][4]
    assert world.su("SELECT timing_partner_id, name FROM ct_events") == [(2, "Theirs")]


@pytest.fixture
def runsignup():
    fake = FakeRunSignUp()
    with fake.serve() as url:
        fake.url = url
        yield fake


def rsu_credentials(world: SyncWorld, fake) -> None:
    world.set_credentials(1, "runsignup", {"api_key": fake.api_key, "api_secret": fake.api_secret})


def rr_credentials(world: SyncWorld, fake) -> None:
    fields = {"client_id": fake.client_id, "client_secret": fake.client_secret}
    world.set_credentials(1, "raceroster", fields)


def rsu_env(fake) -> dict[str, str]:
    return {"P88_SYNC_RUNSIGNUP_URL": fake.url}


def rsu_rows(world: SyncWorld) -> dict[int, tuple]:
    rows = world.su(
        "SELECT registration_id, runsignup_race_id, bib, chip, first_name, city"
        " FROM runsignup_participants ORDER BY registration_id"
    )
    return {r[0]: r[1:] for r in rows}


def test_runsignup_full_then_incremental_with_removals_and_bib_changes(world, runsignup):
    rsu_credentials(world, runsignup)
    first = runsignup.add_many(30, 1001) + runsignup.add_many(12, 1002)
    done = run(world, "runsignup", "participants", "100", **rsu_env(runsignup))
    assert done.returncode == 0, done.stderr
    assert world.su("SELECT id, name FROM runsignup_events") == [(100, "Moorestown Turkey Trot")]
    assert world.su("SELECT id FROM runsignup_races ORDER BY id") == [(1001,), (1002,)]
    assert sorted(rsu_rows(world)) == first
    # Later: one changes city (a second later), one is removed, one gets a bib and chip.
    runsignup.clock += 5
    runsignup.modify(first[0], city="Cherry Hill")
    runsignup.remove(first[1])
    runsignup.set_bib(first[2], "777", chip="C777")
    runsignup.requests.clear()
    done = run(world, "runsignup", "participants", "100", **rsu_env(runsignup))
    assert done.returncode == 0, done.stderr
    rows = rsu_rows(world)
    assert rows[first[0]][4] == "Cherry Hill"
    assert first[1] not in rows
    assert rows[first[2]][1:3] == ("777", "C777")
    assert len(rows) == 41
    # Incremental: asked from the previous cursor, and only changed rows came back.
    listed = [q for path, q in runsignup.requests if path.endswith("/participants")]
    assert listed and all("modified_after_timestamp" in q for q in listed)
    # Fetched: the 2 changed rows, the removal and the whole bib/chip list (41), not the
    # 42 participants again (the first run fetched 42 + 42 + the race and its 2 events).
    [(first_run,), (second_run,)] = world.su("SELECT records_synced FROM sync_history ORDER BY id")
    assert first_run == 87 and second_run == 2 + 1 + 41
    again = run(world, "runsignup", "participants", "100", **rsu_env(runsignup))
    assert " 0 changed, 0 removed" in again.stdout, again.stdout
    assert len(rsu_rows(world)) == 41


def test_runsignup_results_are_refused_with_a_reason(world, runsignup):
    world.set_credentials(1, "runsignup", {"api_key": "a", "api_secret": "b"})
    done = run(world, "runsignup", "results", "100", **rsu_env(runsignup))
    assert done.returncode == 1 and "results come from the timing" in done.stderr


@pytest.fixture
def raceroster():
    fake = FakeRaceRoster().start()
    fake.add_event(555, "Harbourfront 10K", start="2026-12-20")
    for reg in range(1, 21):
        fake.add_registration(555, reg, gender=(0, 1, 2, 8, 9)[reg % 5])
    yield fake
    fake.stop()


def test_raceroster_events_registrations_gender_codes_and_removals(world, raceroster):
    rr_credentials(world, raceroster)
    env = {"P88_SYNC_RACEROSTER_URL": raceroster.base_url}
    done = run(world, "raceroster", "participants", "555", **env)
    assert done.returncode == 0, done.stderr
    rows = dict(
        world.su(
            "SELECT provider_registration_id::int, (gender_code, sex)::text"
            " FROM raceroster_registrations"
        )
    )
    assert len(rows) == 20
    assert rows[5] == "(0,)" and rows[1] == "(1,M)" and rows[2] == "(2,F)"
    assert rows[3] == "(8,)" and rows[4] == "(9,X)"
    # An expired token is renewed once; a change arrives incrementally.
    raceroster.expire_tokens()
    raceroster.modify_registration(555, 7, city="Ottawa")
    raceroster.remove_registration(555, 8)
    done = run(world, "raceroster", "participants", "555", **env)
    assert done.returncode == 0, done.stderr
    assert world.su(
        "SELECT city FROM raceroster_registrations WHERE provider_registration_id = '7'"
    ) == [("Ottawa",)]
    # Removals need a full listing (no removal feed is documented): due after 6 h.
    assert world.su("SELECT count(*) FROM raceroster_registrations") == [(20,)]
    world.su("UPDATE sync_cursors SET full_listing_at = now() - interval '7 hours'")
    done = run(world, "raceroster", "participants", "555", **env)
    assert "1 removed" in done.stdout, done.stdout
    assert world.su("SELECT count(*) FROM raceroster_registrations") == [(19,)]


def test_a_slow_answer_times_out_and_is_asked_again(world, chronotrack):
    import threading

    world.set_credentials(1, "chronotrack", chronotrack.creds)
    chronotrack.delay = 1.5  # the first request outlasts the 0.5 s timeout
    threading.Timer(1.0, lambda: setattr(chronotrack, "delay", 0.0)).start()
    done = run(
        world, "chronotrack", "events", EVENT, P88_SYNC_REQUEST_TIMEOUT="0.5", **ct_env(chronotrack)
    )
    assert done.returncode == 0, done.stderr
    assert world.su("SELECT count(*) FROM ct_races") == [(2,)]


def test_runsignup_throttling_is_waited_out(world, runsignup):
    from tests.fakes.fake_runsignup import Fault

    rsu_credentials(world, runsignup)
    runsignup.add_many(5, 1001)
    runsignup.fail_next(Fault(429, 1, False, 1))
    runsignup.fail_next(Fault(503, None, False, 1))
    runsignup.fail_next(Fault(200, None, True, 1))  # a body cut short
    done = run(world, "runsignup", "participants", "100", **rsu_env(runsignup))
    assert done.returncode == 0, done.stderr
    assert len(rsu_rows(world)) == 5


def test_a_job_that_keeps_failing_is_retried_later_then_given_up(world, chronotrack):
    world.set_credentials(1, "chronotrack", chronotrack.creds)
    chronotrack.fail_next(503, retry_after=0, count=100)
    env = dict(ct_env(chronotrack), P88_SYNC_REQUEST_RETRIES="0")
    done = run(world, "chronotrack", "events", None, **env)
    assert done.returncode == 1 and "HTTP 503" in done.stderr and "retry at" in done.stderr
    [(status, attempts, due_later)] = world.su(
        "SELECT status, attempts, scheduled_at > now() FROM sync_queue"
    )
    assert (status, attempts, due_later) == ("queued", 1, True)
    world.su("UPDATE sync_queue SET scheduled_at = now(), max_retries = 1")
    done = run(world, "chronotrack", "events", None, **env)
    assert done.returncode == 1 and "retry at" not in done.stderr  # max_retries 1: used up
    assert world.su("SELECT status, attempts FROM sync_queue") == [("failed", 2)]
    assert [r[0] for r in history(world)] == ["failed"] * 2


def roster(world: SyncWorld) -> dict[str, tuple]:
    from tests.conftest import query

    rows = query(
        world.raw_su,
        "SELECT bib, tag_code, first_name, city, age, gender, division, source FROM race_roster",
    )
    return {r[0]: r[1:] for r in rows}


def test_roster_from_runsignup(world, runsignup):
    rsu_credentials(world, runsignup)
    regs = runsignup.add_many(6, 1001)
    for n, reg in enumerate(regs, start=1):
        runsignup.set_bib(reg, str(n), chip=f"C{n}" if n == 1 else None)
    runsignup.participants[regs[5]]["bib_num"] = None  # not given a bib yet: not on the roster
    done = world.cli(
        "roster",
        "sync",
        "--event",
        "100",
        "--partner",
        "1",
        "--provider",
        "runsignup",
        **rsu_env(runsignup),
    )
    assert done.returncode == 0, done.stderr
    rows = roster(world)
    assert sorted(rows) == ["1", "2", "3", "4", "5"]
    first = runsignup.participants[regs[0]]
    assert rows["1"][0] == "C1" and rows["2"][0] is None
    assert rows["1"][1] == first["user"]["first_name"] and rows["1"][2] == "Moorestown"
    assert rows["1"][6] == "runsignup:100"
    sex, age = first["user"]["gender"], first["age"]
    assert rows["1"][3:5] == (age, sex) and rows["1"][5].startswith(sex + " ")


def test_roster_from_raceroster_leaves_out_what_it_cannot_take(world, raceroster):
    rr_credentials(world, raceroster)
    raceroster.add_registration(555, 21, bibNumber="123456789")  # longer than a bib may be
    raceroster.add_registration(555, 22, bibNumber="1")  # bib 1 twice
    env = {"P88_SYNC_RACEROSTER_URL": raceroster.base_url}
    done = world.cli(
        "roster", "sync", "--event", "555", "--partner", "1", "--provider", "raceroster", **env
    )
    assert done.returncode == 0, done.stderr
    rows = roster(world)
    assert "123456789" not in rows and sorted(rows, key=int) == [str(b) for b in range(2, 21)]
    assert "left out" in done.stdout
    from tests.conftest import query

    [(runners, error)] = query(world.raw_su, "SELECT runners, error FROM roster_sources")
    assert runners == 19 and "3 runner(s) left out" in error and "given to 2 runners" in error


def test_an_answer_no_check_foresaw_fails_the_job_not_the_process(world, runsignup):
    rsu_credentials(world, runsignup)
    regs = runsignup.add_many(3, 1001)
    del runsignup.participants[regs[1]]["registration_id"]  # a record without its id
    done = run(world, "runsignup", "participants", "100", **rsu_env(runsignup))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "unexpected KeyError" in done.stderr and "retry at" in done.stderr
    [(status, error)] = world.su("SELECT status, error FROM sync_history")
    assert status == "failed" and "registration_id" in error
