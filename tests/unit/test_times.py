import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from daemons.ct_listener import times

NY = ZoneInfo("America/New_York")


def session_at(local: str) -> dt.datetime:
    return dt.datetime.fromisoformat(local).replace(tzinfo=NY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "2025-10-11T10:24:37.12",
            times.LocalDateTime(dt.datetime(2025, 10, 11, 10, 24, 37, 120000)),
        ),
        ("2025-10-11T10:24:37", times.LocalDateTime(dt.datetime(2025, 10, 11, 10, 24, 37))),
        ("14:02:15.31", times.ClockOffset(dt.timedelta(hours=14, minutes=2, seconds=15.31))),
        ("25:00:00.00", times.ClockOffset(dt.timedelta(hours=25))),
        ("-00:05:00.00", times.ClockOffset(dt.timedelta(minutes=-5))),
        # SimpleClient 0.6.0's unix: 07:58:21.95 local counted as if it were UTC.
        ("1620460701.95", times.LocalDateTime(dt.datetime(2021, 5, 8, 7, 58, 21, 950000))),
        ("1760178277.12", times.LocalDateTime(dt.datetime(2025, 10, 11, 10, 24, 37, 120000))),
        # msecs: milliseconds since local midnight, no date.
        ("28701950", times.ClockOffset(dt.timedelta(hours=7, minutes=58, seconds=21.95))),
        ("0", times.ClockOffset(dt.timedelta(0))),
        ("90000000", times.ClockOffset(dt.timedelta(hours=25))),
    ],
)
def test_each_format_is_recognised_by_shape(text, expected):
    assert times.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "noon", "2025-13-01T00:00:00.00", "12:61:00.00", "12:00", "1e10", "99999999999999999"],
)
def test_invalid_times_are_errors(text):
    with pytest.raises(times.TimeFormatError):
        times.parse(text)


def test_iso_is_local_wall_clock_in_the_event_zone():
    r = times.resolve(times.parse("2025-10-11T10:24:37.12"), session_at("2025-10-11T07:00"), NY)
    assert r.instant == dt.datetime(2025, 10, 11, 14, 24, 37, 120000, tzinfo=dt.UTC)
    assert (r.local_date, r.local_time) == (dt.date(2025, 10, 11), dt.time(10, 24, 37, 120000))


def test_unix_is_the_wall_clock_whatever_the_zone():
    # 10:24:37.12 local, counted as if it were UTC; stored as 10:24:37.12 New York time.
    r = times.resolve(times.parse("1760178277.12"), session_at("2025-10-11T07:00"), NY)
    assert (r.local_date, r.local_time) == (dt.date(2025, 10, 11), dt.time(10, 24, 37, 120000))
    assert r.instant == dt.datetime(2025, 10, 11, 14, 24, 37, 120000, tzinfo=dt.UTC)


def test_normal_uses_the_session_date():
    r = times.resolve(times.parse("10:00:00.00"), session_at("2025-10-11T07:00"), NY)
    assert r.instant == session_at("2025-10-11T10:00")


def test_normal_hours_past_23_and_negative_times():
    start = session_at("2025-10-11T20:00")
    assert times.resolve(times.parse("25:30:00.00"), start, NY).instant == session_at(
        "2025-10-12T01:30"
    )
    assert times.resolve(
        times.parse("-00:30:00.00"), session_at("2025-10-11T00:10"), NY
    ).instant == (session_at("2025-10-10T23:30"))


def test_a_wrapped_clock_after_midnight_rolls_to_the_next_day():
    start = session_at("2025-10-11T22:00")  # a night race
    assert times.resolve(times.parse("00:30:00.00"), start, NY).instant == session_at(
        "2025-10-12T00:30"
    )
    # ... but a read a little before the session started stays on its day.
    assert times.resolve(times.parse("20:00:00.00"), start, NY).instant == session_at(
        "2025-10-11T20:00"
    )


def test_dst_gap_and_fold_are_handled_deterministically():
    # 2025-11-02 01:30 happens twice in New York: the first occurrence (EDT) is taken.
    r = times.resolve(times.parse("2025-11-02T01:30:00.00"), session_at("2025-11-02T00:00"), NY)
    assert r.instant.utcoffset() == dt.timedelta(hours=-4)


@pytest.mark.parametrize("zone_name", ["America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"])
def test_copy_fields_agree_with_resolve_across_dst_changes(zone_name):
    """The cached fast path renders exactly what the general path computes."""
    zone = ZoneInfo(zone_name)
    offsets = times.OffsetCache(zone)
    start = dt.datetime(2025, 1, 1, tzinfo=zone)
    moment = dt.datetime(2025, 3, 1)
    while moment < dt.datetime(2025, 12, 1):
        for text in (moment.isoformat(timespec="microseconds"), f"{moment:%H:%M:%S}.25"):
            value = times.parse(text)
            resolved = times.resolve(value, start, zone)
            local_date, local_time, instant = times.copy_fields(value, start, offsets)
            assert (local_date, local_time) == (str(resolved.local_date), str(resolved.local_time))
            # Compared as timestamps: PEP 495 makes == across zones False in a DST gap.
            rendered = dt.datetime.fromisoformat(instant)
            assert rendered.timestamp() == resolved.instant.timestamp()
            assert rendered.utcoffset() == resolved.instant.utcoffset()
        moment += dt.timedelta(minutes=47, seconds=3, microseconds=120000)


def test_epoch_milliseconds_are_not_taken_for_msecs():
    # A client that sends epoch ms for msecs gets a clear error, not a clock offset of 55 years.
    with pytest.raises(times.TimeFormatError, match="midnight"):
        times.parse("1760192677120")


def test_unix_is_a_wall_clock_reading_in_the_listener_zone():
    zone = NY
    start = dt.datetime(2021, 5, 8, 11, 0, tzinfo=dt.UTC)
    resolved = times.resolve(times.parse("1620460701.95"), start, zone)
    assert resolved.local_time == dt.time(7, 58, 21, 950000)
    assert resolved.instant == dt.datetime(2021, 5, 8, 11, 58, 21, 950000, tzinfo=dt.UTC)


def test_msecs_falls_on_the_session_date():
    zone = NY
    start = dt.datetime(2021, 5, 8, 11, 0, tzinfo=dt.UTC)  # 07:00 local
    resolved = times.resolve(times.parse("28701950"), start, zone)
    assert (resolved.local_date, resolved.local_time) == (
        dt.date(2021, 5, 8),
        dt.time(7, 58, 21, 950000),
    )
