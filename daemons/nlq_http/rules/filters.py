"""From what the extractors found to the query's filters, on the entity's own dimensions.

Events, years, dates, sexes, a runner's name (as the data spells it), the partner, the
provider, the distance said or implied by the event's name, Boston qualifying, whose
splits, and every filter an extractor added, renamed onto the entity's dimension
("fee" is the amount paid for a registration; a runner's state is the event's state
when counting events).
"""

from __future__ import annotations

import re

from ..model import MODEL
from ..query import MARATHON_KM, Filter, Op
from .amounts import distance_in
from .names import prefer_sibling_for_distance
from .people import close_surname, known_name, spellings
from .scan import Scan
from .words import safe_word

P_CLOSE_SURNAME = 0.9  # "Michael Wardain": the one close surname, with a known first name

PEOPLE = ("finishers", "entrants", "splits")


class Unanswerable(Exception):
    """The question asks for something the model cannot express; the message says what."""


def _rename(entity: str, f: Filter) -> Filter:
    """Generic words onto the entity's own dimensions ("fee" is "amount paid" for a
    registration; a runner's state is the event's state when counting events)."""
    dims = MODEL[entity].dimensions
    field = f.field
    if entity == "standards" and field == "age" and f.op is not Op.EQ:
        return _standard_band(f)
    if entity == "standards" and field == "year":
        field = "edition"
    if field == "fee" and entity == "registrations":
        field = "amount_paid"
    if (
        field == "event_status"
        and entity in ("sessions", "live_reads")
        and f.value in _SESSION_STATES
    ):
        return Filter(field="session_status", value=_SESSION_STATES[str(f.value)])
    if field == "timing_point" and entity == "live_reads":
        return Filter(field="location", op=Op.IN, value=_location_names(f.value))
    if field in ("state", "city", "country") and field not in dims and f"event_{field}" in dims:
        field = f"event_{field}"
    if field.startswith("event_") and field not in dims and field[6:] in dims:
        field = field[6:]
    return f if field == f.field else f.model_copy(update={"field": field})


_SESSION_STATES = {"active": "active", "completed": "closed"}  # a session is open or closed


_SIGNED_UP_WHEN = re.compile(
    r"\b(?:registered|registrations?|sign(?:ed)?[\s-]?ups?|entered|entries)\s+"
    r"(?:(?!(?:for|to|at|of|events?|races?)\b)\S+\s+){0,2}?"
    r"(?:during|in|on|between|before|after|since|from|by)\s+[\w\x00]"
)


def _dates_of_signing_up(scan: Scan, entity: str) -> bool:
    """ "registered for the Turkey Trot 2026 during October": once the edition is named by
    its year, a date range is when people signed up, as it is right after "registered"."""
    if entity != "registrations":
        return False
    return (
        bool(scan.events and scan.years)
        or bool(_SIGNED_UP_WHEN.search(scan.low))
        or bool(_SIGNED_UP_DURING.search(scan.low))
    )


def _date_field(scan: Scan, entity: str) -> str:
    """The date a date range is of: when people signed up, when a platform's registration
    opens or closes ("events that close registration in December"), else the event's day."""
    if _dates_of_signing_up(scan, entity):
        return "registered_at"
    if entity == "listings" and "registration_window" in scan.flags:
        window = _WINDOW_SAID.search(scan.low)
        if window is not None:
            return "registration_opens" if window["open"] else "registration_closes"
    return "event_date"


# "signed up for our 10K during November": the month is when they signed up
_SIGNED_UP_DURING = re.compile(
    r"\b(?:registered|registrations?|sign(?:ed)?[\s-]?ups?|entered|entries)\b[^?.!]{0,80}?"
    r"\bduring\b"
)
_WINDOW_SAID = re.compile(r"\b(?:(?P<open>open(?:s|ed|ing)?)|clos(?:e|es|ed|ing)|deadline)\b")


def _location_names(point: object) -> tuple[str, ...]:
    """A timing point as the names a timer gives its reader's location ("halfway", "half";
    "5k", "5 km"): live reads carry the location's own name, not the results' point."""
    names = point if isinstance(point, tuple) else (point,)
    out: list[str] = []
    for name in (str(n).lower() for n in names):
        if name == "half":
            out += ["halfway", "half", "half way", "half-way"]
        elif name.endswith("k") and name[:-1].isdigit():
            out += [name, f"{name[:-1]}km"]
        else:
            out.append(name)
    return tuple(dict.fromkeys(out))


def _standard_band(f: Filter) -> Filter:
    """Ages said as a range select the standards' bands that overlap it."""
    if f.op is Op.BETWEEN:
        return f
    if f.op in (Op.GE, Op.GT):
        return Filter(field="age_max", op=f.op, value=f.value)
    return Filter(field="age_min", op=f.op, value=f.value)


_PROVIDER_NAMES = {
    "runsignup": "RunSignUp", "raceroster": "Race Roster", "chronotrack": "ChronoTrack",
    "haku": "Haku",
}  # fmt: skip


def filters_for(scan: Scan, entity: str) -> list[Filter]:
    """Every filter the question said, on the entity's own dimensions."""
    prefer_sibling_for_distance(scan)
    out: list[Filter] = []
    if scan.events:
        names = tuple(scan.events)
        out.append(Filter(field="event", op=Op.IN if len(names) > 1 else Op.EQ,
                          value=names if len(names) > 1 else names[0]))  # fmt: skip
    years = sorted(scan.years)
    if years:
        out.append(
            Filter(field="year", op=Op.IN, value=tuple(years))
            if len(years) > 1
            else Filter(field="year", value=years[0])
        )
    start, end = scan.slots.get("date_from"), scan.slots.get("date_to")
    field = _date_field(scan, entity)
    if start and end:
        out.append(Filter(field=field, op=Op.BETWEEN, value=(start, end)))
    elif start:
        out.append(Filter(field=field, op=Op.GE, value=start))
    elif end:
        out.append(Filter(field=field, op=Op.LE, value=end))
    sexes = list(dict.fromkeys(scan.sexes))
    if len(sexes) == 1:
        out.append(Filter(field="sex", value=sexes[0]))
    elif len(sexes) > 1:
        out.append(Filter(field="sex", op=Op.IN, value=tuple(sexes)))
        if "sex" not in scan.group_by:
            scan.group_by.append("sex")
    person = scan.slots.get("person")
    if person is not None:
        first, last = person
        if not known_name(last, scan.vocab.last_names) and first:
            close = close_surname(last, scan.vocab.last_names)
            if close is not None and known_name(first, scan.vocab.first_names):
                scan.note(f"read '{safe_word(last)}' as '{close}'", P_CLOSE_SURNAME)
                last = close
        if not known_name(last, scan.vocab.last_names):
            # Not a runner this caller can see: maybe an event or a place read as a name.
            said = safe_word(" ".join(p for p in person if p))
            raise Unanswerable(f"no runner called '{said}' in the data")
        if first:
            out.append(_name_filter("first_name", spellings(first, scan.vocab.first_names)))
        out.append(_name_filter("last_name", spellings(last, scan.vocab.last_names)))
    if scan.slots.get("partner"):
        out.append(Filter(field="partner", value=scan.slots["partner"]))
    provider = scan.slots.get("provider")
    if provider and entity in ("fees", "listings"):
        if entity == "fees" and provider in ("chronotrack", "haku"):
            raise Unanswerable("registration fees are RunSignUp's and Race Roster's only")
        out.append(Filter(field="provider", value=_PROVIDER_NAMES[provider]))
    elif entity == "listings" and "registration_window" in scan.flags:
        out.append(Filter(field="provider", value="RunSignUp"))  # the only window known
    elif provider == "raceroster" and entity == "registrations":
        raise Unanswerable("the data holds RunSignUp registrations only; Race Roster has fees")
    _distance(scan, entity, out)
    if scan.slots.get("past") and entity in ("events", "races"):
        out.append(Filter(field="event_date", op=Op.LT, value=scan.today))
        if "event_status" in MODEL[entity].dimensions and "event_status" not in scan.group_by:
            out.append(Filter(field="event_status", op=Op.NE, value="cancelled"))
    if "boston_qualifier" in scan.flags:
        edition = scan.slots.get("bq_edition")
        if entity == "standards":
            if edition:
                out.append(Filter(field="edition", value=edition))
        elif edition:
            op = Op.NE if scan.slots.get("bq_negated") else Op.EQ
            out.append(Filter(field="boston_qualifier_of", op=op, value=edition))
        else:  # "did not run a qualifying time": the finishers who are not qualifiers
            out.append(Filter(field="boston_qualifier", value=not scan.slots.get("bq_negated")))
    elif entity == "standards" and scan.slots.get("bq_edition"):  # "under the 2025 standards"
        out.append(Filter(field="edition", value=scan.slots["bq_edition"]))
    if entity == "splits":
        _split_runners(scan, out)
    renamed = [_rename(entity, f) for f in scan.filters]
    overall = "overall_place_said" in scan.flags  # "men in the top 10 overall": overall places
    if len(set(scan.sexes)) == 1 and not overall:  # "the 10th woman", "the men's race"
        renamed = [
            f.model_copy(update={"field": "sex_place"}) if f.field == "overall_place" else f
            for f in renamed
        ]
    if entity == "standards":  # the standards' year is their edition
        out = [f.model_copy(update={"field": "edition"}) if f.field == "year" else f for f in out]
    if entity == "standards" and not any(f.field == "edition" for f in [*out, *renamed]):
        # "the qualifying time for a 45-year-old man" is today's standard, not every edition's
        renamed.append(Filter(field="latest_edition", value=True))
    out.extend(renamed)
    return out


_FINISHED = re.compile(
    r"\b(?:finishers|finished|(?:who|that)\s+finish"
    r"|(?:went|go(?:ing|es)?)\s+on\s+to\s+(?:finish|complete)"
    r"|(?:made\s+it|got)\s+to\s+the\s+(?:finish|line)|(?:reached|crossed)\s+the\s+finish"
    r"|completed\s+the\s+(?:race|course|marathon|distance))\b"
)
_WINNER = re.compile(r"\b(?:winners?|won|champions?|victor)\b")


def _split_runners(scan: Scan, out: list[Filter]) -> None:
    """Whose splits: the winner's ("the winner's splits"), or only finishers' ("among
    finishers"; a split row carries its runner's final status)."""
    if _WINNER.search(scan.low) and "per_group" not in scan.slots:
        out.append(Filter(field="race_winner", value=True))
        if scan.slots.get("limit") == 1 and scan.slots.get("rank") == ("chip_time", False):
            del scan.slots["limit"]  # "the winner" chose whose splits, not one split
            del scan.slots["rank"]
    elif _FINISHED.search(scan.low) and not any(f.field == "status" for f in scan.filters):
        out.append(Filter(field="status", value="finished"))


def _name_filter(field: str, names: tuple[str, ...]) -> Filter:
    return (
        Filter(field=field, value=names[0])
        if len(names) == 1
        else Filter(field=field, op=Op.IN, value=names)
    )


def _distance(scan: Scan, entity: str, out: list[Filter]) -> None:
    """Said > Boston qualifying (a marathon; the stored flag means one) > implied by events."""
    kms = scan.slots.get("distances") or []
    if entity not in (*PEOPLE, "races", "registrations", "fees"):
        if kms:
            raise Unanswerable(f"{MODEL[entity].label} have no distance")
        return
    if kms:
        if len(kms) > 1:
            out.append(Filter(field="distance_km", op=Op.IN, value=tuple(kms)))
            return
        if (
            "boston_qualifier" in scan.flags
            and kms[0] == MARATHON_KM
            and not scan.slots.get("bq_edition")
        ):
            return  # the stored judgement already means "a marathon"
        out.append(Filter(field="distance_km", value=kms[0]))
        return
    if "boston_qualifier" in scan.flags:
        if scan.slots.get("bq_edition"):
            out.append(Filter(field="distance_km", value=MARATHON_KM))
        return
    whole = "whole_event" in scan.flags  # "all races of the Hartford Marathon weekend"
    if (
        scan.events
        and entity in PEOPLE
        and not whole
        and not {"race", "distance_km"} & set(scan.group_by)
    ):
        # An event's name implies its main race, unless its races are grouped or compared.
        implied = {distance_in(name) for name in scan.events}
        if len(implied) == 1 and (km := implied.pop()) is not None:
            out.append(Filter(field="distance_km", value=km))
            scan.note(f"the {km:g} km race of the named event")
