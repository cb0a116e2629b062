"""A sqlglot check of every compiled query before it runs (defence in depth).

The compiler only emits SQL made of its own constant fragments, so this guard
should never fire; it exists so that a bug there (or a future engine) cannot
turn into a write, a lock, a side effect or a read outside the allow-list.
Refused: more than one statement, anything but a SELECT, ``SELECT … INTO``,
``FOR UPDATE``/``SHARE``, writable CTEs and any data-changing node, tables and
columns off the allow-list, and every function not on it — which covers
``set_config``, ``current_setting``, ``pg_sleep``, ``pg_read_file``,
``dblink``, ``lo_import`` and everything else PostgreSQL can do as a side
effect.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp


class UnsafeQuery(ValueError):
    """The query is refused; the message says why."""


TABLES: dict[str, dict[str, frozenset[str]]] = {
    "production": {
        "ct_events": frozenset(
            {
                "id",
                "timing_partner_id",
                "name",
                "event_date",
                "end_date",
                "city",
                "state",
                "country",
                "status",
                "time_zone",
            }
        ),
        "ct_races": frozenset(
            {"id", "event_id", "timing_partner_id", "name", "distance_km", "start_time"}
        ),
        "ct_participants": frozenset(
            {
                "id",
                "race_id",
                "event_id",
                "timing_partner_id",
                "bib",
                "first_name",
                "last_name",
                "sex",
                "age",
                "city",
                "state",
                "country",
                "email",
                "phone",
                "registered_at",
            }
        ),
        "ct_results": frozenset(
            {
                "id",
                "participant_id",
                "race_id",
                "event_id",
                "timing_partner_id",
                "timing_point",
                "status",
                "chip_time",
                "gun_time",
                "pace_per_mile",
                "overall_place",
                "sex_place",
                "division",
                "division_place",
                "boston_qualifier",
                "split_km",
            }
        ),
        "event_weather": frozenset(
            {
                "ct_event_id",
                "timing_partner_id",
                "observed_at",
                "temperature_c",
                "humidity_pct",
                "wind_kph",
                "conditions",
            }
        ),
        "runsignup_participants": frozenset(
            {
                "runsignup_race_id",
                "timing_partner_id",
                "first_name",
                "last_name",
                "sex",
                "age",
                "city",
                "state",
                "email",
                "phone",
                "registered_at",
                "amount_paid",
            }
        ),
        "timing_partners": frozenset({"id", "name"}),
        "boston_qualifying_standards": frozenset(
            {"edition_year", "sex", "age_min", "age_max", "qualifying_time"}
        ),
        "runsignup_events": frozenset(
            {
                "id",
                "timing_partner_id",
                "name",
                "event_date",
                "city",
                "state",
                "registration_opens",
                "registration_closes",
            }
        ),
        "runsignup_races": frozenset(
            {
                "id",
                "runsignup_event_id",
                "timing_partner_id",
                "name",
                "distance_km",
                "registration_fee",
            }
        ),
        "raceroster_events": frozenset(
            {"id", "timing_partner_id", "name", "event_date", "city", "state", "registration_fee"}
        ),
        "events": frozenset(  # the catalogue of every provider's events
            {
                "id",
                "timing_partner_id",
                "provider_id",
                "provider_event_id",
                "name",
                "event_date",
                "city",
                "state",
                "is_active",
            }
        ),
        "providers": frozenset({"id", "name", "slug"}),
    },
    "raw": {
        "timing_reads": frozenset(
            {"id", "session_id", "location_name", "tag_code", "read_timestamp"}
        ),
        "timing_sessions": frozenset(
            # timing_partner_id: a partner key's predicate (its own races' sessions only)
            {
                "id",
                "session_name",
                "event_name",
                "status",
                "start_time",
                "end_time",
                "timing_partner_id",
            }
        ),
    },
}

# Expression classes that are functions or operators sqlglot models as functions.
ALLOWED_FUNCTIONS: tuple[type[exp.Expression], ...] = (
    exp.Count,
    exp.Avg,
    exp.Min,
    exp.Max,
    exp.Sum,
    exp.PercentileCont,
    exp.Floor,
    exp.Round,
    exp.Extract,
    exp.TimestampTrunc,  # date_trunc('month', …): registrations by month
    exp.DateTrunc,
    exp.Lower,
    exp.RegexpILike,  # a reading's sky from its free-text conditions (the model's own patterns)
    exp.TimeToStr,  # to_char(event_date, 'FMDay'): the day of the week
    exp.Coalesce,
    exp.Nullif,  # a rate with nothing to divide by is no value, not an error
    exp.Cast,
    exp.And,
    exp.Or,
    exp.Not,
    exp.Exists,
    exp.Any,
    exp.Case,  # a reading's sky from its free-text conditions
    exp.If,  # sqlglot's form of a CASE branch
    exp.RowNumber,  # top N per group, over the query's own rows
    exp.Window,
)
FORBIDDEN_NODES: tuple[type[exp.Expression], ...] = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.Command,
    exp.Into,
    exp.Lock,
    exp.Set,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Copy,
    exp.Grant,
    exp.Use,
)


def check(sql: str, database: str) -> None:
    """Raise ``UnsafeQuery`` unless ``sql`` is one allow-listed, read-only SELECT."""
    allowed = TABLES.get(database)
    if allowed is None:
        raise UnsafeQuery(f"unknown database {database!r}")
    try:
        statements = [s for s in sqlglot.parse(sql, read="postgres") if s is not None]
    except sqlglot.errors.ParseError as exc:
        raise UnsafeQuery(f"not parseable: {str(exc).splitlines()[0]}") from None
    if len(statements) != 1:
        raise UnsafeQuery(f"exactly one statement is allowed, got {len(statements)}")
    tree = statements[0]
    if not isinstance(tree, exp.Select):
        raise UnsafeQuery(f"only SELECT is allowed, got {tree.key.upper()}")
    for node in tree.walk():  # first what would write or lock, wherever it hides
        if isinstance(node, FORBIDDEN_NODES):
            raise UnsafeQuery(f"{node.key.upper()} is not allowed")
    for node in tree.walk():
        if isinstance(node, exp.Anonymous):
            raise UnsafeQuery(f"function {node.name}() is not allowed")
        if isinstance(node, exp.Func) and not isinstance(node, ALLOWED_FUNCTIONS):
            raise UnsafeQuery(f"function {node.key}() is not allowed")
        if isinstance(node, exp.Table):
            if node.db or node.catalog:
                raise UnsafeQuery("schema-qualified tables are not allowed")
            if not node.name:
                raise UnsafeQuery(f"table function {node.this.sql()[:40]} is not allowed")
            if node.name not in allowed:
                raise UnsafeQuery(f"table {node.name} is not allowed")
    _check_columns(tree, allowed)


def _check_columns(tree: exp.Select, allowed: dict[str, frozenset[str]]) -> None:
    aliases: dict[str, str] = {}
    allowed = dict(allowed)
    for table in tree.find_all(exp.Table):
        aliases[table.alias_or_name] = table.name
    # A derived table (the compiler's fee list, its ranked rows) may be read by its alias,
    # for the columns its own SELECT names; what it reads itself is checked like the rest.
    for sub in tree.find_all(exp.Subquery):
        if sub.alias and isinstance(sub.this, exp.Select | exp.Union):
            selects = (
                [sub.this]
                if isinstance(sub.this, exp.Select)
                else list(sub.this.find_all(exp.Select))
            )
            names = frozenset(p.alias_or_name for s in selects for p in s.expressions)
            aliases[sub.alias] = f"({sub.alias})"
            allowed[f"({sub.alias})"] = names
    output_names = {a.alias for a in tree.find_all(exp.Alias)}
    every_column = frozenset().union(*(allowed[t] for t in set(aliases.values())))
    for column in tree.find_all(exp.Column):
        name = column.name
        if column.table:
            table = aliases.get(column.table)
            if table is None:
                raise UnsafeQuery(f"unknown table alias {column.table}")
            if name not in allowed[table]:
                raise UnsafeQuery(f"column {table}.{name} is not allowed")
        elif name not in every_column and name not in output_names:
            raise UnsafeQuery(f"column {name} is not allowed")
