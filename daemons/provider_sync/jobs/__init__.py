"""One module per provider: which listings a job of each kind reads, in what order."""

from __future__ import annotations

from collections.abc import Callable

from ..context import JobContext
from . import chronotrack, raceroster, runsignup

Job = Callable[[JobContext, str, str | None], None]
BY_PROVIDER: dict[str, Job] = {
    "chronotrack": chronotrack.run,
    "runsignup": runsignup.run,
    "raceroster": raceroster.run,
}
KINDS = ("events", "participants", "results")
