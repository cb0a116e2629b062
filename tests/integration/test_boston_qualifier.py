"""ct_results.boston_qualifier (migration 0005) against a real, freshly migrated database.

The stored flag must always equal the judgement the service used to make at
query time (the EXISTS below, written here independently): on insert, on every
update of what it depends on, when the standards change, whoever writes. Each
test works in one transaction that is rolled back, on a small hand-made race.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import psycopg2
import pytest

from daemons.common import migrate
from daemons.nlq_http.compiler import distance_bounds
from daemons.nlq_http.query import MARATHON_KM

PARTNER, OTHER = 1, 2
MARATHON, HALF = 10, 11
# The judgement, independently: latest edition, any band for sex and age, marathon, finished.
EXPECTED = """
    r.timing_point = 'Finish' AND r.status = 'finished'
    AND ra.distance_km BETWEEN %(km_min)s AND %(km_max)s
    AND EXISTS (SELECT 1 FROM boston_qualifying_standards AS bq
                WHERE bq.edition_year = (SELECT max(edition_year) FROM boston_qualifying_standards)
                  AND bq.sex = p.sex AND p.age BETWEEN bq.age_min AND bq.age_max
                  AND r.chip_time <= bq.qualifying_time)
"""
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


@pytest.fixture(scope="module")
def dsn(pg) -> str:
    name = f"bq_flag_{os.getpid()}"
    pg.create_database(name)
    dsn = pg.dsn(name)
    migrate.apply(dsn, "production")
    return dsn


@pytest.fixture
def cur(dsn) -> Iterator[psycopg2.extensions.cursor]:
    """A transaction on a small race (rolled back afterwards), as the superuser."""
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO timing_partners (id, name, slug) VALUES"
                " (%(a)s, 'Partner A', 'a'), (%(b)s, 'Partner B', 'b')",
                {"a": PARTNER, "b": OTHER},
            )
            cur.execute(
                "INSERT INTO ct_events (id, timing_partner_id, name, event_date) VALUES"
                " (1, %s, 'Hartford Marathon', '2024-10-12')",
                (PARTNER,),
            )
            cur.execute(
                "INSERT INTO ct_races (id, event_id, timing_partner_id, name, distance_km) VALUES"
                " (%s, 1, %s, 'Marathon', 42.195), (%s, 1, %s, 'Half Marathon', 21.0975)",
                (MARATHON, PARTNER, HALF, PARTNER),
            )
            yield cur
    finally:
        conn.rollback()
        conn.close()


_ids = iter(range(1, 1_000_000))


def runner(cur, sex: str, age: int | None, race: int = MARATHON) -> int:
    pid = next(_ids)
    cur.execute(
        "INSERT INTO ct_participants (id, race_id, event_id, timing_partner_id, bib, first_name,"
        " last_name, sex, age) VALUES (%s, %s, 1, %s, %s, 'Test', 'Runner', %s, %s)",
        (pid, race, PARTNER, str(pid), sex, age),
    )
    return pid


def result(
    cur,
    participant: int,
    chip_time: dt.timedelta | None,
    race: int = MARATHON,
    point: str = "Finish",
    status: str = "finished",
    claim: bool = False,
) -> int:
    rid = next(_ids)
    cur.execute(
        "INSERT INTO ct_results (id, participant_id, race_id, event_id, timing_partner_id,"
        " timing_point, status, chip_time, boston_qualifier)"
        " VALUES (%s, %s, %s, 1, %s, %s, %s, %s, %s)",
        (rid, participant, race, PARTNER, point, status, chip_time, claim),
    )
    return rid


def flag(cur, result_id: int) -> bool:
    cur.execute("SELECT boston_qualifier FROM ct_results WHERE id = %s", (result_id,))
    return cur.fetchone()[0]


def assert_consistent(cur) -> int:
    """Every row's flag is the independent judgement; returns how many qualify."""
    low, high = distance_bounds(MARATHON_KM)
    cur.execute(
        "SELECT r.id, r.boston_qualifier, coalesce(" + EXPECTED + ", false)"
        " FROM ct_results AS r JOIN ct_participants AS p ON p.id = r.participant_id"
        " JOIN ct_races AS ra ON ra.id = r.race_id",
        {"km_min": low, "km_max": high},
    )
    rows = cur.fetchall()
    wrong = [(rid, stored, expected) for rid, stored, expected in rows if stored != expected]
    assert not wrong, f"(result, stored, expected): {wrong}"
    return sum(stored for _rid, stored, _expected in rows)


def test_a_result_is_judged_as_it_is_written(cur):
    man_40 = runner(cur, "M", 40)  # 2026 standard 3:05
    woman_30 = runner(cur, "F", 30)  # 3:25
    x_30 = runner(cur, "X", 30)  # non-binary: the women's standards, 3:25
    ageless = runner(cur, "M", None)
    half = runner(cur, "F", 30, race=HALF)
    assert flag(cur, result(cur, man_40, 3 * H + 5 * M))  # exactly the standard qualifies
    assert not flag(cur, result(cur, woman_30, 3 * H + 25 * M + dt.timedelta(seconds=1)))
    assert flag(cur, result(cur, x_30, 3 * H + 20 * M))
    assert not flag(cur, result(cur, ageless, 2 * H))  # no age, no band
    assert not flag(cur, result(cur, half, H, race=HALF))  # a fast half is not a BQ
    assert not flag(cur, result(cur, man_40, 2 * H, point="Half"))  # a split never is
    dnf = runner(cur, "M", 40)
    assert not flag(cur, result(cur, dnf, 2 * H, status="dnf"))
    no_time = runner(cur, "M", 40)
    assert not flag(cur, result(cur, no_time, None))
    assert assert_consistent(cur) == 2


def test_the_flag_cannot_be_claimed_or_set_by_hand(cur):
    slow = runner(cur, "M", 40)
    claimed = result(cur, slow, 4 * H, claim=True)
    assert not flag(cur, claimed)
    split = result(cur, slow, H, point="10K", claim=True)
    assert not flag(cur, split)
    cur.execute("UPDATE ct_results SET boston_qualifier = true WHERE id IN %s", ((claimed, split),))
    assert not flag(cur, claimed) and not flag(cur, split)
    fast = result(cur, runner(cur, "F", 30), 3 * H)
    cur.execute("UPDATE ct_results SET boston_qualifier = false WHERE id = %s", (fast,))
    assert flag(cur, fast)


def test_updates_of_the_result_judge_it_again(cur):
    rid = result(cur, runner(cur, "M", 40), 3 * H)
    cur.execute("UPDATE ct_results SET chip_time = '3:06:00' WHERE id = %s", (rid,))
    assert not flag(cur, rid)
    cur.execute("UPDATE ct_results SET chip_time = '3:04:59' WHERE id = %s", (rid,))
    assert flag(cur, rid)
    cur.execute("UPDATE ct_results SET status = 'dq' WHERE id = %s", (rid,))
    assert not flag(cur, rid)
    cur.execute("UPDATE ct_results SET status = 'finished' WHERE id = %s", (rid,))
    assert flag(cur, rid)
    cur.execute("UPDATE ct_results SET division = 'M 40-44' WHERE id = %s", (rid,))
    assert flag(cur, rid)
    assert_consistent(cur)


def test_a_corrected_sex_or_age_judges_the_runners_results_again(cur):
    pid = runner(cur, "M", 34)  # 2:55
    rid = result(cur, pid, 2 * H + 58 * M)
    assert not flag(cur, rid)
    cur.execute("UPDATE ct_participants SET age = 35 WHERE id = %s", (pid,))  # 3:00
    assert flag(cur, rid)
    cur.execute("UPDATE ct_participants SET sex = 'F', age = 34 WHERE id = %s", (pid,))  # 3:25
    assert flag(cur, rid)
    cur.execute("UPDATE ct_participants SET age = NULL WHERE id = %s", (pid,))
    assert not flag(cur, rid)
    assert_consistent(cur)


def test_a_corrected_distance_judges_the_race_again(cur):
    rid = result(cur, runner(cur, "F", 30), 3 * H)
    assert flag(cur, rid)
    cur.execute("UPDATE ct_races SET distance_km = 21.0975 WHERE id = %s", (MARATHON,))
    assert not flag(cur, rid)
    cur.execute("UPDATE ct_races SET distance_km = 42.2 WHERE id = %s", (MARATHON,))
    assert flag(cur, rid)


def test_new_standards_judge_every_result_again(cur):
    rid = result(cur, runner(cur, "M", 40), 3 * H + 3 * M)  # under 2026's 3:05
    other = result(cur, runner(cur, "F", 50), 3 * H + 52 * M)  # over 2026's 3:50
    assert flag(cur, rid) and not flag(cur, other)
    cur.execute(
        "INSERT INTO boston_qualifying_standards"
        " SELECT 2027, sex, age_min, age_max, qualifying_time - interval '5 minutes'"
        " FROM boston_qualifying_standards WHERE edition_year = 2026"
    )
    assert not flag(cur, rid)
    cur.execute(
        "UPDATE boston_qualifying_standards SET qualifying_time = '4:00'"
        " WHERE edition_year = 2027 AND sex = 'F' AND age_min = 50"
    )
    assert flag(cur, other)
    assert assert_consistent(cur) == 1
    cur.execute("DELETE FROM boston_qualifying_standards WHERE edition_year = 2027")
    assert flag(cur, rid) and not flag(cur, other)
    cur.execute("TRUNCATE boston_qualifying_standards")
    assert not flag(cur, rid)
    assert assert_consistent(cur) == 0


def test_the_judgement_does_not_depend_on_who_writes(cur):
    """A partner-scoped writer that may not read participants still gets the right flag."""
    pid = runner(cur, "F", 30)
    cur.execute("CREATE ROLE p88_bq_writer NOLOGIN")
    cur.execute("GRANT SELECT, INSERT, UPDATE ON ct_results TO p88_bq_writer")
    cur.execute("SET LOCAL ROLE p88_bq_writer")
    cur.execute("SELECT set_config('app.timing_partner_id', %s, true)", (str(PARTNER),))
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        cur.execute("SAVEPOINT s; SELECT count(*) FROM ct_participants")
    cur.execute("ROLLBACK TO SAVEPOINT s")
    rid = result(cur, pid, 3 * H)
    assert flag(cur, rid)
    cur.execute("SELECT current_setting('app.all_partners', true)")
    assert cur.fetchone()[0] in (None, "")  # the triggers' setting did not leak out
    cur.execute("RESET ROLE")
    assert_consistent(cur)


def test_refresh_finds_nothing_to_change_and_repairs_what_was_bypassed(cur):
    fast = result(cur, runner(cur, "F", 30), 3 * H)
    cur.execute("SELECT boston_qualifiers_refresh()")
    assert cur.fetchone() == (0,)
    cur.execute("ALTER TABLE ct_results DISABLE TRIGGER boston_qualifier_on_update")
    cur.execute("UPDATE ct_results SET chip_time = '4:00:00' WHERE id = %s", (fast,))
    assert flag(cur, fast)  # stale: what a bulk load with the triggers off leaves
    cur.execute("SELECT boston_qualifiers_refresh()")
    assert cur.fetchone() == (1,)
    assert not flag(cur, fast)
    cur.execute("ALTER TABLE ct_results ENABLE TRIGGER boston_qualifier_on_update")


@pytest.mark.parametrize("delta", [-0.001, 0.0, 0.001])
def test_the_marathon_window_is_the_services(cur, delta):
    """The SQL window and the compiler's tolerance are one definition in two places."""
    low, high = distance_bounds(MARATHON_KM)
    cur.execute(
        "SELECT is_marathon_distance(%s::numeric), is_marathon_distance(%s::numeric)",
        (round(low + delta, 3), round(high + delta, 3)),
    )
    inside_low, inside_high = cur.fetchone()
    assert inside_low is (delta >= 0) and inside_high is (delta <= 0)


def test_qualifiers_are_read_through_their_partial_index(cur):
    cur.execute("SET LOCAL enable_seqscan = off")
    cur.execute(
        "EXPLAIN SELECT r.participant_id FROM ct_results AS r WHERE r.boston_qualifier"
        " AND r.timing_point = 'Finish' AND r.status = 'finished' ORDER BY r.chip_time LIMIT 10"
    )
    assert "ct_results_boston_qualifiers " in "\n".join(row[0] for row in cur.fetchall())
    cur.execute(
        "EXPLAIN SELECT r.participant_id FROM ct_results AS r WHERE r.timing_partner_id = 1"
        " AND r.boston_qualifier AND r.timing_point = 'Finish' AND r.status = 'finished'"
        " ORDER BY r.chip_time LIMIT 10"
    )
    assert "ct_results_boston_qualifiers_partner" in "\n".join(row[0] for row in cur.fetchall())
