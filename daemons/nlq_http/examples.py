"""The documented example questions: what ``GET /api/v1/nl-examples`` offers, what the
unit tests hold the rules to (tests/unit/test_rules_examples.py has each one's exact query),
and what the benchmark times.

The expected queries are written for ``EXAMPLES_TODAY`` and ``DEMO_VOCABULARY``;
relative phrases ("last year", "since May") resolve against that date.
"""

from __future__ import annotations

import datetime as dt

from daemons.nlq_http.rules import Vocabulary

EXAMPLES_TODAY = dt.date(2026, 11, 25)

# The four featured marathons, a few other events (a half marathon sharing a name, a 10 miler,
# a 5K, a road race) and the demo timing partner.
DEMO_VOCABULARY = Vocabulary(
    event_names=(
        "Boston Marathon",
        "Chicago Marathon",
        "Shamrock Marathon",
        "Hartford Marathon",
        "Shamrock Half Marathon",
        "Big Sur Marathon",
        "Cherry Blossom 10 Miler",
        "Manchester Road Race",
        "Turkey Trot 5K",
    ),
    partner_names=("Big River Race Management", "Summit Timing Co"),
    last_names=frozenset(
        {"wardian", "goucher", "doe", "smith", "flanagan", "linden", "o'brien", "williams"}
    ),
    cities=frozenset({"boston", "portland", "chicago", "hartford"}),
)

EXAMPLES: tuple[str, ...] = (
    "How many runners finished the Boston Marathon under 3 hours?",
    "Generate CSV of Boston qualifiers with contact info",
    "What's the current timing data for session 1?",
    "I'm from Big River Race Management, show me our active events",
    "What is Michael Wardian's marathon PR?",
    "Compare Chicago Marathon finishers in 2023 and 2024",
    "What was the average finish time at the Shamrock Marathon in 2024?",
    "List the top 10 female finishers at the Hartford Marathon in 2023",
    "How many women aged 40 to 49 ran the Chicago Marathon last year?",
    "Show RunSignUp events with registration fees over $100",
    "How many Boston qualifiers were there at the Hartford Marathon in 2024?",
    "What's the median marathon time for men over 60?",
    "Compare men and women at the Boston Marathon in 2024",
    "Show the finish time distribution for the Chicago Marathon in 2024",
    "Show Race Roster events since May",
)
