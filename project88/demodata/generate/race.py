"""The rows of one race (participants, their results at every timing point, their
RunSignUp registrations), drawn from the race's own random stream, and races in chunks."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from project88.demodata import reference as ref
from project88.demodata import times
from project88.demodata.generate.columns import Row
from project88.demodata.generate.people import Person, draw_person, race_context, wardian
from project88.demodata.generate.registrations import registration_row
from project88.demodata.generate.stamps import UTC, race_start
from project88.demodata.plan import Plan, RacePlan


def race_rng(seed: int, kind: str, key: int) -> random.Random:
    """An independent, reproducible stream per race (str seeds hash with SHA-512)."""
    return random.Random(f"{seed}:{kind}:{key}")


@dataclass
class RaceRows:
    participants: list[Row] = field(default_factory=list)
    results: list[Row] = field(default_factory=list)
    registrations: list[Row] = field(default_factory=list)


def race_rows(plan: Plan, race: RacePlan) -> RaceRows:
    """The participants, results and RunSignUp registrations of one race."""
    out = RaceRows()
    if race.participants == 0:
        if race.rsu_registrants:
            out.registrations = _future_registrations(plan, race)
        return out
    rng = race_rng(plan.seed, "race", race.id)
    ctx = race_context(race)
    event = race.event
    n = race.participants
    points = race.timing_points
    split_kms = [km for _label, _text, km in points[:-1]]
    k = len(points)

    # Who does not finish: never Michael Wardian (position 0 when he runs).
    first_free = 1 if race.wardian is not None else 0
    picked = rng.sample(range(first_free, n), race.dns + race.dnf + race.dq)
    status = ["finished"] * n
    for i in picked[: race.dns]:
        status[i] = "dns"
    for i in picked[race.dns : race.dns + race.dnf]:
        status[i] = "dnf"
    for i in picked[race.dns + race.dnf :]:
        status[i] = "dq"
    # Rows of each DNF (1..k) and DNS (0..1): one per DNF, plus race.extra spread at random.
    dnf_at, dns_at = picked[race.dns : race.dns + race.dnf], picked[: race.dns]
    rows_of = dict.fromkeys(dnf_at, 1) | dict.fromkeys(dns_at, 0)
    slots = [i for i in dnf_at for _ in range(k - 1)] + list(dns_at)
    for i in rng.sample(slots, race.extra):
        rows_of[i] += 1

    forced: dict[int, tuple[str, int]] = {}
    if race.forced:
        finishers = [i for i in range(first_free, n) if status[i] == "finished"]
        forced = dict(zip(rng.sample(finishers, len(race.forced)), race.forced, strict=True))

    people: list[Person] = []
    finish: list[int] = []
    for i in range(n):
        if i == 0 and race.wardian is not None:
            people.append(wardian(race))
            finish.append(race.wardian)
            continue
        sex, age = forced.get(i, (None, None))
        person = draw_person(rng, ctx, sex, age)
        people.append(person)
        ability = times.marathon_ability(rng, person.sex, person.age, event.speed)
        finish.append(times.distance_time(ability, race.distance))

    # Start delays by expected position (corrals), places among finishers.
    by_time = sorted(range(n), key=lambda i: (finish[i], i))
    share = [0.0] * n
    for rank, i in enumerate(by_time):
        share[i] = rank / n
    overall: dict[int, tuple[int, int, int]] = {}
    sex_count: dict[str, int] = {}
    div_count: dict[str, int] = {}
    divisions = [times.division(p.sex, p.age) for p in people]
    place = 0
    for i in by_time:
        if status[i] != "finished":
            continue
        place += 1
        sex = people[i].sex
        sex_count[sex] = sex_count.get(sex, 0) + 1
        div_count[divisions[i]] = div_count.get(divisions[i], 0) + 1
        overall[i] = (place, sex_count[sex], div_count[divisions[i]])

    # Imported the evening after the race; formatted once (ct_results' COPY text takes it as is).
    created = (race_start(race) + dt.timedelta(hours=8)).isoformat(sep=" ")
    partner, race_id, event_id = event.partner_id, race.id, event.id
    km_finish = race.distance.km
    bib_base = race.index * 10_000
    pid = race.first_participant_id
    rid = race.first_result_id
    registration_id = race.first_rsu_participant_id
    hms = times.hms
    for i, person in enumerate(people):
        state = status[i]
        bib = str(bib_base + i + 1)
        out.participants.append(
            (
                pid,
                race_id,
                event_id,
                partner,
                bib,
                person.first,
                person.last,
                person.sex,
                person.age,
                person.city,
                person.state,
                person.country,
                person.email,
                person.phone,
                person.registered_at,
            )
        )
        if race.rsu_race_id is not None:
            out.registrations.append(
                registration_row(rng, registration_id, race, race.rsu_race_id, bib, person)
            )
            registration_id += 1
        division = divisions[i]
        if state == "dns":
            if rows_of[i]:
                out.results.append(
                    (
                        rid,
                        pid,
                        race_id,
                        event_id,
                        partner,
                        "Finish",
                        race.distance.km_text,
                        "dns",
                        None,
                        None,
                        None,
                        None,
                        None,
                        division,
                        None,
                        created,
                    )
                )
                rid += 1
            pid += 1
            continue
        total = finish[i]
        delay = (
            rng.randrange(0, 4)
            if race.wardian is not None and i == 0
            else (times.start_delay(rng, n, share[i]))
        )
        split_times = times.splits(rng, total, km_finish, split_kms) if k > 1 else []
        crossed, finish_row = k - 1, True
        if state == "dnf":
            rows = rows_of[i]
            finish_row = rows == k or rng.random() < 0.5
            crossed = rows - finish_row
        for j in range(crossed):
            label, km_text, km = points[j]
            chip = split_times[j]
            out.results.append(
                (
                    rid,
                    pid,
                    race_id,
                    event_id,
                    partner,
                    label,
                    km_text,
                    state,
                    hms(chip),
                    hms(chip + delay),
                    hms(times.pace_per_mile(chip, km)),
                    None,
                    None,
                    division,
                    None,
                    created,
                )
            )
            rid += 1
        if finish_row:
            if state == "dnf":
                row: Row = (
                    rid,
                    pid,
                    race_id,
                    event_id,
                    partner,
                    "Finish",
                    race.distance.km_text,
                    "dnf",
                    None,
                    None,
                    None,
                    None,
                    None,
                    division,
                    None,
                    created,
                )
            else:
                places = overall.get(i, (None, None, None))
                row = (
                    rid,
                    pid,
                    race_id,
                    event_id,
                    partner,
                    "Finish",
                    race.distance.km_text,
                    state,
                    hms(total),
                    hms(total + delay),
                    hms(times.pace_per_mile(total, km_finish)),
                    places[0],
                    places[1],
                    division,
                    places[2],
                    created,
                )
            out.results.append(row)
            rid += 1
        pid += 1
    if rid - race.first_result_id != race.results:  # pragma: no cover - plan guarantees it
        raise AssertionError(f"race {race.id}: {rid - race.first_result_id} != {race.results}")
    return out


def _future_registrations(plan: Plan, race: RacePlan) -> list[Row]:
    """Registrations for a race that has not been run yet (no ct rows, no bibs)."""
    rng = race_rng(plan.seed, "registrations", race.id)
    ctx = race_context(race)
    by = dt.datetime.combine(ref.REFERENCE_DATE, dt.time(9), UTC)
    rows: list[Row] = []
    for number in range(race.rsu_registrants):
        person = draw_person(rng, ctx, registered_by=by)
        rows.append(
            registration_row(
                rng, race.first_rsu_participant_id + number, race, race.rsu_race_id, None, person
            )
        )
    return rows


def race_chunks(plan: Plan, max_results: int = 100_000) -> Iterator[RaceRows]:
    """The race tables in chunks of whole races (about ``max_results`` result rows each)."""
    chunk = RaceRows()
    for race in plan.races:
        rows = race_rows(plan, race)
        chunk.participants += rows.participants
        chunk.results += rows.results
        chunk.registrations += rows.registrations
        if len(chunk.results) + len(chunk.registrations) >= max_results:
            yield chunk
            chunk = RaceRows()
    if chunk.participants or chunk.registrations:
        yield chunk
