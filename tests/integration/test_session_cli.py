"""``project88 session new --event NAME --login USER [--timezone TZ]`` and its errors.

Outside checks read the new session's id from stdout: it must be the id and a
newline, nothing else; every error goes to stderr with a non-zero exit.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import query
from tests.integration.test_cli import project88


def new_race(dsn: str, *args: str) -> int:
    done = project88("session", "new", *args, dsn=dsn)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().isdigit() and done.stdout == done.stdout.strip() + "\n"
    return int(done.stdout)


def test_races_open_side_by_side_each_with_its_login_zone_and_slug(raw_dsn):
    automatic = new_race(raw_dsn)  # the single-race session of today
    hartford = new_race(raw_dsn, "--event", "Hartford Marathon", "--login", "hartford",
                        "--timezone", "America/New_York", "--partner", "3")  # fmt: skip
    boulder = new_race(raw_dsn, "--event", "Boulder 10K", "--login", "boulder",
                       "--timezone", "America/Denver")  # fmt: skip
    # Same event name again (a second controller login for it): a slug of its own.
    again = new_race(raw_dsn, "--event", "Boulder 10K", "--login", "boulder-start")
    assert query(
        raw_dsn,
        "SELECT id, status, event_name, login, time_zone, slug, timing_partner_id"
        " FROM timing_sessions ORDER BY id",
    ) == [
        (automatic, "active", None, None, "UTC", None, None),
        (hartford, "active", "Hartford Marathon", "hartford", "America/New_York",
         "hartford-marathon", 3),
        (boulder, "active", "Boulder 10K", "boulder", "America/Denver", "boulder-10k", None),
        (again, "active", "Boulder 10K", "boulder-start", "UTC", "boulder-10k-2", None),
    ]  # fmt: skip
    # A new automatic session replaces only the automatic one: the races go on.
    replaced = new_race(raw_dsn)
    active = query(raw_dsn, "SELECT id FROM timing_sessions WHERE status = 'active' ORDER BY id")
    assert active == [(hartford,), (boulder,), (again,), (replaced,)]
    listing = project88("session", "list", dsn=raw_dsn)
    assert "/e/boulder-10k/" in listing.stdout and "America/Denver" in listing.stdout
    # Closing by login closes that race alone.
    closed = project88("session", "close", "--login", "boulder", dsn=raw_dsn)
    assert closed.returncode == 0 and f"closed session {boulder}" in closed.stdout
    assert query(raw_dsn, "SELECT status FROM timing_sessions WHERE id = %s", (hartford,)) == [
        ("active",)
    ]
    # Its login and slug are free again.
    assert new_race(raw_dsn, "--event", "Boulder 10K", "--login", "boulder") > replaced


def refused(dsn: str, *args: str) -> str:
    done = project88("session", "new", *args, dsn=dsn)
    assert done.returncode != 0
    assert done.stdout == ""
    return done.stderr


def test_bad_input_is_refused_with_a_clear_message_and_nothing_opened(raw_dsn):
    assert "unknown time zone 'Mars/Olympus'" in refused(
        raw_dsn, "--event", "Hartford", "--login", "h", "--timezone", "Mars/Olympus"
    )
    assert "--login needs --event" in refused(raw_dsn, "--login", "h")
    assert "slug 'Not A Slug'" in refused(
        raw_dsn, "--event", "Hartford", "--login", "h", "--slug", "Not A Slug"
    )
    assert "login 'a~b'" in refused(raw_dsn, "--event", "Hartford", "--login", "a~b")
    assert query(raw_dsn, "SELECT count(*) FROM timing_sessions") == [(0,)]
    first = new_race(raw_dsn, "--event", "Hartford", "--login", "h")
    message = refused(raw_dsn, "--event", "Hartford Again", "--login", "h")
    assert f"login 'h' already times active session {first}" in message
    taken = refused(raw_dsn, "--event", "Other", "--login", "o", "--slug", "hartford")
    assert "slug 'hartford' is taken" in taken
    assert query(raw_dsn, "SELECT count(*) FROM timing_sessions") == [(1,)]


def test_each_race_has_its_own_roster_and_the_same_bib_is_two_runners(raw_dsn, tmp_path: Path):
    hartford = new_race(raw_dsn, "--event", "Hartford", "--login", "h")
    new_race(raw_dsn, "--event", "Boulder", "--login", "b")
    (tmp_path / "h.csv").write_text("bib,first_name\n101,Alice\n102,Ann\n")
    (tmp_path / "b.csv").write_text("bib,first_name,tag_code\n101,Bob,X1\n103,Ben,\n")
    (tmp_path / "shared.csv").write_text("bib,first_name,tag_code\n101,Sam,X1\n")
    for args in (("--session", str(hartford), "h.csv"), ("--session", "boulder", "b.csv"),
                 ("shared.csv",)):  # fmt: skip
        done = project88("roster", "import", *args[:-1], str(tmp_path / args[-1]), dsn=raw_dsn)
        assert done.returncode == 0, done.stderr
    # Bib 101 three times, tag X1 twice: each in its own roster, so no clash.
    assert query(
        raw_dsn, "SELECT session_id, bib, first_name, tag_code FROM race_roster ORDER BY 1, 2"
    ) == [
        (hartford, "101", "Alice", None),
        (hartford, "102", "Ann", None),
        (hartford + 1, "101", "Bob", "X1"),
        (hartford + 1, "103", "Ben", None),
        (None, "101", "Sam", "X1"),
    ]
    # --replace replaces one roster only.
    (tmp_path / "h2.csv").write_text("bib,first_name\n102,Ann\n")
    done = project88(
        "roster", "import", "--session", "hartford", "--replace", str(tmp_path / "h2.csv"),
        dsn=raw_dsn,
    )  # fmt: skip
    assert done.returncode == 0 and "1 removed" in done.stdout
    assert query(raw_dsn, "SELECT count(*) FROM race_roster") == [(4,)]
    listed = project88("roster", "list", "--session", "boulder", dsn=raw_dsn)
    assert "Bob" in listed.stdout and "Ann" not in listed.stdout and "Sam" not in listed.stdout
    unknown = project88("roster", "import", "--session", "nope", str(tmp_path / "h.csv"),
                        dsn=raw_dsn)  # fmt: skip
    assert unknown.returncode == 1 and "no session 'nope'" in unknown.stderr
    assert "nothing written" in unknown.stderr
