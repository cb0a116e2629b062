"""What a result row can be asked about beyond its columns: conditions and derived times.

A Boston qualifier (latest standards, or a named edition's), the margin to one's own
standard, a negative split, the gap to the race's winner, the winner's own rows, and the
time from a split to the finish; the finishers' shares and homes counted. Each is SQL over
the result row ``r`` (and ``p``, ``ra``).
"""

from __future__ import annotations

from .model_types import Kind, Measure
from .model_types import dim as _d

BOSTON_QUALIFIER = _d(
    "boston_qualifier", "r.boston_qualifier", Kind.BOOL, "Boston qualifier (latest standards)", "r"
)
# Judged at query time against a named edition's standards (the stored flag is the latest's).
BOSTON_QUALIFIER_OF = _d(
    "boston_qualifier_of",
    "EXISTS (SELECT 1 FROM boston_qualifying_standards AS bq WHERE bq.edition_year = {value}"
    " AND bq.sex = p.sex AND p.age BETWEEN bq.age_min AND bq.age_max"
    " AND r.chip_time <= bq.qualifying_time)",
    Kind.CONDITION,
    "Boston qualifier under the standards of",
    "r",
    "p",
)

# "beat their Boston standard by 20 minutes or more", "missed a BQ by under a minute": the
# margin to the runner's own standard (latest edition), {value} in seconds.
_OWN_STANDARD = (
    "EXISTS (SELECT 1 FROM boston_qualifying_standards AS bq WHERE bq.edition_year ="
    " (SELECT max(s.edition_year) FROM boston_qualifying_standards AS s)"
    " AND bq.sex = p.sex AND p.age BETWEEN bq.age_min AND bq.age_max AND {margin})"
)
BEAT_BQ_BY = _d(
    "beat_bq_by",
    _OWN_STANDARD.replace(
        "{margin}", "r.chip_time <= bq.qualifying_time - {value} * interval '1 second'"
    ),
    Kind.CONDITION,
    "beat their Boston standard by at least N seconds",
    "r",
    "p",
)
MISSED_BQ_BY = _d(
    "missed_bq_by",
    _OWN_STANDARD.replace(
        "{margin}",
        "r.chip_time > bq.qualifying_time"
        " AND r.chip_time <= bq.qualifying_time + {value} * interval '1 second'",
    ),
    Kind.CONDITION,
    "missed their Boston standard by at most N seconds",
    "r",
    "p",
)

# A negative split: the second half run faster than the first, judged at the split nearest
# halfway (within 2 % of half the race's distance); a runner with no such split has none.
NEGATIVE_SPLIT = _d(
    "negative_split",
    "EXISTS (SELECT 1 FROM ct_results AS h WHERE h.participant_id = r.participant_id"
    " AND h.timing_partner_id = r.timing_partner_id AND h.timing_point <> 'Finish'"
    " AND h.split_km BETWEEN ra.distance_km * 0.49 AND ra.distance_km * 0.51"
    " AND r.chip_time - h.chip_time < h.chip_time)",
    Kind.BOOL,
    "with a negative split",
    "r",
    "ra",
)

# "within 10 minutes of the winner": a finish no more than {value} seconds behind the
# race's fastest finish (chip time), same partner.
WITHIN_OF_WINNER = _d(
    "within_of_winner",
    "r.chip_time - (SELECT min(w.chip_time) FROM ct_results AS w WHERE w.race_id = r.race_id"
    " AND w.timing_partner_id = r.timing_partner_id AND w.timing_point = 'Finish'"
    " AND w.status = 'finished') <= {value} * interval '1 second'",
    Kind.CONDITION,
    "within N seconds of the winner",
    "r",
)

# The splits of a race's winner: the fastest finish (chip time) of that race, same partner.
RACE_WINNER = (
    "r.participant_id = (SELECT w.participant_id FROM ct_results AS w WHERE w.race_id = r.race_id"
    " AND w.timing_partner_id = r.timing_partner_id AND w.timing_point = 'Finish'"
    " AND w.status = 'finished' ORDER BY w.chip_time, w.id LIMIT 1)"
)


# From a split to the finish line: the runner's finish time less the split's, for those who
# finished (NULL otherwise, so the aggregates below count only finishers).
TIME_TO_FINISH = (
    "((SELECT f.chip_time FROM ct_results AS f WHERE f.participant_id = r.participant_id"
    " AND f.timing_partner_id = r.timing_partner_id AND f.timing_point = 'Finish'"
    " AND f.status = 'finished' LIMIT 1) - r.chip_time)"
)
TO_FINISH_MEASURES = {
    m.name: m
    for m in (
        Measure("average_time_to_finish", f"avg({TIME_TO_FINISH})", "time", "average to finish"),
        Measure(
            "median_time_to_finish",
            f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {TIME_TO_FINISH})",
            "time",
            "median to finish",
        ),
        Measure("fastest_time_to_finish", f"min({TIME_TO_FINISH})", "time", "fastest to finish"),
        Measure("slowest_time_to_finish", f"max({TIME_TO_FINISH})", "time", "slowest to finish"),
    )
}


def share(condition: str, of: str = "true") -> str:
    """A percentage, to one decimal: the rows meeting ``condition`` among those meeting ``of``
    (none of those: no value, not a division by zero)."""
    return (
        f"round(100.0 * count(*) FILTER (WHERE {condition})"
        f" / nullif(count(*) FILTER (WHERE {of}), 0), 1)"
    )


# Shares of the finishers: Boston qualifiers (latest standards), women, men.
# "how many states were represented", "how many different countries did they come from"
HOMES_COUNTED = {
    f"distinct_{plural}": Measure(
        f"distinct_{plural}", f"count(DISTINCT p.{column})", "count", f"{plural}", ("p",)
    )
    for column, plural in (("state", "states"), ("country", "countries"), ("city", "cities"))
}

FINISHER_SHARES = {
    "bq_rate": Measure(
        "bq_rate", share("r.boston_qualifier"), "percent", "Boston qualifiers (% of finishers)"
    ),
    "women_share": Measure(
        "women_share", share("p.sex = 'F'"), "percent", "women (% of finishers)", ("p",)
    ),
    "men_share": Measure(
        "men_share", share("p.sex = 'M'"), "percent", "men (% of finishers)", ("p",)
    ),
}
