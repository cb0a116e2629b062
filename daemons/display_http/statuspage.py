"""What the operator's /status page shows, gathered from the database and the hub.

``gather`` returns the context of ``templates/status.html``: sessions, the chosen
session's timing points and split locations, controllers, reads per minute, and
where the display's roster comes from (``roster_sources``, written by
``project88 roster sync`` and the provider_sync daemon; the rows no source claims
came from a CSV import). While the database is away the page still renders, with
the error and empty tables.
"""

from __future__ import annotations

from typing import Any

from daemons.common.greendb import DatabaseDown, GreenPool

from . import queries
from .chart import minute_chart
from .events import Hub
from .params import ReadFilter

PROVIDER_NAMES = {
    "chronotrack": "ChronoTrack",
    "runsignup": "RunSignUp",
    "raceroster": "Race Roster",
}


def roster_sources(pool: GreenPool) -> list[dict[str, Any]]:
    """The roster's provider sources, each with its provider's name as people write it."""
    found = queries.rows(pool, "roster_sources")
    for row in found:
        row["provider_name"] = PROVIDER_NAMES.get(row["provider"], row["provider"])
    return found


def gather(pool: GreenPool, hub: Hub, session_id: int | None) -> dict[str, Any]:
    try:
        sessions = queries.rows(pool, "sessions", {"limit": 20, "status": None, "session_id": None})
        if session_id is None and sessions:
            active = [s for s in sessions if s["status"] == "active"]
            session_id = (active or sessions)[0]["id"]
        chosen = {"session_id": session_id}
        locations = queries.rows(pool, "session_locations", chosen) if session_id else []
        split = queries.rows(pool, "location_streams", chosen) if session_id else []
        controllers = queries.rows(pool, "controllers", {"limit": 20})
        per_minute = queries.rows(pool, "reads_per_minute", {"session_id": session_id})
        sources = roster_sources(pool)
        roster = queries.rows(pool, "roster_counts", chosen)[0]
        error = None
    except DatabaseDown as exc:
        sessions, locations, split, controllers, per_minute, sources = [], [], [], [], [], []
        roster = None
        error = str(exc)
    book = hub.book if hub.book_ready.is_set() else None
    totals = book.session_totals() if book else {}
    by_location = {}
    if book and session_id is not None:
        stats = book.stats(ReadFilter(session_id=session_id))
        by_location = {row["location_name"]: row for row in stats["by_location"]}
    return {
        "sessions": sessions,
        "session_id": session_id,
        "totals": totals,
        "locations": locations,
        "by_location": by_location,
        "split_locations": split,
        "controllers": controllers,
        "chart": minute_chart(per_minute),
        "roster_sources": sources,
        "roster": roster,
        "error": error,
        "hub_connected": hub.connected,
    }
