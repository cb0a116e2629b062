"""What an event holds and what its weather was, asked of the events themselves.

"Events with no results yet", "our events that did not include a half marathon",
"editions that had rain": existence tests, so "no" compiles to a NOT EXISTS.
"""

from __future__ import annotations

from .model_types import Dimension, Kind
from .query import DISTANCE_TOLERANCE

# Words of a reading's free-text conditions ("Light rain", "Snow flurries", "Partly cloudy").
SKY = {
    "rain": ("rain", "drizzle", "shower", "storm"),
    "snow": ("snow", "flurr", "sleet", "hail"),
    "clear": ("sun", "clear", "fair"),
    "cloudy": ("cloud", "overcast", "fog", "mist", "haz"),
}


def conditions_say(column: str, sky: str) -> str:
    """SQL true when a reading's free-text ``column`` speaks of ``sky``.

    A case-blind regular expression, not ILIKE '%…%': the compiled SQL goes through
    psycopg2 with named parameters, where a literal '%s' of '%shower%' is a placeholder."""
    return f"({column} ~* '{'|'.join(SKY[sky])}')"


# Whether an event had rain or snow in any of its weather readings ("editions that had rain",
# "events where it didn't snow"): of the event, not of one reading. "No rain" is said only of
# an event whose weather was read.
EVENT_WEATHER = (
    *(
        Dimension(
            f"had_{sky}",
            "EXISTS (SELECT 1 FROM event_weather AS xw WHERE xw.ct_event_id = e.id"  # noqa: S608
            f" AND {conditions_say('xw.conditions', sky)})",
            Kind.BOOL,
            f"with {sky} on the day",
            ("e",),
            shown=False,
        )
        for sky in ("rain", "snow")
    ),
    # "events that hit more than 15°C at some point": the day's warmest (or coldest) reading
    *(
        Dimension(
            f"{extreme}_c",
            f"(SELECT {agg}(xw.temperature_c) FROM event_weather AS xw"  # noqa: S608 (constants)
            " WHERE xw.ct_event_id = e.id)",
            Kind.NUMBER,
            f"{extreme} °C",
            ("e",),
        )
        for extreme, agg in (("warmest", "max"), ("coldest", "min"))
    ),
    Dimension(
        "has_weather",
        "EXISTS (SELECT 1 FROM event_weather AS xw WHERE xw.ct_event_id = e.id)",
        Kind.BOOL,
        "with weather readings",
        ("e",),
        shown=False,
    ),
)
EVENT_CONTENTS = (
    # "events that run over more than one day": an end date after the start date
    Dimension(
        "multi_day",
        "(e.end_date > e.event_date)",
        Kind.BOOL,
        "over more than one day",
        ("e",),
        shown=False,
    ),
    Dimension(
        "has_results",
        "EXISTS (SELECT 1 FROM ct_results AS xr WHERE xr.event_id = e.id)",
        Kind.BOOL,
        "with results",
        ("e",),
        shown=False,
    ),
    Dimension(
        "offers_distance",
        "EXISTS (SELECT 1 FROM ct_races AS xra WHERE xra.event_id = e.id"  # noqa: S608 (constants)
        f" AND xra.distance_km BETWEEN {{value}} * {1 - DISTANCE_TOLERANCE}"
        f" AND {{value}} * {1 + DISTANCE_TOLERANCE})",
        Kind.CONDITION,
        "offering a {value} km race",
        ("e",),
        shown=False,
    ),
)
