"""An event's date from its yearly rule, and its status on the reference date."""

from __future__ import annotations

import datetime as dt

from project88.demodata import reference as ref


def event_date(year: int, month: int, rule: str, day: int = 0) -> dt.date:
    """``sun3`` third Sunday, ``mon-1`` last Monday, ``thanksgiving``, ``fixed`` (``day``)."""
    if rule == "fixed":
        return dt.date(year, month, day)
    if rule == "thanksgiving":
        rule = "thu4"
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(rule[:3])
    nth = int(rule[3:])
    if nth > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    last = following - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def status_for(start: dt.date, end: dt.date, cancelled: bool = False) -> str:
    if cancelled:
        return "cancelled"
    if start > ref.REFERENCE_DATE:
        return "upcoming"
    if end >= ref.REFERENCE_DATE:
        return "active"
    return "completed"
