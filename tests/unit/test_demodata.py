"""The synthetic dataset's pure core: counts, determinism, times, featured content."""

from __future__ import annotations

import datetime as dt
import random
import re
import statistics
from collections import Counter

import pytest

from project88.demodata import generate, plan, reference, times
from project88.demodata.copy_format import copy_field, copy_results_text, copy_text
from project88.demodata.plan import Counts, build_plan, half_up, target_counts

DOCUMENTED = Counts(13, 12_882, 16_931, 1_765_021, 8_151_553)


@pytest.fixture(scope="module")
def small() -> plan.Plan:
    return build_plan(0.005, 88)


@pytest.fixture(scope="module")
def small_rows(small) -> dict[int, generate.RaceRows]:
    return {race.id: generate.race_rows(small, race) for race in small.races}


def seconds(text: str) -> int:
    h, m, s = (int(part) for part in text.split(":"))
    return h * 3600 + m * 60 + s


def test_scale_one_is_the_documented_database_exactly():
    assert target_counts(1.0) == DOCUMENTED
    full = build_plan(1.0, 88)  # the allocation only: no participant or result is drawn
    assert full.realised() == DOCUMENTED
    assert max(r.first_result_id + r.results for r in full.races) - 1 == 8_151_553
    assert max(r.first_participant_id + r.participants for r in full.races) - 1 == 1_765_021


@pytest.mark.parametrize("scale", [0.0001, 0.005, 0.02, 0.1, 0.37, 2.0])
def test_other_scales_are_linear_with_floors_and_realised_exactly(scale):
    counts = target_counts(scale)
    assert counts.partners == 13
    assert counts.events >= half_up(12_882 * scale)
    assert counts.races >= half_up(16_931 * scale)
    assert counts.participants >= half_up(1_765_021 * scale)
    assert counts.results >= half_up(8_151_553 * scale)
    if scale >= 0.1:  # above the floors: exactly linear
        assert counts == Counts(
            13,
            half_up(12_882 * scale),
            half_up(16_931 * scale),
            half_up(1_765_021 * scale),
            half_up(8_151_553 * scale),
        )
    assert build_plan(scale, 7).realised() == counts


def test_default_scale_counts():
    assert target_counts(0.02) == Counts(13, 258, 339, 35_300, 163_031)


@pytest.mark.parametrize("scale", [0, -1, 11, float("nan")])
def test_impossible_scales_are_refused(scale):
    with pytest.raises(plan.PlanError):
        target_counts(scale)


def test_same_seed_same_rows_ids_included(small):
    again = build_plan(0.005, 88)
    for race_a, race_b in list(zip(small.races, again.races, strict=True))[:12]:
        a, b = generate.race_rows(small, race_a), generate.race_rows(again, race_b)
        assert a.participants == b.participants and a.results == b.results
        assert a.registrations == b.registrations
    tables_a = {t: list(rows) for t, rows in generate.small_tables(small, {})}
    tables_b = {t: list(rows) for t, rows in generate.small_tables(again, {})}
    assert tables_a == tables_b
    first = next(generate.race_chunks(small))
    assert first.participants[0][0] == 1 and first.results[0][0] == 1


def test_another_seed_gives_other_data(small):
    other = build_plan(0.005, 89)
    assert other.realised() == small.realised()
    race = next(r for r in small.races if r.participants)
    other_race = next(r for r in other.races if r.participants)
    assert (
        generate.race_rows(small, race).participants
        != generate.race_rows(other, other_race).participants
    )


def test_ids_are_contiguous_and_rows_match_the_plan(small, small_rows):
    participant_ids = [p[0] for r in small.races for p in small_rows[r.id].participants]
    result_ids = [x[0] for r in small.races for x in small_rows[r.id].results]
    registration_ids = [x[0] for r in small.races for x in small_rows[r.id].registrations]
    assert participant_ids == list(range(1, small.counts.participants + 1))
    assert result_ids == list(range(1, small.counts.results + 1))
    assert registration_ids == list(range(1, small.rsu_participants + 1))
    for race in small.races:
        rows = small_rows[race.id].results
        per_person = Counter((x[1], x[5]) for x in rows)
        assert max(per_person.values(), default=1) == 1  # UNIQUE (participant_id, timing_point)


def _finishes(small, small_rows, distance: str) -> list[int]:
    return [
        seconds(x[8])
        for race in small.races
        if race.distance.name == distance
        for x in small_rows[race.id].results
        if x[5] == "Finish" and x[7] == "finished"
    ]


def test_finish_time_distributions(small, small_rows):
    marathon = _finishes(small, small_rows, "Marathon")
    assert len(marathon) > 5000
    assert min(marathon) >= times.MARATHON_MIN and max(marathon) <= times.MARATHON_MAX
    inside = sum(3.5 * 3600 <= t <= 5 * 3600 for t in marathon) / len(marathon)
    assert inside > 0.55  # most between 3:30 and 5:00
    half = _finishes(small, small_rows, "Half Marathon")
    ratio = statistics.median(half) / statistics.median(marathon)
    assert 0.44 < ratio < 0.52  # a half is about 0.47 of a marathon
    five_k = _finishes(small, small_rows, "5K")
    assert 14 * 60 < statistics.median(five_k) < 45 * 60


def test_splits_gun_times_paces_and_places_are_consistent(small, small_rows):
    race = next(r for r in small.races if r.distance.name == "Marathon" and r.participants)
    rows = small_rows[race.id].results
    by_person: dict[int, list[tuple]] = {}
    for x in rows:
        by_person.setdefault(x[1], []).append(x)
    for person_rows in by_person.values():
        timed = [x for x in person_rows if x[8] is not None]
        chips = [seconds(x[8]) for x in timed]
        assert chips == sorted(chips) and len(set(chips)) == len(chips)  # monotonic
        for x in timed:
            assert 0 <= seconds(x[9]) - seconds(x[8]) <= 600  # gun = chip + start delay
            km = float(x[6])
            assert abs(seconds(x[10]) - seconds(x[8]) * times.MILE / km) <= 1  # pace per mile
    finishers = sorted(
        (seconds(x[8]), x[11], x[12], x[13], x[14])
        for x in rows
        if x[5] == "Finish" and x[7] == "finished"
    )
    assert [f[1] for f in finishers] == list(range(1, len(finishers) + 1))
    statuses = Counter(x[7] for x in rows if x[5] == "Finish")
    assert statuses["dnf"] + statuses["dns"] > 0


def test_michael_wardian_best_marathon_is_hartford_2_24_37(small, small_rows):
    his = []
    for race in small.races:
        for p in small_rows[race.id].participants:
            if (p[5], p[6]) == ("Michael", "Wardian"):
                finish = next(
                    x for x in small_rows[race.id].results if x[1] == p[0] and x[5] == "Finish"
                )
                his.append(
                    (
                        seconds(finish[8]),
                        race.event.name,
                        race.event.date,
                        p[7],
                        p[8],
                        finish[7],
                        race.distance.name,
                    )
                )
    assert len(his) == len(reference.WARDIAN) >= 5
    assert {h[6] for h in his} == {"Marathon"} and {h[5] for h in his} == {"finished"}
    best = min(his)
    assert best[:2] == (2 * 3600 + 24 * 60 + 37, "Hartford Marathon")
    assert best[2].year == 2023
    assert sorted(h[0] for h in his)[1] > best[0]  # every other marathon slower
    assert {h[3] for h in his} == {"M"}
    ages = {h[2].year: h[4] for h in his}
    assert ages[2019] == 45 and ages[2023] == 49 and ages[2025] == 51


def test_every_age_14_to_85_for_men_and_women_and_some_x(small, small_rows):
    seen = {(p[7], p[8]) for rows in small_rows.values() for p in rows.participants}
    for age in range(14, 86):
        assert ("M", age) in seen and ("F", age) in seen, age
    sexes = Counter(p[7] for rows in small_rows.values() for p in rows.participants)
    assert 0 < sexes["X"] < 0.02 * sum(sexes.values())
    ages = [p[8] for rows in small_rows.values() for p in rows.participants]
    assert 30 <= statistics.median(ages) <= 48


def test_featured_events_exist_at_every_scale():
    for scale in (0.0001, 0.02):
        the_plan = build_plan(scale, 88)
        editions: dict[str, set[int]] = {}
        for event in the_plan.events:
            if event.featured in reference.FEATURED_NAMES_CASED:
                editions.setdefault(event.name, set()).add(event.date.year)
                names = {r.distance.name: r for r in event.races}
                assert names["Marathon"].distance.km == 42.195
                assert names["Marathon"].participants >= 300
                if event.name in ("Shamrock Marathon", "Hartford Marathon"):
                    assert names["Half Marathon"].distance.km_text == "21.0975"
        assert editions == {name: set(range(2019, 2026)) for name in reference.FEATURED_NAMES_CASED}
        places = {(e.name, e.city, e.state) for e in the_plan.events if e.featured}
        assert ("Shamrock Marathon", "Virginia Beach", "VA") in places
        assert ("Hartford Marathon", "Hartford", "CT") in places
        big_river = [e for e in the_plan.events if e.partner_id == 1]
        assert {"active", "upcoming", "completed"} <= {e.status for e in big_river}


def test_big_river_statuses_follow_the_reference_date():
    the_plan = build_plan(0.02, 88)
    active = {
        e.name
        for e in the_plan.events
        if e.featured == reference.BIG_RIVER and e.status == "active"
    }
    assert active == {"Big River Fall Trail Series", "Big River Virtual Turkey Trot"}
    for event in the_plan.events:
        if event.status == "active":
            assert event.date <= dt.date(2026, 11, 25) <= event.end
        if event.status == "upcoming":
            assert event.date > dt.date(2026, 11, 25)
            assert all(r.participants == 0 for r in event.races)


def test_registration_fees_marathons_priciest():
    the_plan = build_plan(0.1, 88)
    fees: dict[str, list[float]] = {}
    for race in the_plan.rsu_races:
        fees.setdefault(race.race.distance.name, []).append(float(race.fee))
    everything = [f for values in fees.values() for f in values]
    assert min(everything) >= 25.0 and max(everything) <= 225.0
    assert min(fees["Marathon"]) > max(
        f for name, values in fees.items() if name != "Marathon" for f in values
    )
    assert all(
        r.race.rsu_registrants > 0 for r in the_plan.rsu_races if r.race.event.status == "upcoming"
    )


def test_contact_details_are_fictional(small, small_rows):
    phone = re.compile(r"^\(\d{3}\) 555-01\d{2}$")
    for rows in small_rows.values():
        for p in rows.participants:
            assert p[12].endswith(("@example.com", "@example.org")), p[12]
            assert p[13] is None or phone.match(p[13]), p[13]
    accented = {p[6] for rows in small_rows.values() for p in rows.participants} & {
        "García",
        "Muñoz",
        "Núñez",
        "Müller",
        "Côté",
    }
    assert accented


def test_users_carry_only_key_hashes():
    owners = generate.api_key_owners()
    assert owners[-1] == "admin" and len(owners) == 14
    rows = generate.user_rows(88, {o: f"{i:064x}" for i, o in enumerate(owners)})
    admin = rows[-1]
    assert admin[1] is None and admin[4] == "admin"
    assert all(r[4] == "staff" and r[1] == r[0] for r in rows[:-1])


def test_copy_text_format():
    assert copy_field(None) == "\\N"
    assert copy_field("a\tb\\c\nd\re") == "a\\tb\\\\c\\nd\\re"
    assert copy_field(True) == "t" and copy_field(False) == "f" and copy_field(42) == "42"
    assert copy_field(dt.date(2023, 10, 14)) == "2023-10-14"
    stamp = dt.datetime(2023, 10, 14, 7, 0, tzinfo=dt.UTC)
    assert copy_field(stamp) == "2023-10-14 07:00:00+00:00"
    assert copy_field({"b": 1, "a": "é"}) == '{"a": "é", "b": 1}'
    assert copy_text([(1, None, "x")]) == "1\t\\N\tx\n"
    with pytest.raises(TypeError):
        copy_field(1.5j)


def test_results_fast_path_matches_the_general_format(small, small_rows):
    rows = small_rows[small.races[0].id].results[:200]
    assert copy_results_text(rows) == copy_text(rows)


def test_time_helpers():
    assert times.hms(2 * 3600 + 24 * 60 + 37) == "2:24:37"
    assert times.hms(40 * 3600) == "40:00:00"
    assert times.division("M", 44) == "M 40-44" and times.division("F", 14) == "F 14-19"
    rng = random.Random(1)
    for _ in range(2000):
        value = times.marathon_ability(rng, rng.choice("MFX"), rng.randint(14, 85))
        assert times.MARATHON_MIN <= value <= times.MARATHON_MAX
    split = times.splits(rng, 10_000, 42.195, [5.0, 10.0, 21.0975, 30.0, 40.0])
    assert split == sorted(split) and split[-1] < 10_000
