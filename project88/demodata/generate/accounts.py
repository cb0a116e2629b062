"""The partners and providers, the staff users, the Haku organisations and the partners'
provider credentials."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping

from project88.demodata import reference as ref
from project88.demodata.generate.columns import Row
from project88.demodata.generate.stamps import REFERENCE_NOON, stamp


def _area(state: str) -> str:
    return ref.STATE_BY_CODE[state].area_codes[0]


def partner_rows() -> list[Row]:
    rows: list[Row] = []
    for number, p in enumerate(ref.PARTNERS, start=1):
        created = stamp(dt.date(2018, 1 + number % 12, 1 + 2 * number), 15)
        rows.append(
            (
                number,
                p.name,
                p.slug,
                f"info@{p.slug}.example.com",
                f"({_area(p.state)}) 555-01{10 + number:02d}",
                f"https://www.{p.slug}.example.com",
                p.city,
                p.state,
                "US",
                True,
                created,
                stamp(dt.date(2026, 11, 1), 8),
            )
        )
    return rows


def provider_rows() -> list[Row]:
    created = stamp(dt.date(2018, 1, 2), 10)
    return [
        (number, name, slug, url, created)
        for number, (name, slug, url) in enumerate(ref.PROVIDERS, start=1)
    ]


def api_key_owners() -> list[str]:
    """Who gets an API key, in users id order: each partner's staff user, then the admin."""
    return [p.slug for p in ref.PARTNERS] + ["admin"]


def user_rows(seed: int, key_hashes: Mapping[str, str | None]) -> list[Row]:
    rng = random.Random(f"{seed}:users")
    rows: list[Row] = []
    for number, owner in enumerate(api_key_owners(), start=1):
        names = ref.FIRST_NAMES_F if number % 2 else ref.FIRST_NAMES_M
        full_name = f"{rng.choice(names)} {rng.choice(ref.LAST_NAMES)}"
        last_login = REFERENCE_NOON - dt.timedelta(minutes=rng.randint(30, 60 * 24 * 20))
        created = stamp(dt.date(2019, 1, 1) + dt.timedelta(days=rng.randint(0, 900)), 14)
        if owner == "admin":
            rows.append(
                (
                    number,
                    None,
                    "platform.admin@example.org",
                    full_name,
                    "admin",
                    key_hashes.get(owner),
                    True,
                    last_login,
                    created,
                )
            )
        else:
            rows.append(
                (
                    number,
                    number,
                    f"{owner}.staff@example.com",
                    full_name,
                    "staff",
                    key_hashes.get(owner),
                    True,
                    last_login,
                    created,
                )
            )
    return rows


def haku_org_rows(seed: int) -> list[Row]:
    rng = random.Random(f"{seed}:haku")
    rows: list[Row] = []
    for number, p in enumerate(ref.PARTNERS, start=1):
        if "haku" not in p.providers:
            continue
        names = [p.name] + (["Big River Trail Series"] if p.slug == "big-river" else [])
        for name in names:
            rows.append(
                (
                    len(rows) + 1,
                    number,
                    f"org_{rng.getrandbits(40):010x}",
                    name,
                    stamp(dt.date(2021, 3, 1) + dt.timedelta(days=rng.randint(0, 700))),
                )
            )
    return rows


def credential_rows(seed: int) -> list[Row]:
    """Fake provider API credentials (plaintext here; encrypted by the loader)."""
    rng = random.Random(f"{seed}:credentials")
    rows: list[Row] = []
    for number, p in enumerate(ref.PARTNERS, start=1):
        for provider in p.providers:
            created = stamp(dt.date(2020, 6, 1) + dt.timedelta(days=rng.randint(0, 1500)), 16)
            rows.append(
                (
                    len(rows) + 1,
                    number,
                    ref.PROVIDER_ID[provider],
                    f"{p.slug}-{provider}",
                    f"{provider[:3]}_live_{rng.getrandbits(128):032x}",
                    f"{rng.getrandbits(160):040x}",
                    created,
                    created + dt.timedelta(days=rng.randint(0, 200)),
                )
            )
    return rows
