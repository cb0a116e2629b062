"""The provider syncs: the recent history of each partner's syncs, and the job queue."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from project88.demodata import reference as ref
from project88.demodata.generate.columns import Row
from project88.demodata.generate.stamps import REFERENCE_NOON, UTC
from project88.demodata.plan import EventPlan, Plan, half_up


def _provider_pairs() -> list[tuple[int, int]]:
    return [
        (number, ref.PROVIDER_ID[provider])
        for number, p in enumerate(ref.PARTNERS, start=1)
        for provider in p.providers
    ]


def sync_days(scale: float) -> int:
    return max(3, half_up(90 * scale))


def sync_history_rows(plan: Plan) -> Iterator[Row]:
    """Four syncs a day per partner and provider over the last days; a few fail."""
    rng = random.Random(f"{plan.seed}:sync")
    pairs = _provider_pairs()
    days = sync_days(plan.scale)
    first = dt.datetime.combine(ref.REFERENCE_DATE - dt.timedelta(days=days), dt.time(0, 15), UTC)
    number = 0
    for slot in range(days * 4):
        started_slot = first + dt.timedelta(hours=6 * slot)
        if started_slot > REFERENCE_NOON:
            break
        for partner_id, provider_id in pairs:
            number += 1
            started = started_slot + dt.timedelta(seconds=rng.randint(0, 240))
            last = started_slot + dt.timedelta(hours=6) > REFERENCE_NOON
            if last and partner_id == 1 and provider_id == ref.PROVIDER_ID["runsignup"]:
                yield (number, partner_id, provider_id, started, None, "running", 0, None)
                continue
            failed = rng.random() < 0.03
            finished = started + dt.timedelta(seconds=rng.randint(3, 30 if failed else 400))
            records = 0 if failed else int(rng.expovariate(1 / 120))
            yield (
                number,
                partner_id,
                provider_id,
                started,
                finished,
                "failed" if failed else "succeeded",
                records,
                rng.choice(ref.SYNC_ERRORS) if failed else None,
            )


def sync_queue_rows(plan: Plan) -> Iterator[Row]:
    rng = random.Random(f"{plan.seed}:queue")
    latest: dict[int, EventPlan] = {}
    upcoming: dict[int, EventPlan] = {}
    for e in plan.events:
        if e.status in ("completed", "active"):
            latest[e.partner_id] = e
        elif e.status == "upcoming" and e.partner_id not in upcoming:
            upcoming[e.partner_id] = e
    number = 0
    for partner_id, provider_id in _provider_pairs():
        for job in range(5):
            number += 1
            queued = job == 4
            event = upcoming.get(partner_id) if queued else latest.get(partner_id)
            event = event or latest.get(partner_id) or plan.events[0]
            created = REFERENCE_NOON - dt.timedelta(hours=rng.randint(1, 24 * 14))
            if queued:
                status, attempts = "queued", 0
                scheduled = REFERENCE_NOON + dt.timedelta(minutes=rng.randint(5, 600))
            else:
                failed = rng.random() < 0.08
                status, attempts = ("failed", 3) if failed else ("done", 1)
                scheduled = created
            payload = {
                "ct_event_id": event.id,
                "event_name": event.name,
                "since": (event.date - dt.timedelta(days=1)).isoformat(),
            }
            yield (
                number,
                partner_id,
                provider_id,
                ref.SYNC_JOBS[job % len(ref.SYNC_JOBS)],
                payload,
                status,
                3 if queued else 5,
                attempts,
                scheduled,
                created,
                created,  # updated_at: nothing has touched the job since
            )
