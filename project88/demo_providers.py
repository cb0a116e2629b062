"""``make demo``'s registration provider: the test suite's named fake ChronoTrack Live.

The demo cannot reach the real ChronoTrack (and has no account there), so it
starts ``tests.fakes.fake_chronotrack.FakeChronoTrackLive`` on a free loopback
port with today's race: one Half Marathon starting within the hour, an entry for
every athlete ``project88 simulate`` sends (bib = tag code), named from
``tools/sample_roster.csv`` and then deterministically from the demo dataset's
name lists. The provider_sync daemon syncs it like any partner's account, and a
name correction made at the "provider" a little later shows how a change reaches
the finish display within the race-morning cadence (every minute).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import secrets
import threading
import time
from pathlib import Path

from project88.demodata import reference as ref
from tests.fakes.fake_chronotrack import FakeChronoTrackLive

DEMO_EVENT = 9_900_001  # far above the demo dataset's ChronoTrack event ids
DEMO_RACE = 9_900_011
FIRST_NAMES = {"M": ref.FIRST_NAMES_M, "F": ref.FIRST_NAMES_F, "X": ref.FIRST_NAMES_X}
CORRECTION_AFTER = 75.0  # seconds: past the first minute's sync, so the second shows it
CITIES = (
    ("Hartford", "CT"),
    ("Albany", "NY"),
    ("Burlington", "VT"),
    ("Providence", "RI"),
    ("Worcester", "MA"),
    ("Portland", "ME"),
    ("Manchester", "NH"),
    ("Boston", "MA"),
)


def start(athletes: int, sample_roster: Path) -> FakeChronoTrackLive:
    fake = FakeChronoTrackLive(password=secrets.token_urlsafe(12))
    starts = int(time.time()) + 45 * 60
    today = dt.date.today()
    fake.add_event(
        DEMO_EVENT,
        "Project88Hub Demo Half Marathon",
        starts,
        location_city="Hartford",
        location_region="CT",
    )
    fake.add_race(DEMO_RACE, DEMO_EVENT, "Half Marathon", 21097)
    known = {int(r["bib"]): r for r in csv.DictReader(sample_roster.open(encoding="utf-8"))}
    for bib in range(1, athletes + 1):
        rng = random.Random(f"demo-runner-{bib}-{today:%Y}")
        row = known.get(bib)
        sex = (row or {}).get("gender") or rng.choice("MF")
        city, state = (row["city"], row["state"]) if row else rng.choice(CITIES)
        fake.add_entry(
            bib,
            DEMO_RACE,
            str(bib),
            athlete_first_name=row["first_name"] if row else rng.choice(FIRST_NAMES[sex]),
            athlete_last_name=row["last_name"] if row else rng.choice(ref.LAST_NAMES),
            athlete_sex=sex,
            entry_race_age=(row or {}).get("age") or str(rng.randint(18, 70)),
            location_city=city,
            location_region=state,
        )
    return fake.start()


def correct_a_name_later(fake: FakeChronoTrackLive, stop: threading.Event) -> None:
    """After a while, a runner's name is corrected at the provider (the daemon brings it)."""

    def correct() -> None:
        if stop.wait(CORRECTION_AFTER):
            return
        entry = fake.entries[min(7, len(fake.entries))]
        entry["athlete_first_name"], entry["athlete_last_name"] = "Katharine", "Switzer-Demo"
        print(
            f"demo: at the provider, bib {entry['entry_bib']} is now Katharine Switzer-Demo; "
            "provider-sync brings it to the display within a minute",
            flush=True,
        )

    threading.Thread(target=correct, name="demo-correction", daemon=True).start()
