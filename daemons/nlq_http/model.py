"""The semantic model of ``project88_myappdb``: the vocabulary every question is written in.

Entities are the things rows can be counted or listed of (finishers, entrants,
splits, events, races, weather readings, qualifying standards, registrations,
fees). Each entity has a root table and the joins it can reach; dimensions are
typed columns (or expressions over them) with the words people use for them;
measures are aggregates with a unit. The rules parser maps phrases onto these
names, the LLM may only pick among them, and ``compiler`` writes SQL from them
alone. Growing coverage means declaring a field and its synonyms here.

Every SQL fragment in this module is a constant; values travel as parameters.
"""

from __future__ import annotations

from .model_events import EVENT_CONTENTS, EVENT_WEATHER, SKY, conditions_say
from .model_people import (
    CT_EVENT_DIMENSIONS,
    ENTRANTS,
    FINISHERS,
    RACE_DIMENSIONS,
    SEXES,
    SPLITS,
    event_dimensions,
)
from .model_types import Dimension, Entity, Kind, Measure
from .model_types import dim as _d
from .model_types import dims as _dims

__all__ = ["MODEL", "Dimension", "Entity", "Kind", "Measure"]


EVENTS = Entity(
    name="events",
    label="events",
    root="ct_events AS e",
    alias="e",
    joins={"tp": ("JOIN timing_partners AS tp ON tp.id = e.timing_partner_id", ())},
    base_filters=(),
    dimensions=_dims(
        *CT_EVENT_DIMENSIONS,
        _d("event_id", "e.id", Kind.INT, "event id", "e"),
        _d("end_date", "e.end_date", Kind.DATE, "end date", "e"),
        _d("time_zone", "e.time_zone", Kind.TEXT, "time zone", "e"),
        *EVENT_CONTENTS,
        *EVENT_WEATHER,
    ),
    measures={
        "count": Measure("count", "count(*)", "count", "events"),
        # "what share of the 2020 events were cancelled": of the events the filters keep
        "cancelled_share": Measure(
            "cancelled_share",
            "round(100.0 * count(*) FILTER (WHERE e.status = 'cancelled')"
            " / nullif(count(*), 0), 1)",
            "percent",
            "cancelled (% of events)",
        ),
    },
    columns=(
        "event_id",
        "event",
        "event_date",
        "end_date",
        "event_city",
        "event_state",
        "event_status",
        "partner",
    ),
    default_order=(("event_date", True), ("event", False)),
    partner_aliases=("e",),
)

RACES = Entity(
    name="races",
    label="races",
    root="ct_races AS ra",
    alias="ra",
    joins={
        "e": ("JOIN ct_events AS e ON e.id = ra.event_id", ()),
        "tp": ("JOIN timing_partners AS tp ON tp.id = ra.timing_partner_id", ()),
    },
    base_filters=(),
    dimensions=_dims(
        *CT_EVENT_DIMENSIONS,
        *RACE_DIMENSIONS,
        _d("start_time", "ra.start_time", Kind.DATE, "start time", "ra"),
    ),
    measures={"count": Measure("count", "count(*)", "count", "races")},
    columns=("event", "event_date", "race", "distance_km", "start_time"),
    default_order=(("event_date", True), ("distance_km", True)),
    partner_aliases=("ra", "e"),
)

# The sky in a reading's conditions, whatever words the provider used: what "when it was
# raining" or "no snow" filters on.
WEATHER_TYPES = ("rain", "snow", "clear", "cloudy", "other")
WEATHER_TYPE = (
    "CASE "
    + " ".join(f"WHEN {conditions_say('w.conditions', sky)} THEN '{sky}'" for sky in SKY)
    + " ELSE 'other' END"
)

WEATHER = Entity(
    name="weather",
    label="weather readings",
    root="event_weather AS w",
    alias="w",
    joins={
        "e": ("JOIN ct_events AS e ON e.id = w.ct_event_id", ()),
        "tp": ("JOIN timing_partners AS tp ON tp.id = w.timing_partner_id", ()),
    },
    base_filters=(),
    dimensions=_dims(
        *CT_EVENT_DIMENSIONS,
        _d("observed_at", "w.observed_at", Kind.DATE, "observed at", "w"),
        _d("temperature_c", "w.temperature_c", Kind.NUMBER, "temperature (°C)", "w"),
        _d(
            "temperature_f",
            "round(w.temperature_c * 9 / 5 + 32, 1)",
            Kind.NUMBER,
            "temperature (°F)",
            "w",
        ),
        _d("humidity_pct", "w.humidity_pct", Kind.NUMBER, "humidity (%)", "w"),
        _d("wind_kph", "w.wind_kph", Kind.NUMBER, "wind (km/h)", "w"),
        _d("conditions", "w.conditions", Kind.TEXT, "conditions", "w"),
        _d("weather_type", WEATHER_TYPE, Kind.ENUM, "sky", "w", values=WEATHER_TYPES),
    ),
    measures={
        "count": Measure("count", "count(*)", "count", "readings"),
        "events": Measure("events", "count(DISTINCT w.ct_event_id)", "count", "events"),
        "average_temperature": Measure(
            "average_temperature", "round(avg(w.temperature_c), 1)", "celsius", "average °C"
        ),
        "lowest_temperature": Measure(
            "lowest_temperature", "min(w.temperature_c)", "celsius", "lowest °C"
        ),
        "highest_temperature": Measure(
            "highest_temperature", "max(w.temperature_c)", "celsius", "highest °C"
        ),
        "average_humidity": Measure(
            "average_humidity", "round(avg(w.humidity_pct), 1)", "percent", "average humidity"
        ),
        "average_wind": Measure("average_wind", "round(avg(w.wind_kph), 1)", "kph", "average wind"),
        "strongest_wind": Measure("strongest_wind", "max(w.wind_kph)", "kph", "strongest wind"),
    },
    columns=(
        "event",
        "event_date",
        "observed_at",
        "temperature_c",
        "humidity_pct",
        "wind_kph",
        "conditions",
    ),
    default_order=(("event_date", True), ("observed_at", False)),
    partner_aliases=("w", "e"),
)

STANDARDS = Entity(
    name="standards",
    label="Boston qualifying standards",
    root="boston_qualifying_standards AS bq",
    alias="bq",
    joins={},
    base_filters=(),
    dimensions=_dims(
        _d("edition", "bq.edition_year", Kind.INT, "edition", "bq"),
        _d("sex", "bq.sex", Kind.ENUM, "sex", "bq", values=SEXES),
        _d("age_min", "bq.age_min", Kind.INT, "from age", "bq"),
        _d("age_max", "bq.age_max", Kind.INT, "to age", "bq"),
        Dimension("age", "bq.age_min|bq.age_max", Kind.RANGE, "age", ("bq",), shown=False),
        _d("qualifying_time", "bq.qualifying_time", Kind.TIME, "qualifying time", "bq"),
        Dimension(
            "latest_edition",
            "bq.edition_year = (SELECT max(s.edition_year) FROM boston_qualifying_standards AS s)",
            Kind.BOOL,
            "the latest edition",
            ("bq",),
            shown=False,
        ),
    ),
    measures={
        "count": Measure("count", "count(*)", "count", "standards"),
        # "how many age groups do the standards have": a band is one for both sexes
        "age_groups": Measure("age_groups", "count(DISTINCT bq.age_min)", "count", "age groups"),
    },
    columns=("edition", "sex", "age_min", "age_max", "qualifying_time"),
    default_order=(("edition", True), ("sex", False), ("age_min", False)),
    partner_aliases=(),
)

REGISTRATIONS = Entity(
    name="registrations",
    label="RunSignUp registrations",
    root="runsignup_participants AS rp",
    alias="rp",
    joins={
        "rr": ("JOIN runsignup_races AS rr ON rr.id = rp.runsignup_race_id", ()),
        "rev": ("JOIN runsignup_events AS rev ON rev.id = rr.runsignup_event_id", ("rr",)),
        "tp": ("JOIN timing_partners AS tp ON tp.id = rp.timing_partner_id", ()),
    },
    base_filters=(),
    dimensions=_dims(
        *event_dimensions("rev", country=False),
        _d("race", "rr.name", Kind.TEXT, "race", "rr"),
        _d("distance_km", "rr.distance_km", Kind.NUMBER, "distance (km)", "rr"),
        _d("partner", "tp.name", Kind.TEXT, "timing partner", "tp"),
        _d("first_name", "rp.first_name", Kind.TEXT, "first name", "rp"),
        _d("last_name", "rp.last_name", Kind.TEXT, "last name", "rp"),
        _d("sex", "rp.sex", Kind.ENUM, "sex", "rp", values=SEXES),
        _d("age", "rp.age", Kind.INT, "age", "rp"),
        _d("city", "rp.city", Kind.TEXT, "city", "rp"),
        _d("state", "rp.state", Kind.TEXT, "state", "rp"),
        _d("amount_paid", "rp.amount_paid", Kind.NUMBER, "amount paid ($)", "rp"),
        _d("registered_at", "rp.registered_at::date", Kind.DATE, "registered on", "rp"),
        _d(
            "registered_month",
            "date_trunc('month', rp.registered_at)::date",
            Kind.DATE,
            "month registered",
            "rp",
        ),
        _d("email", "rp.email", Kind.TEXT, "e-mail", "rp"),
        _d("phone", "rp.phone", Kind.TEXT, "phone", "rp"),
    ),
    measures={
        "count": Measure("count", "count(*)", "count", "registrations"),
        "revenue": Measure("revenue", "sum(rp.amount_paid)", "usd", "revenue ($)"),
        "average_paid": Measure(
            "average_paid", "round(avg(rp.amount_paid), 2)", "usd", "average paid ($)"
        ),
        "highest_paid": Measure("highest_paid", "max(rp.amount_paid)", "usd", "highest paid ($)"),
        "lowest_paid": Measure("lowest_paid", "min(rp.amount_paid)", "usd", "lowest paid ($)"),
        # The registrants' ages, as the sign-up form gave them (no age: not counted)
        "average_age": Measure("average_age", "round(avg(rp.age), 1)", "years", "average age"),
        "median_age": Measure(
            "median_age",
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY rp.age)",
            "years",
            "median age",
        ),
        "median_paid": Measure(
            "median_paid",
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY rp.amount_paid)",
            "usd",
            "median paid ($)",
        ),
        "youngest_age": Measure("youngest_age", "min(rp.age)", "years", "youngest age"),
        "oldest_age": Measure("oldest_age", "max(rp.age)", "years", "oldest age"),
    },
    columns=("event", "event_date", "race", "first_name", "last_name", "registered_at"),
    default_order=(("registered_at", True), ("last_name", False)),
    partner_aliases=("rp", "rr", "rev"),
)


def _provider(alias: str) -> Dimension:
    """Which registration platform a row of a derived provider table comes from."""
    return _d("provider", f"{alias}.provider", Kind.ENUM, "provider", alias, values=PROVIDERS)


PROVIDERS = ("RunSignUp", "Race Roster")

# Fees as offered: RunSignUp's per race and Race Roster's per event, one list (a derived
# table whose branches each get the tenant predicate: ``%(tenant)s`` below).
FEES_ROOT = (
    "(SELECT 'RunSignUp' AS provider, fe.timing_partner_id, fe.name, fe.event_date, fe.city,"
    " fe.state, fr.name AS race, fr.distance_km, fr.registration_fee"
    " FROM runsignup_races AS fr JOIN runsignup_events AS fe ON fe.id = fr.runsignup_event_id"
    " WHERE {fr_tenant} AND {fe_tenant}"
    " UNION ALL SELECT 'Race Roster', rre.timing_partner_id, rre.name, rre.event_date, rre.city,"
    " rre.state, NULL, NULL, rre.registration_fee FROM raceroster_events AS rre"
    " WHERE {rre_tenant}) AS f"
)
FEES = Entity(
    name="fees",
    label="registration fees",
    root=FEES_ROOT,
    alias="f",
    joins={"tp": ("JOIN timing_partners AS tp ON tp.id = f.timing_partner_id", ())},
    base_filters=("f.registration_fee IS NOT NULL",),
    dimensions=_dims(
        *event_dimensions("f", country=False),
        _provider("f"),
        _d("race", "f.race", Kind.TEXT, "race", "f"),
        _d("distance_km", "f.distance_km", Kind.NUMBER, "distance (km)", "f"),
        _d("fee", "f.registration_fee", Kind.NUMBER, "fee ($)", "f"),
        _d("partner", "tp.name", Kind.TEXT, "timing partner", "tp"),
    ),
    measures={
        "count": Measure("count", "count(*)", "count", "fees"),
        "average_fee": Measure(
            "average_fee", "round(avg(f.registration_fee), 2)", "usd", "average fee ($)"
        ),
        "lowest_fee": Measure("lowest_fee", "min(f.registration_fee)", "usd", "lowest fee ($)"),
        "highest_fee": Measure("highest_fee", "max(f.registration_fee)", "usd", "highest fee ($)"),
    },
    columns=("provider", "event", "event_date", "event_city", "event_state", "race", "fee"),
    default_order=(("event_date", True), ("event", False)),
    partner_aliases=(),  # applied inside the derived table
)

# The events catalogue: every provider's events (ChronoTrack, RunSignUp, Race Roster, Haku),
# RunSignUp's with their registration window. The tenant predicate goes on each table inside
# (``{ce_tenant}``, ``{le_tenant}``).
LISTINGS_ROOT = (
    "(SELECT pr.name AS provider, ce.id AS listing_id, ce.timing_partner_id, ce.name,"
    " ce.event_date, ce.city, ce.state, ce.is_active, le.registration_opens,"
    " le.registration_closes"
    " FROM events AS ce JOIN providers AS pr ON pr.id = ce.provider_id"
    " LEFT JOIN runsignup_events AS le ON pr.slug = 'runsignup'"
    " AND le.id::text = ce.provider_event_id AND {le_tenant}"
    " WHERE {ce_tenant}) AS l"
)
CATALOGUE_PROVIDERS = ("ChronoTrack", "RunSignUp", "Race Roster", "Haku")
LISTINGS = Entity(
    name="listings",
    label="catalogue events",
    root=LISTINGS_ROOT,
    alias="l",
    joins={"tp": ("JOIN timing_partners AS tp ON tp.id = l.timing_partner_id", ())},
    base_filters=(),
    dimensions=_dims(
        *event_dimensions("l", country=False),
        _d("provider", "l.provider", Kind.ENUM, "provider", "l", values=CATALOGUE_PROVIDERS),
        _d("active", "l.is_active", Kind.BOOL, "active", "l"),
        _d("registration_opens", "l.registration_opens", Kind.DATE, "registration opens", "l"),
        _d("registration_closes", "l.registration_closes", Kind.DATE, "registration closes", "l"),
        _d("partner", "tp.name", Kind.TEXT, "timing partner", "tp"),
    ),
    measures={"count": Measure("count", "count(*)", "count", "events")},
    columns=(
        "provider",
        "event",
        "event_date",
        "event_city",
        "event_state",
        "registration_opens",
        "registration_closes",
    ),
    default_order=(("event_date", True), ("event", False)),
    partner_aliases=(),  # applied inside the derived table
)

LIVE_READS = Entity(
    name="live_reads",
    label="tag reads",
    # A partner key reads only its own races' sessions (timing_sessions.timing_partner_id,
    # migration 0011); a session with no partner (the automatic one) is an admin's alone.
    root="timing_reads AS tr JOIN timing_sessions AS ts ON ts.id = tr.session_id AND {ts_tenant}",
    alias="tr",
    joins={},
    base_filters=(),
    dimensions=_dims(
        _d("session_id", "tr.session_id", Kind.INT, "timing session", "tr"),
        _d("location", "tr.location_name", Kind.TEXT, "location", "tr"),
        _d("session_status", "ts.status", Kind.TEXT, "session status", "tr"),
    ),
    measures={
        "count": Measure("count", "count(*)", "count", "reads"),
        "unique_tags": Measure(
            "unique_tags", "count(DISTINCT tr.tag_code)", "count", "unique tags"
        ),
        "first_read": Measure("first_read", "min(tr.read_timestamp)", "timestamp", "first read"),
        "last_read": Measure("last_read", "max(tr.read_timestamp)", "timestamp", "last read"),
    },
    columns=("location",),
    default_order=(("location", False),),
    partner_aliases=(),
    database="raw",
)

# The live timing sessions themselves: which event each is for, its state and times.
SESSIONS = Entity(
    name="sessions",
    label="timing sessions",
    root="timing_sessions AS ts",
    alias="ts",
    joins={},
    base_filters=(),
    dimensions=_dims(
        _d("session_id", "ts.id", Kind.INT, "timing session", "ts"),
        _d("session_name", "ts.session_name", Kind.TEXT, "session name", "ts"),
        _d("event", "ts.event_name", Kind.TEXT, "event", "ts"),
        _d("session_status", "ts.status", Kind.TEXT, "session status", "ts"),
        _d("started_at", "ts.start_time", Kind.TEXT, "started", "ts"),
        _d("ended_at", "ts.end_time", Kind.TEXT, "ended", "ts"),
    ),
    measures={"count": Measure("count", "count(*)", "count", "timing sessions")},
    columns=("session_id", "session_name", "event", "session_status", "started_at", "ended_at"),
    default_order=(("session_id", False),),
    partner_aliases=("ts",),  # a partner key sees its own races' sessions only
    database="raw",
)

MODEL: dict[str, Entity] = {
    e.name: e
    for e in (
        FINISHERS,
        SPLITS,
        ENTRANTS,
        EVENTS,
        RACES,
        WEATHER,
        STANDARDS,
        REGISTRATIONS,
        FEES,
        LISTINGS,
        LIVE_READS,
        SESSIONS,
    )
}
