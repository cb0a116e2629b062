"""The pure parts of provider_sync: the race-day cadence, sealed credentials, page JSON."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from daemons.provider_sync import cadence, secretbox, store
from daemons.provider_sync.context import Tally

START = dt.datetime(2026, 12, 6, 8, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("before_start", "every"),
    [
        (dt.timedelta(days=3), dt.timedelta(hours=1)),
        (dt.timedelta(hours=24, minutes=1), dt.timedelta(hours=1)),
        (dt.timedelta(hours=24), dt.timedelta(minutes=5)),
        (dt.timedelta(hours=4, seconds=1), dt.timedelta(minutes=5)),
        (dt.timedelta(hours=4), dt.timedelta(minutes=1)),
        (dt.timedelta(0), dt.timedelta(minutes=1)),
        (-dt.timedelta(minutes=59), dt.timedelta(minutes=1)),
        (-dt.timedelta(hours=1), dt.timedelta(minutes=1)),
        (-dt.timedelta(hours=1, seconds=1), None),
    ],
)
def test_race_day_cadence(before_start, every):
    assert cadence.interval(START, START - before_start) == every


def test_due_follows_the_cadence():
    now = START - dt.timedelta(hours=2)  # race morning: every minute
    assert cadence.due(START, None, now)
    assert not cadence.due(START, now - dt.timedelta(seconds=59), now)
    assert cadence.due(START, now - dt.timedelta(seconds=60), now)
    assert not cadence.due(START, None, START + dt.timedelta(hours=2))  # stopped
    assert cadence.due(None, now - dt.timedelta(hours=1), now)  # no start: hourly


KEY = b"k" * 40


def test_credentials_round_trip_and_are_checked():
    box = secretbox.box_from_secret(KEY)
    fields = {"client_id": "c1", "user_id": "u@example.org", "password": "hunter2-long"}
    sealed = secretbox.seal(box, "chronotrack", fields)
    assert b"hunter2-long" not in sealed and b"u@example.org" not in sealed
    assert secretbox.unseal(box, "chronotrack", sealed) == fields
    other = secretbox.box_from_secret(b"x" * 40)
    with pytest.raises(secretbox.CredentialError, match="do not open with this sync key") as err:
        secretbox.unseal(other, "chronotrack", sealed)
    assert "hunter2" not in str(err.value)
    with pytest.raises(secretbox.CredentialError, match="no chronotrack credentials"):
        secretbox.unseal(box, "chronotrack", None)


@pytest.mark.parametrize(
    ("provider", "fields", "message"),
    [
        ("runsignup", {"api_key": "k"}, "missing or empty: api_secret"),
        ("runsignup", {"api_key": "k", "api_secret": " "}, "missing or empty: api_secret"),
        ("raceroster", {"client_id": "c", "client_secret": "s", "x": "1"}, "not a raceroster"),
        ("raceroster", ["c", "s"], "one JSON object"),
        ("haku", {}, "unknown provider"),
    ],
)
def test_unusable_credentials_name_the_fields_never_the_values(provider, fields, message):
    with pytest.raises(secretbox.CredentialError, match=message) as err:
        secretbox.check_fields(provider, fields)
    assert "'k'" not in str(err.value) and "'s'" not in str(err.value)


def test_a_short_key_is_refused(tmp_path):
    short = tmp_path / "key"
    short.write_text("too short\n")
    with pytest.raises(ValueError, match="at least 32"):
        secretbox.load_box(short)
    with pytest.raises(ValueError, match="no sync key"):
        secretbox.load_box(None)


def test_page_rows_become_json_postgres_reads():
    rows = [{"chip_time": dt.timedelta(hours=2, seconds=0.5), "paid": Decimal("57.75"),
             "on": dt.date(2026, 1, 2), "at": START, "n": None}]  # fmt: skip
    assert json.loads(store.as_json(rows)) == [
        {"chip_time": "7200.5 seconds", "paid": "57.75", "on": "2026-01-02",
         "at": "2026-12-06T08:00:00+00:00", "n": None}
    ]  # fmt: skip


def test_tally_summary():
    assert Tally(3, 2, 1, 1).summary() == "3 fetched, 2 changed, 1 removed in 1 page"
