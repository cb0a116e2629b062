"""The thirteen timing partners (where they are, which providers they use) and the four
providers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Partner:
    name: str
    slug: str
    city: str
    state: str
    region: tuple[str, ...]  # states where its events are
    weight: float  # share of the generic events
    providers: tuple[str, ...]  # provider slugs it is connected to


PARTNERS: tuple[Partner, ...] = (
    Partner("Big River Race Management", "big-river", "St. Louis", "MO", ("MO", "IL"), 1.0,
            ("chronotrack", "runsignup", "haku")),
    Partner("Bay State Race Services", "bay-state", "Boston", "MA", ("MA", "NH", "RI"), 1.3,
            ("chronotrack", "raceroster")),
    Partner("Windy City Timing", "windy-city", "Chicago", "IL", ("IL", "WI", "IN"), 1.4,
            ("chronotrack", "raceroster", "haku")),
    Partner("Tidewater Timing Co.", "tidewater", "Virginia Beach", "VA", ("VA", "NC", "MD"), 1.0,
            ("chronotrack", "runsignup")),
    Partner("Nutmeg Race Timing", "nutmeg", "Hartford", "CT", ("CT", "NY"), 0.8,
            ("chronotrack", "runsignup")),
    Partner("Lone Star Race Timing", "lone-star", "Austin", "TX", ("TX", "OK"), 1.5,
            ("chronotrack", "runsignup")),
    Partner("Rocky Mountain Chip Timing", "rocky-mountain", "Denver", "CO", ("CO", "UT"), 0.9,
            ("chronotrack", "raceroster", "haku")),
    Partner("Pacific Coast Race Timing", "pacific-coast", "San Diego", "CA", ("CA",), 1.4,
            ("chronotrack", "raceroster", "haku")),
    Partner("Peachtree Timing Group", "peachtree", "Atlanta", "GA", ("GA", "SC", "FL", "TN"),
            1.2, ("chronotrack", "runsignup")),
    Partner("Great Lakes Race Timing", "great-lakes", "Grand Rapids", "MI", ("MI", "OH", "MN"),
            1.0, ("chronotrack", "runsignup")),
    Partner("Cascade Timing Systems", "cascade", "Portland", "OR", ("OR", "WA"), 0.8,
            ("chronotrack", "raceroster")),
    Partner("Desert Sun Timing", "desert-sun", "Phoenix", "AZ", ("AZ", "NV", "NM"), 0.7,
            ("chronotrack", "runsignup")),
    Partner("Keystone Race Timing", "keystone", "Philadelphia", "PA", ("PA", "NJ", "DE"), 1.1,
            ("chronotrack", "runsignup")),
)  # fmt: skip
PARTNER_BY_SLUG = {p.slug: p for p in PARTNERS}

# (name, slug, api_base_url); ids are 1.. in this order.
PROVIDERS: tuple[tuple[str, str, str], ...] = (
    ("ChronoTrack", "chronotrack", "https://api.chronotrack.com/api"),
    ("RunSignUp", "runsignup", "https://runsignup.com/Rest"),
    ("Race Roster", "raceroster", "https://raceroster.com/api/v1"),
    ("Haku", "haku", "https://api.hakuapp.com/v1"),
)
PROVIDER_ID = {slug: i for i, (_name, slug, _url) in enumerate(PROVIDERS, start=1)}
