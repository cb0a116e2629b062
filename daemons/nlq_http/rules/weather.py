"""What the weather was: "editions that had rain", "no snow", "dry years", "above 15 degrees",
"wind over 20 km/h", "humidity of 80 % or more", "below freezing".

Read before fees, times and distances, so "20 km/h" is a wind speed, not a 20 km race, and
"15 degrees" is no age or count. A word for the sky is a filter on the reading's conditions
(rain, snow, clear, cloudy), never only a hint that the weather is asked: "which editions had
rain" answered with every reading would be a wrong answer given with confidence.
"""

from __future__ import annotations

import re

from ..query import Op
from .amounts import CMP, KM_PER_MILE, OR_AFTER, op_of
from .scan import Scan

_SKY_WORDS = {
    "rain": r"(?:(?:light|heavy|steady|some)\s+)?(?:rain(?:s|ing|y|ed|fall)?|drizzl(?:e|ing|y)"
    r"|showers?|downpours?)|wet",
    "snow": r"snow(?:s|ing|y|ed|fall)?|flurr(?:y|ies)|sleet(?:ing|y)?",
    "clear": r"sunny|sunshine|clear\s+skies|(?<=it\s)was\s+clear|clear",
    "cloudy": r"cloudy|overcast|cloud\s+cover|clouds|gr[ae]y\s+skies",
}
# The sky words that say the weather on their own; "clear" and "clouds" only in its context.
_CONTEXT_ONLY = re.compile(r"^(?:clear|clouds|wet)$")
_FAHRENHEIT = re.compile(r"\b(?:fahrenheit|farenheit|degrees\s+f)\b|°\s?f\b")
_CONTEXT = re.compile(r"\b(?:weather|conditions|skies|sky|forecast|temperatures?|readings?)\b")
_NOT = (
    r"(?P<neg>no|without|free\s+of|(?:was|were|is|did|does|do)\s*n[o']?t(?:\s+(?:any|have|get|see"
    r"|it|be|a))*|never(?:\s+(?:any|had|got|saw))?|wasn'?t|weren'?t|didn'?t(?:\s+(?:have|get))?)"
)
_INTENSITY = re.compile(r"(?:light|heavy|steady|some)\s")
_SKY = re.compile(
    rf"\b(?:{_NOT}\s+(?:any\s+|much\s+|a\s+)?(?:it\s+)?)?(?P<sky>"
    + "|".join(f"(?P<{name}>{words})" for name, words in _SKY_WORDS.items())
    + r")\b(?:[\s-]+free\b)?"
)
_DRY = re.compile(r"\b(?:dry|stayed\s+dry|precipitation[\s-]free|no\s+precipitation)\b")


def _number(name: str) -> str:
    return rf"(?P<{name}>-?\d{{1,3}}(?:\.\d{{1,2}})?)"


def _degrees(unit: str) -> str:
    """ "15 degrees", "15°C", "60 F", "12 celsius": a temperature's unit, the scale optional."""
    scale = "celsius|centigrade|fahrenheit|c|f"
    return (
        rf"\s?(?:(?:°\s?|º\s?|degrees?\s*|deg\s*)(?P<{unit}>{scale})?\b"
        rf"|(?P<{unit}b>{scale})(?![\w']))"
    )


_TEMPERATURE = re.compile(
    rf"\b(?:(?:{CMP})\s+{_number('n')}{_degrees('unit')}"
    rf"|{_number('n1')}{_degrees('unit1')}\s+{OR_AFTER}"
    rf"|(?P<word>warmer|hotter|colder|cooler)\s+than\s+{_number('n2')}(?:{_degrees('unit2')})?"
    r"|(?P<freezing>(?:above|below|under|over)\s+freezing))"
)
_TEMPERATURE_SAID = re.compile(
    rf"\b(?:temp(?:erature)?s?|it)\s+(?:was\s+|were\s+|got\s+|of\s+|is\s+)?(?:{CMP})\s+"
    rf"{_number('n')}(?!\s*(?:%|percent|km|kph|mph|k\b|miles?|hours?|minutes?|years?))"
)
_SPEED = (
    r"(?P<speed>km\s?/\s?h|kph|kmh|km\s+(?:per|an)\s+hour|kilomet(?:er|re)s?\s+(?:per|an)\s+hour"
    r"|mph|miles\s+(?:per|an)\s+hour)"
)
# One comparison, then what was compared: said before ("winds over 20") or after ("over 20
# km/h winds"); one of them must be there.
_WIND = re.compile(
    rf"\b(?P<said>winds?(?:\s+speeds?)?\s+(?:was\s+|were\s+|of\s+)?)?(?:{CMP})\s+{_number('n')}"
    rf"(?:\s?{_SPEED})?(?P<after>\s+winds?)?(?!\s*(?:%|percent|degrees?|°|k\b|km\b|miles?\b))"
)
_HUMIDITY = re.compile(
    rf"\b(?P<said>humidity\s+(?:was\s+|were\s+|of\s+|levels?\s+)?)?(?:{CMP})\s+{_number('n')}"
    r"\s?(?P<pct>%|percent)?(?P<after>\s+(?:relative\s+)?humidity\b)?"
)
_HUMIDITY_OR = re.compile(rf"\bhumidity\s+(?:of\s+)?{_number('n')}\s?(?:%|percent)\s+{OR_AFTER}")


# Asked of events, not of readings: "which editions had rain", "how many races were snowy",
# "events where it didn't rain". Rain or snow then is the event's (any reading of the day).
_OCCASIONS = re.compile(
    r"\b(?:events?|editions?|years?|races?|marathons?|race\s+days?)\b(?!\s+(?:weather|readings?))"
)
_READINGS = re.compile(r"\b(?:readings?|hourly|observations?|weather\s+(?:data|at|for|on|of))\b")
# "Was it raining at the Boston Marathon in 2019?": a yes-or-no question about one named
# event. Its answer is that day's readings, which say rain or not; a filter would answer
# "no" with an empty table, which reads as "no data".
_ASKED_OF_ONE = re.compile(r"^\W*(?:so\s+|and\s+)?(?:was|were|did|is|has|had)\s+(?:it|there)\b")
# "Has it ever rained at one of our Boston Marathons? Which years?": every edition's
_ACROSS_EDITIONS = re.compile(
    r"\b(?:ever|any|how\s+often|which\s+(?:years?|editions?|times?)|what\s+years?)\b"
)


# The weather on record is what was measured on race days: nothing says what it will be.
_WEATHER_WORD = r"(?:rain|snow|storm|be\s+(?:hot|cold|warm|chilly|windy|humid|sunny|wet|dry|nice))"
_FORECAST = re.compile(
    r"\bforecast(?:s|ed)?\b"
    rf"|\b(?:will|would)\s+(?:it|there)\s+(?:be\s+)?{_WEATHER_WORD}"
    rf"|\b(?:is|it's|it\s+is)\s+(?:it\s+)?(?:going\s+to|gonna|supposed\s+to|expected\s+to)\s+"
    rf"{_WEATHER_WORD}"
    r"|\bhow\s+(?:hot|cold|warm|chilly|windy|humid|wet)\s+(?:will|is)\s+it\s+"
    r"(?:be|going\s+to\s+be|gonna\s+be)\b"
    r"|\bweather\s+(?:(?:be\s+)?like\s+)?(?:tomorrow|next\s+week|this\s+weekend|on\s+race\s+day)"
)
NO_FORECASTS = "the weather on record was measured at past races; there are no forecasts"


def extract_weather(scan: Scan) -> None:
    if _FORECAST.search(scan.low):
        scan.refuse(422, NO_FORECASTS, "unsupported")
        return
    context = bool(_CONTEXT.search(scan.low))
    of_events = bool(_OCCASIONS.search(scan.low)) and not _READINGS.search(scan.low)
    asked_of_one = (
        len(scan.events) == 1
        and bool(_ASKED_OF_ONE.match(scan.low))
        and not _ACROSS_EDITIONS.search(scan.low)
    )
    for match in scan.finditer(_SKY):
        sky = next(name for name in _SKY_WORDS if match[name])
        if _CONTEXT_ONLY.match(match["sky"]) and not context:
            continue
        scan.take(match.start(), match.end())
        if _INTENSITY.match(match["sky"]):  # the data's words for how hard vary; not filtered
            scan.note(f"read '{match['sky']}' as any {sky}")
        if asked_of_one:
            scan.flags.add("weather")
            continue
        if of_events and sky in ("rain", "snow"):
            scan.add(f"had_{sky}", Op.EQ, not match["neg"])
            if match["neg"]:
                scan.add("has_weather", Op.EQ, True)
            continue
        scan.add("weather_type", Op.NE if match["neg"] else Op.EQ, sky)
        scan.flags.add("weather")
    if context or of_events or "weather" in scan.flags:
        for _match in scan.takeall(_DRY):
            if of_events:
                scan.add("had_rain", Op.EQ, False)
                scan.add("had_snow", Op.EQ, False)
                scan.add("has_weather", Op.EQ, True)
                continue
            scan.add("weather_type", Op.NE, "rain")
            scan.add("weather_type", Op.NE, "snow")
            scan.flags.add("weather")
    # "was it below freezing at any event?": yes or no, answered with the readings that say
    _temperatures(scan, of_events and not _ASKED_OF_ONE.match(scan.low))
    for match in scan.finditer(_WIND):
        if match["said"] or match["speed"] or match["after"]:
            scan.take(match.start(), match.end())
            speed = float(match["n"])
            if (match["speed"] or "").startswith(("mph", "miles")):
                speed = round(speed * KM_PER_MILE, 1)
            _compared(scan, match, "wind_kph", speed)
    for match in scan.finditer(_HUMIDITY):
        if match["said"] or match["after"]:
            scan.take(match.start(), match.end())
            _compared(scan, match, "humidity_pct", float(match["n"]))
    for match in scan.takeall(_HUMIDITY_OR):
        _compared(scan, match, "humidity_pct", float(match["n"]))


def _temperatures(scan: Scan, of_events: bool = False) -> None:
    for match in [*scan.takeall(_TEMPERATURE), *scan.takeall(_TEMPERATURE_SAID)]:
        groups = match.groupdict()
        if groups.get("freezing"):
            below = match["freezing"].startswith(("below", "under"))
            _add_temperature(scan, Op.LT if below else Op.GT, 0.0, "c", of_events)
            continue
        if groups.get("word"):
            op = Op.GT if match["word"] in ("warmer", "hotter") else Op.LT
            unit = groups.get("unit2") or groups.get("unit2b") or ""
            _add_temperature(scan, op, float(match["n2"]), unit, of_events)
            continue
        number = groups.get("n") or groups["n1"]
        unit = next((groups[k] for k in ("unit", "unitb", "unit1", "unit1b") if groups.get(k)), "")
        _add_temperature(scan, op_of(match), float(number), unit, of_events)


def _add_temperature(scan: Scan, op: Op, value: float, unit: str, of_events: bool) -> None:
    fahrenheit = unit.startswith("f") or bool(_FAHRENHEIT.search(scan.low))
    if of_events and op in (Op.GT, Op.GE, Op.LT, Op.LE):
        # "events that hit more than 15°C": any reading of the day, so the warmest one
        # above, the coldest one below
        celsius = round((value - 32) * 5 / 9, 1) if fahrenheit else value
        scan.add("warmest_c" if op in (Op.GT, Op.GE) else "coldest_c", op, celsius)
        return
    scan.add("temperature_f" if fahrenheit else "temperature_c", op, value)
    scan.flags.add("weather")
    if fahrenheit:
        scan.flags.add("fahrenheit")  # the readings shown in the scale said


def _compared(scan: Scan, match: re.Match[str], field: str, value: float) -> None:
    scan.add(field, op_of(match), value)
    scan.flags.add("weather")
