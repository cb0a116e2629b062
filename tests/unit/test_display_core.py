"""Pure parts of display_http: parameters, JSON, SSE framing, statistics, the ring."""

from __future__ import annotations

import datetime as dt
import decimal
import ipaddress
import json

import pytest

from daemons.display_http import jsonout, params, sse
from daemons.display_http.chart import minute_chart
from daemons.display_http.events import LiveRead, Ring, live_read, read_payload
from daemons.display_http.params import BadParameter, ReadFilter
from daemons.display_http.statsbook import StatsBook

NY = dt.timezone(dt.timedelta(hours=-4))


# -- parameters ------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["abc", "1.5", "", " 7 ", "-3", "99999999999999999999999"])
def test_integer_accepts_only_whole_numbers_in_range(raw):
    query = {"limit": raw}
    if raw in ("", " 7 "):
        assert params.integer(query, "limit", 50, 1, 1000) == (50 if raw == "" else 7)
        return
    with pytest.raises(BadParameter) as err:
        params.integer(query, "limit", 50, 1, 1000)
    assert err.value.name == "limit"


def test_integer_range_message_names_the_bounds():
    with pytest.raises(BadParameter, match="between 1 and 1000, got 5000"):
        params.integer({"limit": "5000"}, "limit", 50, 1, 1000)


def test_location_rejects_control_characters_and_length():
    assert params.location({"location": "finish"}) == "finish"
    assert params.location({}) is None
    for bad in ("fin\x00ish", "x" * 101, "a\nb"):
        with pytest.raises(BadParameter):
            params.location({"location": bad})


def test_read_filter_matches():
    wanted = params.read_filter({"session_id": "3", "location": "finish"})
    assert wanted == ReadFilter(3, "finish")
    assert wanted.matches(3, "finish")
    assert not wanted.matches(3, "start")
    assert not wanted.matches(4, "finish")
    assert ReadFilter().matches(9, "anything")


def test_last_event_id_prefers_the_header():
    assert params.last_event_id("42", {"last_event_id": "7"}) == 42
    assert params.last_event_id(None, {"last_event_id": "7"}) == 7
    assert params.last_event_id("", {}) is None
    with pytest.raises(BadParameter, match="Last-Event-ID"):
        params.last_event_id("x1", {})


@pytest.mark.parametrize(
    ("value", "ok"),
    [("#fff", True), ("#0b1d3a", True), ("navy", True), ("red;}body{x", False),
     ("url(x)", False), ("#12", False)],
)  # fmt: skip
def test_colours_are_plain_css_colours_only(value, ok):
    if ok:
        assert params.colour({"bg": value}, "bg", "#000") == value
    else:
        with pytest.raises(BadParameter):
            params.colour({"bg": value}, "bg", "#000")


@pytest.mark.parametrize(
    ("value", "ok"),
    [("https://x.org/logo.png", True), ("/static/logo.png", True), ("javascript:alert(1)", False),
     ("//evil.example/x.png", False), ("data:text/html,x", False)],
)  # fmt: skip
def test_logo_urls(value, ok):
    if ok:
        assert params.url({"logo": value}, "logo") == value
    else:
        with pytest.raises(BadParameter):
            params.url({"logo": value}, "logo")


def test_number_rejects_nan_and_range():
    assert params.number({"hold": "2.5"}, "hold", 5, 0.5, 60) == 2.5
    for bad in ("nan", "inf", "0", "x"):
        with pytest.raises(BadParameter):
            params.number({"hold": bad}, "hold", 5, 0.5, 60)


@pytest.mark.parametrize(
    ("header", "prefix"),
    [(None, ""), ("", ""), ("/", ""), ("/race-display", "/race-display"),
     ("/race-display/", "/race-display"), ("race-display", "/race-display")],
)  # fmt: skip
def test_forwarded_prefix(header, prefix):
    assert params.forwarded_prefix(header) == prefix


@pytest.mark.parametrize("header", ["/a b", "/x?y=1", "/<script>", "/a/../b\n"])
def test_forwarded_prefix_rejects_anything_but_a_plain_path(header):
    with pytest.raises(BadParameter):
        params.forwarded_prefix(header)


# -- JSON ------------------------------------------------------------------------------------
def test_json_covers_every_database_type():
    value = {
        "ts": dt.datetime(2025, 10, 11, 10, 0, 0, 120000, tzinfo=NY),
        "date": dt.date(2025, 10, 11),
        "time": dt.time(10, 0, 0, 120000),
        "interval": dt.timedelta(minutes=2, seconds=3),
        "count": decimal.Decimal("12"),
        "pace": decimal.Decimal("3.25"),
        "ip": ipaddress.ip_address("192.0.2.1"),
        "nan": float("nan"),
        "nested": [float("inf"), {"x": 1}],
    }
    assert json.loads(jsonout.dumps(value)) == {
        "ts": "2025-10-11T10:00:00.120000-04:00",
        "date": "2025-10-11",
        "time": "10:00:00.120000",
        "interval": 123.0,
        "count": 12,
        "pace": 3.25,
        "ip": "192.0.2.1",
        "nan": None,
        "nested": [None, {"x": 1}],
    }


def test_json_refuses_unknown_types_loudly():
    with pytest.raises(TypeError):
        jsonout.dumps({"x": object()})


# -- SSE -------------------------------------------------------------------------------------
def test_sse_event_frame():
    assert sse.event(7, "read", '{"a":1}') == b'id: 7\nevent: read\ndata: {"a":1}\n\n'
    assert sse.retry(2000) == b"retry: 2000\n\n"
    with pytest.raises(ValueError):
        sse.event(1, "read", "two\nlines")


# -- statistics ------------------------------------------------------------------------------
def at(minute: int) -> dt.datetime:
    return dt.datetime(2025, 10, 11, 10, minute, tzinfo=NY)


def seeded_book() -> StatsBook:
    book = StatsBook()
    book.seed_tags([(1, "start", "101", 1), (1, "finish", "101", 2), (2, "finish", "202", 1)])
    book.seed_spans([(1, "start", at(0), at(0)), (1, "finish", at(30), at(31)),
                     (2, "finish", at(40), at(40))])  # fmt: skip
    book.add(1, "finish", "102", at(35))
    return book


def test_stats_book_overall_and_by_location():
    book = seeded_book()
    overall = book.stats(ReadFilter())
    assert overall["overall"] == {"total_reads": 5, "unique_tags": 3, "total_locations": 2,
                                  "first_read": at(0), "last_read": at(40)}  # fmt: skip
    assert overall["by_location"] == [
        {"location_name": "finish", "read_count": 4, "unique_tags": 3, "last_read": at(40)},
        {"location_name": "start", "read_count": 1, "unique_tags": 1, "last_read": at(0)},
    ]
    assert book.session_totals() == {1: 4, 2: 1}


def test_stats_book_every_filter():
    book = seeded_book()
    one = book.stats(ReadFilter(session_id=1, location="finish"))
    assert one["overall"]["total_reads"] == 3 and one["overall"]["unique_tags"] == 2
    assert one["overall"]["first_read"] == at(30) and one["overall"]["last_read"] == at(35)
    session = book.stats(ReadFilter(session_id=1))
    assert session["overall"]["total_reads"] == 4 and session["overall"]["unique_tags"] == 2
    assert [row["location_name"] for row in session["by_location"]] == ["finish", "start"]
    finish = book.stats(ReadFilter(location="finish"))
    assert finish["overall"]["total_reads"] == 4 and finish["overall"]["unique_tags"] == 3
    assert finish["overall"]["total_locations"] == 1
    for empty in (ReadFilter(session_id=99), ReadFilter(location="nowhere"),
                  ReadFilter(session_id=2, location="start")):  # fmt: skip
        answer = book.stats(empty)
        assert answer["overall"]["total_reads"] == 0 and answer["by_location"] == []


def test_stats_book_answers_follow_each_read():
    book = StatsBook()
    book.add(1, "finish", "1", at(1))
    assert book.stats(ReadFilter())["overall"]["total_reads"] == 1
    book.add(1, "finish", "1", at(2))
    answer = book.stats(ReadFilter())["overall"]
    assert (answer["total_reads"], answer["unique_tags"], answer["last_read"]) == (2, 1, at(2))


# -- ring and payloads -----------------------------------------------------------------------
def read_row(read_id: int, location: str = "finish", bib: str | None = None) -> dict:
    return {"id": read_id, "session_id": 1, "location_name": location, "tag_code": str(read_id),
            "read_time": dt.time(10, 0), "read_date": dt.date(2025, 10, 11),
            "read_timestamp": at(0), "lap_count": 1, "reader_id": "117F37", "bib": bib,
            "first_name": "Ann" if bib else None, "last_name": "Lee" if bib else None,
            "city": None, "state": None, "country": None, "age": None, "gender": None,
            "division": None, "message": None}  # fmt: skip


def test_payload_names_the_runner_or_falls_back_to_the_tag():
    known = read_payload(read_row(5, bib="5"))
    assert known["bib"] == "5" and known["runner"]["first_name"] == "Ann"
    unknown = read_payload(read_row(6))
    assert unknown["bib"] == "6" and unknown["runner"] is None


def test_ring_serves_after_an_id_and_trims_in_chunks():
    ring = Ring(size=3, floor=10)
    reads: list[LiveRead] = [live_read(read_row(i, "finish" if i % 2 else "start"))
                             for i in range(11, 19)]  # fmt: skip
    ring.extend(reads[:2])
    assert ring.covers(10) and ring.head == 12
    got, last = ring.after(10, ReadFilter())
    assert [r.id for r in got] == [11, 12] and last == 12
    got, last = ring.after(10, ReadFilter(location="finish"))
    assert [r.id for r in got] == [11] and last == 12  # the filter never holds the cursor back
    assert ring.after(12, ReadFilter()) == ([], 12)
    ring.extend(reads[2:])  # 8 reads > 2 x size: trimmed to the newest 3... then some
    assert len(ring) <= 6
    assert not ring.covers(10)
    assert ring.covers(ring.floor)
    got, _ = ring.after(ring.floor, ReadFilter())
    assert [r.id for r in got][-1] == 18
    assert got[0].frame.startswith(f"id: {got[0].id}\nevent: read\n".encode())


def test_minute_chart_scales_to_the_peak():
    rows = [{"minute": dt.datetime(2025, 1, 1, 10, m, tzinfo=dt.UTC), "reads": r}
            for m, r in ((0, 10), (1, 40), (2, 20))]  # fmt: skip
    chart = minute_chart(rows)
    assert chart["peak"] == 40
    assert len(chart["bars"]) == 3
    tallest = max(chart["bars"], key=lambda b: b["h"])
    assert tallest["label"].endswith("40 reads")
    assert minute_chart([])["bars"] == []
