"""The last check of a reading: every subject word the extractors took shows in the query.

An extractor takes the words it understood ("distribution", "the highest fee", "gun time")
and leaves a flag; the query built for the entity may have no use for it. A flag left unused
would be a word of the question silently dropped while the answer looks complete, the worst
outcome, so the rules refuse instead, saying what they could not apply.
"""

from __future__ import annotations

from ..model import MODEL
from ..query import SemanticQuery
from .filters import Unanswerable
from .scan import Scan


def check_flags_used(scan: Scan, query: SemanticQuery) -> None:
    entity = MODEL[query.entity]
    measures = {m.name for m in query.measures}
    sorted_on = {s.field for s in query.order_by}
    if "distribution" in scan.flags and "time_band" not in query.group_by:
        raise Unanswerable(f"{entity.label} have no distribution; finish times do")
    if scan.flags & {"cheapest", "priciest"} and not (
        sorted_on & {"fee", "amount_paid"} or measures & {"lowest_fee", "highest_fee"}
    ):
        raise Unanswerable(f"{entity.label} have no fee to rank; ask for the registration fees")
    gun = "gun_time" in scan.flags
    if gun and not (any(m.endswith("gun_time") for m in measures) or _gun_listed(query)):
        raise Unanswerable(f"{entity.label} have no gun times; finishers' results do")
    if "stats" in scan.flags and not query.measures and query.per_group_limit is None:
        raise Unanswerable(f"{entity.label} have no statistics to summarise; ask for a count")


def _gun_listed(query: SemanticQuery) -> bool:
    entity = MODEL[query.entity]
    shown = (*entity.columns, *query.show)
    return (
        "gun_time" in shown
        or any(f.field == "gun_time" for f in query.filters)
        or any(s.field == "gun_time" for s in query.order_by)
    )
