"""``project88 roster import --event-id``: the roster from an event's participants.

The production database is the synthetic dataset (``project88 demo-data``),
owned and read by a role that is neither superuser nor BYPASSRLS, so the
tables' FORCEd row-level security applies to the import as it does in
production: without ``app.all_partners`` it would see no participant at all.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys

import psycopg2
import pytest

from daemons.common import migrate
from tests.conftest import REPO, query
from tests.integration.test_roster_cli import SAMPLE

OWNER = "p88_roster_owner"
_numbers = itertools.count(1)
# The age-group rule, written out independently of project88.demodata.times.
RULE = (
    "p.sex || ' ' || CASE WHEN p.age < 20 THEN '14-19'"
    " ELSE (p.age - mod(p.age, 5))::text || '-' || (p.age - mod(p.age, 5) + 4)::text END"
)


def roster_import(*args: str, raw: str, prod: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, P88_RAW_DSN=raw, P88_PROD_DSN=prod, P88_TIMEZONE="UTC")
    return subprocess.run(
        [sys.executable, "-m", "project88.cli", "roster", "import", *args],
        cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


def production_database(pg, owner: str | None = None) -> tuple[str, str]:
    """A migrated, empty project88_myappdb: (DSN to use, superuser DSN to inspect it)."""
    name = f"prod_roster_{os.getpid()}_{next(_numbers)}"
    admin = psycopg2.connect(pg.dsn("postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        if owner:
            cur.execute(
                "DO $$ BEGIN "
                f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{owner}') THEN "
                f"CREATE ROLE {owner} LOGIN; END IF; "
                "IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nlq_reader') THEN "
                "CREATE ROLE nlq_reader NOLOGIN; END IF; "
                "IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'web_anon') THEN "
                "CREATE ROLE web_anon NOLOGIN; END IF; END $$"
            )
    admin.close()
    pg.create_database(name)
    superuser_dsn = pg.dsn(name)
    dsn = superuser_dsn
    if owner:
        query(superuser_dsn, f'ALTER DATABASE "{name}" OWNER TO {owner}')
        query(superuser_dsn, f"ALTER SCHEMA public OWNER TO {owner}")
        dsn = superuser_dsn.replace(f"user={pg.superuser}", f"user={owner}")
    migrate.apply(dsn, "production")
    return dsn, superuser_dsn


@pytest.fixture(scope="module")
def prod(pg):
    """The demo dataset at scale 0.005: (owner DSN, superuser DSN)."""
    dsn, superuser_dsn = production_database(pg, owner=OWNER)
    env = dict(os.environ, P88_PROD_DSN=dsn, P88_TIMEZONE="UTC")
    run = subprocess.run(
        [sys.executable, "-m", "project88.cli", "demo-data", "--scale", "0.005"],
        cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=240,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    # The owner is filtered by row-level security like everyone else.
    assert query(dsn, "SELECT count(*) FROM ct_participants") == [(0,)]
    return dsn, superuser_dsn


@pytest.fixture(scope="module")
def hartford(prod):
    """The Hartford Marathon 2023 edition: its id and its Marathon's participants as
    bib -> (first, last, city, state, country, age, gender, division, has a finish)."""
    _dsn, su = prod
    [(event_id,)] = query(
        su,
        "SELECT id FROM ct_events WHERE name = 'Hartford Marathon'"
        " AND event_date BETWEEN '2023-01-01' AND '2023-12-31'",
    )
    rows = query(
        su,
        "SELECT p.bib, p.first_name, p.last_name, p.city, p.state, p.country, p.age, p.sex,"
        f" COALESCE(f.division, {RULE}), f.id IS NOT NULL"
        " FROM ct_participants p JOIN ct_races r ON r.id = p.race_id"
        " LEFT JOIN ct_results f ON f.participant_id = p.id AND f.timing_point = 'Finish'"
        " WHERE p.event_id = %s AND r.name = 'Marathon'",
        (event_id,),
    )
    return event_id, {row[0]: row[1:] for row in rows}


def stored(raw_dsn: str) -> dict[str, tuple]:
    rows = query(
        raw_dsn,
        "SELECT bib, first_name, last_name, city, state, country, age, gender, division,"
        " message, tag_code FROM race_roster",
    )
    return {row[0]: row[1:] for row in rows}


def stamps(raw_dsn: str) -> dict[str, object]:
    return dict(query(raw_dsn, "SELECT bib, updated_at FROM race_roster"))


def test_import_one_race_then_reimport_is_idempotent(prod, hartford, raw_dsn):
    dsn, _su = prod
    event_id, expected = hartford
    n = len(expected)
    assert n > 100
    # Some have not finished (no finish result): their division comes from sex and age.
    assert 0 < sum(1 for row in expected.values() if not row[-1]) < n

    first = roster_import("--event-id", str(event_id), "--race", "Marathon", raw=raw_dsn, prod=dsn)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        f"event {event_id} (Hartford Marathon 2023-10-14, Marathon): {n} participant(s)",
        f"roster: {n} rows ({n} new, 0 updated, 0 removed)",
    ]
    roster = stored(raw_dsn)
    assert len(roster) == n == query(raw_dsn, "SELECT count(*) FROM race_roster")[0][0]
    assert roster == {bib: (*row[:-1], None, None) for bib, row in expected.items()}
    [wardian] = [bib for bib, row in roster.items() if row[:2] == ("Michael", "Wardian")]
    assert wardian == next(b for b, r in expected.items() if r[:2] == ("Michael", "Wardian"))
    assert roster[wardian][5:8] == (49, "M", "M 45-49")
    before = stamps(raw_dsn)

    again = roster_import("--event-id", str(event_id), "--race", "marathon", raw=raw_dsn, prod=dsn)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1] == f"roster: {n} rows (0 new, 0 updated, 0 removed)"
    assert stored(raw_dsn) == roster
    assert stamps(raw_dsn) == before  # unchanged runners are not touched


def test_whole_event_dry_run_and_replace(prod, hartford, raw_dsn):
    dsn, su = prod
    event_id, marathon = hartford
    [(everyone,)] = query(
        su, "SELECT count(*) FROM ct_participants WHERE event_id = %s", (event_id,)
    )
    assert everyone > len(marathon)  # the Half Marathon too
    query(raw_dsn, "INSERT INTO race_roster (bib, first_name) VALUES ('X1', 'Walk-in')")

    dry = roster_import(
        "--event-id", str(event_id), "--dry-run", "--replace", raw=raw_dsn, prod=dsn
    )
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[-1] == (
        f"roster: {everyone} rows ({everyone} new, 0 updated, 1 removed) - dry run, nothing written"
    )
    assert list(stored(raw_dsn)) == ["X1"]

    plain = roster_import("--event-id", str(event_id), raw=raw_dsn, prod=dsn)
    assert plain.returncode == 0, plain.stderr
    assert len(stored(raw_dsn)) == everyone + 1  # without --replace nothing goes away

    replaced = roster_import("--event-id", str(event_id), "--replace", raw=raw_dsn, prod=dsn)
    assert replaced.returncode == 0, replaced.stderr
    assert (
        replaced.stdout.splitlines()[-1] == f"roster: {everyone} rows (0 new, 0 updated, 1 removed)"
    )
    assert "X1" not in stored(raw_dsn) and len(stored(raw_dsn)) == everyone


def test_unknown_event_race_or_no_participants_writes_nothing(prod, hartford, raw_dsn):
    dsn, su = prod
    event_id, _ = hartford
    query(raw_dsn, "INSERT INTO race_roster (bib, first_name) VALUES ('7', 'Kept')")
    before = stored(raw_dsn), stamps(raw_dsn)

    unknown = roster_import("--event-id", "987654321", "--replace", raw=raw_dsn, prod=dsn)
    assert unknown.returncode == 1
    assert unknown.stdout == ""
    assert unknown.stderr.splitlines() == [
        "event 987654321: no such event in the production database",
        "roster: nothing written",
    ]

    race = roster_import("--event-id", str(event_id), "--race", "10K", raw=raw_dsn, prod=dsn)
    assert race.returncode == 1
    assert race.stderr.splitlines()[0] == (
        f"event {event_id}: Hartford Marathon 2023-10-14 has no race '10K' "
        "(its races: 'Marathon', 'Half Marathon')"
    )

    empty_id = query(
        su,
        "SELECT e.id FROM ct_events e WHERE NOT EXISTS"
        " (SELECT FROM ct_participants p WHERE p.event_id = e.id) ORDER BY e.id LIMIT 1",
    )[0][0]
    empty = roster_import("--event-id", str(empty_id), "--replace", raw=raw_dsn, prod=dsn)
    assert empty.returncode == 1
    assert "no participants, nothing to import" in empty.stderr
    assert (stored(raw_dsn), stamps(raw_dsn)) == before


def test_file_and_event_id_are_exclusive(raw_dsn, tmp_path):
    both = roster_import(str(SAMPLE), "--event-id", "1", raw=raw_dsn, prod=raw_dsn)
    assert both.returncode == 2
    assert "not allowed with" in both.stderr and "usage:" in both.stderr
    neither = roster_import("--replace", raw=raw_dsn, prod=raw_dsn)
    assert neither.returncode == 2
    assert "one of the arguments FILE.csv --event-id is required" in neither.stderr
    race_alone = roster_import(str(SAMPLE), "--race", "Marathon", raw=raw_dsn, prod=raw_dsn)
    assert race_alone.returncode == 2 and "--race NAME needs --event-id ID" in race_alone.stderr
    bad_id = roster_import("--event-id", "abc", raw=raw_dsn, prod=raw_dsn)
    assert bad_id.returncode == 2
    assert stored(raw_dsn) == {}


@pytest.fixture
def small_prod(pg):
    """A hand-made event (superuser DSN): two races, a bib in both, bad bibs, no results."""
    dsn, _su = production_database(pg)
    statements = [
        "INSERT INTO timing_partners (id, name, slug) VALUES (1, 'P', 'p')",
        "INSERT INTO ct_events (id, timing_partner_id, name, event_date)"
        " VALUES (10, 1, 'Small Race', '2026-05-02')",
        "INSERT INTO ct_races (id, event_id, timing_partner_id, name, distance_km)"
        " VALUES (11, 10, 1, '10K', 10), (12, 10, 1, '5K', 5)",
        "INSERT INTO ct_participants"
        " (id, race_id, event_id, timing_partner_id, bib, first_name, last_name, sex, age, city)"
        " VALUES (101, 11, 10, 1, '1', 'Ann', 'Lee', 'F', 41, ' Hartford '),"
        "        (102, 11, 10, 1, '123456789', 'Bo', 'Long', 'M', 30, NULL),"
        "        (103, 11, 10, 1, 'A' || chr(7) || 'B', 'Cy', 'Tab', 'X', 17, NULL),"
        "        (104, 12, 10, 1, '1', 'Di', 'Dup', 'F', NULL, NULL),"
        "        (105, 12, 10, 1, '5', 'Ed', 'Ok', 'M', 64, NULL)",
        "INSERT INTO ct_results (id, participant_id, race_id, event_id, timing_partner_id,"
        " division) VALUES (1, 105, 12, 10, 1, 'M Masters')",
    ]
    for sql in statements:
        query(dsn, sql)
    return dsn


def test_invalid_bibs_are_reported_and_nothing_is_written(small_prod, raw_dsn):
    result = roster_import("--event-id", "10", raw=raw_dsn, prod=small_prod)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "event 10, participant 102 (Bo Long, 10K): bib '123456789' must be 1-8 printable "
        "characters",
        "event 10, participant 103 (Cy Tab, 10K): bib 'A\\x07B' must be 1-8 printable characters",
        "event 10, participant 104 (Di Dup, 5K): bib '1' already appears on participant 101 "
        "(Ann Lee, 10K)",
        "roster: 3 error(s), nothing written",
    ]
    assert stored(raw_dsn) == {}

    # One race at a time the 10K still has its bad bibs; the 5K is fine.
    five_k = roster_import("--event-id", "10", "--race", "5K", raw=raw_dsn, prod=small_prod)
    assert five_k.returncode == 0, five_k.stderr
    assert five_k.stdout.splitlines()[-1] == "roster: 2 rows (2 new, 0 updated, 0 removed)"
    assert stored(raw_dsn) == {
        # No age, no result: no division. A result's division wins over the rule.
        "1": ("Di", "Dup", None, None, "US", None, "F", None, None, None),
        "5": ("Ed", "Ok", None, None, "US", 64, "M", "M Masters", None, None),
    }
