"""Built-in reference data for the synthetic production dataset (no Faker).

Everything here is fictional or public-domain geography: partner names are
invented, e-mail addresses use the reserved ``example.com``/``example.org``
domains and telephone numbers the fictional ``555-0100``-``555-0199`` block.
No string here may contain a tab, newline, carriage return or backslash (the
COPY text format would need escaping); ``_check_clean`` enforces it on import.

The data is kept by subject, a module each: ``places`` (states, places abroad),
``partners`` (timing partners, providers), ``distances``, ``series`` (the
generic event series), ``featured`` (the featured marathons, Big River, Michael
Wardian) and ``names``; every name is re-exported here, so ``reference.X``
works for all of them. The reference date, the weather and sync vocabularies and
the check are here.
"""

from __future__ import annotations

import datetime as dt

from project88.demodata.reference.distances import (  # noqa: F401 (re-exported)
    DISTANCES,
    HALF_KM,
    MARATHON_KM,
    MILE,
    Distance,
    format_km,
)
from project88.demodata.reference.featured import (  # noqa: F401 (re-exported)
    BIG_RIVER,
    BIG_RIVER_EVENTS,
    FEATURED,
    FEATURED_NAMES,
    FEATURED_NAMES_CASED,
    FEATURED_YEARS,
    WARDIAN,
    WARDIAN_BIRTHDAY,
    WARDIAN_FIRST,
    WARDIAN_HOME,
    WARDIAN_LAST,
    WARDIAN_PR,
    WARDIAN_PR_EVENT,
    WARDIAN_PR_YEAR,
    YEAR_FIELD,
    Appearance,
    BigRiverEvent,
    Featured,
)
from project88.demodata.reference.names import (
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    FIRST_NAMES_X,
    LAST_NAMES,
)
from project88.demodata.reference.partners import (  # noqa: F401 (re-exported)
    PARTNER_BY_SLUG,
    PARTNERS,
    PROVIDER_ID,
    PROVIDERS,
    Partner,
)
from project88.demodata.reference.places import (  # noqa: F401 (re-exported)
    ABROAD,
    STATE_BY_CODE,
    STATES,
    Abroad,
    State,
)
from project88.demodata.reference.series import (  # noqa: F401 (re-exported)
    EXTRA_DISTANCES,
    NAME_PREFIXES,
    TEMPLATES,
    Template,
)

REFERENCE_DATE = dt.date(2026, 11, 25)  # "today" for statuses: the data never drifts
FIRST_YEAR, LAST_YEAR = 2019, 2027
HORIZON = dt.date(2027, 6, 30)  # nothing is scheduled after this

CONDITIONS_WARM = ("Sunny", "Clear", "Partly cloudy", "Humid", "Overcast", "Light rain")
CONDITIONS_COLD = ("Clear", "Partly cloudy", "Overcast", "Windy", "Light rain", "Snow flurries")
SYNC_ERRORS = (
    "HTTP 503 from provider API: service unavailable",
    "HTTP 429 from provider API: rate limited, retry later",
    "timeout after 30 s waiting for provider API",
    "HTTP 401 from provider API: credentials rejected",
)
SYNC_JOBS = ("sync_events", "sync_participants", "sync_results", "push_results")


def _check_clean() -> None:
    texts: list[str] = [*FIRST_NAMES_M, *FIRST_NAMES_F, *FIRST_NAMES_X, *LAST_NAMES]
    for state in STATES:
        texts += state.cities
    for abroad in ABROAD:
        texts += abroad.cities
    texts += [t.pattern for t in TEMPLATES] + [p.name for p in PARTNERS] + list(NAME_PREFIXES)
    texts += [e.name for e in BIG_RIVER_EVENTS] + [f.name for f in FEATURED]
    for text in texts:
        if any(ch in text for ch in "\t\n\r\\"):
            raise ValueError(f"reference text {text!r} would need COPY escaping")
    if WARDIAN_LAST in LAST_NAMES:
        raise ValueError("Wardian must be the only Wardian")


_check_clean()
