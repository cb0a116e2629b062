"""A RunSignUp registration (runsignup_participants row): who registered, and what they paid."""

from __future__ import annotations

import random

from project88.demodata.generate.columns import Row
from project88.demodata.generate.people import Person
from project88.demodata.plan import RacePlan


def _amount_paid(rng: random.Random, fee: str) -> str:
    u = rng.random()
    factor = 1.0 if u < 0.7 else 0.9 if u < 0.85 else 0.8 if u < 0.96 else 0.0
    return f"{float(fee) * factor:.2f}"


def registration_row(
    rng: random.Random,
    row_id: int,
    race: RacePlan,
    rsu_race_id: int,
    bib: str | None,
    person: Person,
) -> Row:
    """A runsignup_participants row: who registered, and what they paid."""
    return (
        row_id,
        rsu_race_id,
        race.event.partner_id,
        bib,
        person.first,
        person.last,
        person.sex,
        person.age,
        person.city,
        person.state,
        person.email,
        person.phone,
        person.registered_at,
        _amount_paid(rng, race.rsu_fee or "0"),
    )
