"""``project88 demo-data`` against a real, freshly migrated project88_myappdb."""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest

from daemons.common import migrate
from project88.demodata.plan import target_counts
from tests.conftest import REPO, query

SCALE = "0.005"
_numbers = itertools.count(1)
# Every table of the dataset, with what must come back identical from a reload (secrets,
# which are random on every run, left out).
TABLES = {
    "timing_partners": "*",
    "providers": "*",
    "users": "id, timing_partner_id, email, full_name, role, is_active, last_login_at, created_at",
    "timing_partner_haku_orgs": "*",
    "partner_provider_credentials": "id, timing_partner_id, provider_id, account_name, "
    "created_at, updated_at",
    "ct_events": "*",
    "ct_races": "*",
    "ct_participants": "*",
    "ct_results": "*",
    "event_weather": "*",
    "events": "*",
    "runsignup_events": "*",
    "runsignup_races": "*",
    "runsignup_participants": "*",
    "raceroster_events": "*",
    "sync_history": "*",
    "sync_queue": "*",
}
FORCED_SQL = (
    "SELECT relname FROM pg_class WHERE relforcerowsecurity AND relkind = 'r' "
    "AND relnamespace = 'public'::regnamespace"
)


def forced(dsn: str) -> set[str]:
    """Tables whose row-level security applies to their owner too."""
    return {name for (name,) in query(dsn, FORCED_SQL)}


def production_database(pg, owner: str | None = None) -> str:
    name = f"prod_demo_{os.getpid()}_{next(_numbers)}"
    conn = psycopg2.connect(pg.dsn("postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        if owner:
            cur.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
        else:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    dsn = pg.dsn(name)
    if owner:
        dsn = dsn.replace(f"user={pg.superuser}", f"user={owner}")
    migrate.apply(dsn, "production")
    return dsn


def demo_data(*args: str, dsn: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, P88_PROD_DSN=dsn, P88_TIMEZONE="UTC")
    return subprocess.run(
        [sys.executable, "-m", "project88.cli", "demo-data", "--scale", SCALE, *args],
        cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=240,
    )  # fmt: skip


def fingerprint(dsn: str) -> dict[str, str]:
    """md5 of every table's deterministic columns, in id order."""
    out = {}
    for table, columns in TABLES.items():
        sql = f"SELECT md5(string_agg(t::text, E'\\n' ORDER BY t.id)) FROM (SELECT {columns} FROM {table}) AS t"  # noqa: E501
        out[table] = query(dsn, sql)[0][0]
    return out


def boston_qualifiers(dsn: str) -> tuple[int, int]:
    """(flagged, judged here independently): the bulk-loaded rows' derived column is right."""
    return query(
        dsn,
        "SELECT count(*) FILTER (WHERE r.boston_qualifier), count(*) FILTER (WHERE"
        " r.timing_point = 'Finish' AND r.status = 'finished'"
        " AND ra.distance_km BETWEEN 41.351 AND 43.039 AND EXISTS (SELECT 1"
        " FROM boston_qualifying_standards AS bq WHERE bq.edition_year = 2026"
        " AND bq.sex = p.sex AND p.age BETWEEN bq.age_min AND bq.age_max"
        " AND r.chip_time <= bq.qualifying_time))"
        " FROM ct_results AS r JOIN ct_participants AS p ON p.id = r.participant_id"
        " JOIN ct_races AS ra ON ra.id = r.race_id",
    )[0]


def read_keys(path: Path) -> dict[str, str]:
    return dict(line.split("\t") for line in path.read_text().splitlines())


@pytest.fixture(scope="module")
def loaded(pg, tmp_path_factory):
    """One load at scale 0.005 shared by the read-only checks below."""
    dsn = production_database(pg)
    migrated_forced = forced(dsn)
    assert "ct_results" in migrated_forced
    keys_file = tmp_path_factory.mktemp("demo") / "keys.tsv"
    run = demo_data("--keys-file", str(keys_file), dsn=dsn)
    assert run.returncode == 0, run.stderr
    assert forced(dsn) == migrated_forced  # the load leaves row security as it found it
    return dsn, keys_file, run


def test_counts_are_the_scaled_formula(loaded):
    dsn, _keys, run = loaded
    counts = target_counts(float(SCALE))
    got = {
        t: query(dsn, f"SELECT count(*) FROM {t}")[0][0]
        for t in ("timing_partners", "ct_events", "ct_races", "ct_participants", "ct_results")
    }
    assert got == {
        "timing_partners": 13,
        "ct_events": counts.events,
        "ct_races": counts.races,
        "ct_participants": counts.participants,
        "ct_results": counts.results,
    }
    assert re.search(rf"ct_results +{counts.results:,}\n", run.stdout)
    assert "loaded in" in run.stdout
    for table in TABLES:
        assert query(dsn, f"SELECT count(*) FROM {table}")[0][0] > 0, table
    # Sequences continue after the explicit ids.
    assert query(dsn, "SELECT nextval('users_id_seq')")[0][0] == 15
    # The schema is as the migrations left it: foreign keys back, row security forced.
    fks = query(
        dsn,
        "SELECT conrelid::regclass::text, count(*) FROM pg_constraint WHERE contype = 'f' "
        "AND conrelid::regclass::text IN ('ct_results', 'ct_participants', "
        "'runsignup_participants') GROUP BY 1 ORDER BY 1",
    )
    assert fks == [("ct_participants", 3), ("ct_results", 4), ("runsignup_participants", 2)]
    # Boston qualifiers were judged in bulk, and the triggers that judge later writes are back.
    flagged, judged = boston_qualifiers(dsn)
    assert flagged == judged > 0
    assert query(
        dsn,
        "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'ct_results'::regclass"
        " AND tgname LIKE 'boston_qualifier%' AND tgenabled = 'O'",
    ) == [(2,)]


def test_featured_content(loaded):
    dsn, _keys, _run = loaded
    boston = query(
        dsn,
        "SELECT extract(year FROM e.event_date)::int, e.city, e.state, r.distance_km::text, "
        "count(p.id) FROM ct_events e JOIN ct_races r ON r.event_id = e.id "
        "JOIN ct_participants p ON p.race_id = r.id "
        "WHERE e.name = 'Boston Marathon' AND r.name = 'Marathon' GROUP BY 1, 2, 3, 4 ORDER BY 1",
    )
    assert [row[0] for row in boston] == list(range(2019, 2026))
    assert all(row[1:4] == ("Boston", "MA", "42.195") and row[4] >= 300 for row in boston)
    for name, city in (("Shamrock Marathon", "Virginia Beach"), ("Hartford Marathon", "Hartford")):
        races = query(
            dsn,
            "SELECT DISTINCT r.name, r.distance_km::text FROM ct_events e "
            "JOIN ct_races r ON r.event_id = e.id WHERE e.name = %s AND e.city = %s ORDER BY 1",
            (name, city),
        )
        assert races == [("Half Marathon", "21.098"), ("Marathon", "42.195")]
    assert query(dsn, "SELECT count(*) FROM ct_events WHERE name = 'Chicago Marathon'") == [(7,)]

    big_river = query(
        dsn,
        "SELECT e.status, count(*) FROM ct_events e JOIN timing_partners t "
        "ON t.id = e.timing_partner_id WHERE t.name = 'Big River Race Management' GROUP BY 1",
    )
    assert {"active", "upcoming", "completed"} <= {status for status, _n in big_river}

    wardian = query(
        dsn,
        "SELECT e.name, extract(year FROM e.event_date)::int, r.chip_time::text "
        "FROM ct_results r JOIN ct_participants p ON p.id = r.participant_id "
        "JOIN ct_events e ON e.id = r.event_id JOIN ct_races ra ON ra.id = r.race_id "
        "WHERE p.first_name = 'Michael' AND p.last_name = 'Wardian' AND p.sex = 'M' "
        "AND ra.name = 'Marathon' AND r.timing_point = 'Finish' AND r.status = 'finished' "
        "ORDER BY r.chip_time",
    )
    assert len(wardian) >= 5
    assert wardian[0] == ("Hartford Marathon", 2023, "02:24:37")
    assert wardian[1][2] > "02:24:37"

    fees = query(
        dsn,
        "SELECT min(registration_fee), max(registration_fee), "
        "max(registration_fee) FILTER (WHERE name <> 'Marathon') < "
        "min(registration_fee) FILTER (WHERE name = 'Marathon') FROM runsignup_races",
    )[0]
    assert fees[0] >= 25 and fees[1] <= 225 and fees[2] is True
    assert query(dsn, "SELECT count(*) FROM runsignup_participants WHERE amount_paid > 0")[0][0]
    assert query(dsn, "SELECT count(*) FROM raceroster_events WHERE registration_fee > 0")[0][0]
    providers = query(dsn, "SELECT name FROM providers ORDER BY id")
    assert providers == [("ChronoTrack",), ("RunSignUp",), ("Race Roster",), ("Haku",)]
    everyone = query(
        dsn,
        "SELECT count(DISTINCT (sex, age)) FROM ct_participants "
        "WHERE sex IN ('M', 'F') AND age BETWEEN 14 AND 85",
    )
    assert everyone == [(144,)]


def test_secrets(loaded):
    dsn, keys_file, run = loaded
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    keys = read_keys(keys_file)
    assert len(keys) == 14 and all(k.startswith("p88_") for k in keys.values())
    stored = dict(
        query(
            dsn,
            "SELECT coalesce(t.slug, 'admin'), u.api_key_sha256 FROM users u "
            "LEFT JOIN timing_partners t ON t.id = u.timing_partner_id",
        )
    )
    assert stored == {owner: hashlib.sha256(k.encode()).hexdigest() for owner, k in keys.items()}
    assert query(dsn, "SELECT role FROM users WHERE timing_partner_id IS NULL") == [("admin",)]
    for key in keys.values():
        assert key not in run.stdout and key not in run.stderr
    for table in TABLES:
        hits = query(dsn, f"SELECT count(*) FROM {table} t WHERE strpos(t::text, 'p88_') > 0")
        assert hits == [(0,)], table
    hashes = query(dsn, "SELECT DISTINCT left(password_hash, 4) FROM users")
    assert hashes == [("$2a$",)]
    credentials = query(
        dsn,
        "SELECT count(*), bool_and(get_byte(api_key_encrypted, 0) = 195), "
        "bool_and(strpos(encode(api_key_encrypted, 'escape'), '_live_') = 0) "
        "FROM partner_provider_credentials",
    )
    assert credentials == [(30, True, True)]


def test_refuses_a_database_with_data_then_replace_reloads_identically(loaded, tmp_path):
    dsn, keys_file, _run = loaded
    before = fingerprint(dsn)
    refused = demo_data("--keys-file", str(tmp_path / "other.tsv"), dsn=dsn)
    assert refused.returncode == 1
    assert "already holds data" in refused.stderr and "--replace" in refused.stderr
    assert not (tmp_path / "other.tsv").exists() and not list(tmp_path.glob(".other.tsv*"))
    assert fingerprint(dsn) == before

    old_keys = read_keys(keys_file)
    again = demo_data("--replace", "--keys-file", str(keys_file), dsn=dsn)
    assert again.returncode == 0, again.stderr
    assert fingerprint(dsn) == before  # same seed: the same rows, ids included
    new_keys = read_keys(keys_file)
    assert set(new_keys) == set(old_keys) and not set(new_keys.values()) & set(old_keys.values())
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600


def test_owner_without_superuser_or_bypassrls(pg):
    """As the tables' owner (the production role), COPY needs FORCE lifted for the load only."""
    admin = psycopg2.connect(pg.dsn("postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(
            "DO $$ BEGIN "
            "IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'p88_demo_owner') THEN "
            "CREATE ROLE p88_demo_owner LOGIN; END IF; "
            "IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nlq_reader') THEN "
            "CREATE ROLE nlq_reader NOLOGIN; END IF; "
            "IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'web_anon') THEN "
            "CREATE ROLE web_anon NOLOGIN; END IF; END $$"
        )
    admin.close()
    dsn = production_database(pg, owner="p88_demo_owner")
    migrated_forced = forced(dsn)
    run = demo_data("--seed", "5", dsn=dsn)
    assert run.returncode == 0, run.stderr
    assert "API keys were not kept" in run.stdout
    superuser_dsn = dsn.replace("user=p88_demo_owner", f"user={pg.superuser}")
    counts = target_counts(float(SCALE))
    assert query(superuser_dsn, "SELECT count(*) FROM ct_results") == [(counts.results,)]
    flagged, judged = boston_qualifiers(superuser_dsn)
    assert flagged == judged > 0
    assert forced(dsn) == migrated_forced
    # The owner is filtered again: without a partner setting it sees no results.
    assert query(dsn, "SELECT count(*) FROM ct_results") == [(0,)]
