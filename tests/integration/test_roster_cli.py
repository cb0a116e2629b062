"""``project88 roster import|list`` against a real, freshly migrated database."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.conftest import REPO, query
from tests.integration.test_cli import project88

SAMPLE = REPO / "tools" / "sample_roster.csv"


def sample_rows() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_roster(path: Path, rows: list[dict[str, str]]) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def roster(dsn: str) -> dict[str, tuple]:
    rows = query(dsn, "SELECT bib, first_name, city, age, message, tag_code FROM race_roster")
    return {row[0]: row[1:] for row in rows}


def stamps(dsn: str) -> dict[str, object]:
    return dict(query(dsn, "SELECT bib, updated_at FROM race_roster"))


def test_migration_adds_a_unique_deferrable_tag_code(raw_dsn):
    columns = query(
        raw_dsn,
        "SELECT column_name, data_type, character_maximum_length, is_nullable"
        " FROM information_schema.columns WHERE table_name = 'race_roster'"
        " ORDER BY ordinal_position",
    )
    assert [c[0] for c in columns] == [
        "bib", "first_name", "last_name", "city", "state", "country", "age", "gender",
        "division", "message", "updated_at", "tag_code", "source", "session_id", "roster_key",
    ]  # fmt: skip
    assert columns[-4] == ("tag_code", "character varying", 8, "YES")
    # Unique within one roster (a session's, or the shared one: migration 0011).
    assert query(
        raw_dsn,
        "SELECT contype, condeferrable, condeferred, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conname = 'race_roster_tag_code_key'",
    ) == [("u", True, True, "UNIQUE (roster_key, tag_code) DEFERRABLE INITIALLY DEFERRED")]


def test_import_sample_then_reimport_is_idempotent(raw_dsn):
    first = project88("roster", "import", str(SAMPLE), dsn=raw_dsn)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "roster: 40 rows (40 new, 0 updated, 0 removed)"
    stored = roster(raw_dsn)
    assert len(stored) == 40
    assert stored["1"] == ("José", "San Antonio", 34, None, None)
    assert stored["11"][3] == "Run, Dad, run!"
    assert stored["17"][4] == "1017"
    before = stamps(raw_dsn)

    again = project88("roster", "import", str(SAMPLE), dsn=raw_dsn)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "roster: 40 rows (0 new, 0 updated, 0 removed)"
    assert roster(raw_dsn) == stored
    assert stamps(raw_dsn) == before  # unchanged runners are not touched


def test_changed_rows_are_updated_and_only_they(raw_dsn, tmp_path):
    assert project88("roster", "import", str(SAMPLE), dsn=raw_dsn).returncode == 0
    before = stamps(raw_dsn)
    rows = sample_rows()
    rows[1]["message"] = "Go Grandma!"
    rows[4]["city"] = "Eugene"
    rows[16]["tag_code"] = ""  # bib 17's chip now reads as its bib
    rows[2]["age"] = ""
    changed = write_roster(tmp_path / "changed.csv", rows)

    result = project88("roster", "import", str(changed), dsn=raw_dsn)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "roster: 40 rows (0 new, 4 updated, 0 removed)"
    stored = roster(raw_dsn)
    assert stored["2"][3] == "Go Grandma!" and stored["5"][1] == "Eugene"
    assert stored["17"][4] is None and stored["3"][2] is None
    after = stamps(raw_dsn)
    assert {bib for bib in after if after[bib] != before[bib]} == {"2", "3", "5", "17"}


def test_replace_removes_runners_not_in_the_file(raw_dsn, tmp_path):
    assert project88("roster", "import", str(SAMPLE), dsn=raw_dsn).returncode == 0
    rows = sample_rows()[:30]
    rows.append(dict(rows[0], bib="41", first_name="Late", last_name="Entry"))
    smaller = write_roster(tmp_path / "smaller.csv", rows)

    plain = project88("roster", "import", str(smaller), dsn=raw_dsn)
    assert plain.stdout.strip() == "roster: 31 rows (1 new, 0 updated, 0 removed)"
    assert len(roster(raw_dsn)) == 41  # without --replace nothing goes away

    replaced = project88("roster", "import", "--replace", str(smaller), dsn=raw_dsn)
    assert replaced.returncode == 0, replaced.stderr
    assert replaced.stdout.strip() == "roster: 31 rows (0 new, 0 updated, 10 removed)"
    assert sorted(roster(raw_dsn), key=int) == [str(n) for n in range(1, 31)] + ["41"]


def test_a_bad_file_writes_nothing_and_names_every_line(raw_dsn, tmp_path):
    assert project88("roster", "import", str(SAMPLE), dsn=raw_dsn).returncode == 0
    before = roster(raw_dsn), stamps(raw_dsn)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "bib,first_name,age\n"
        "1,Changed,30\n"  # valid, but must not be written either
        "2,Ann,200\n"
        "123456789,Too,40\n"
        "1,Again,30\n"
        "99,New,\n",
        encoding="utf-8",
    )
    result = project88("roster", "import", "--replace", str(bad), dsn=raw_dsn)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{bad}:3: age '200' must be empty or a whole number 0-120",
        f"{bad}:4: bib '123456789' must be 1-8 printable characters",
        f"{bad}:5: bib '1' already appears on line 2",
        "roster: 3 error(s), nothing written",
    ]
    assert (roster(raw_dsn), stamps(raw_dsn)) == before


def test_unknown_column_and_missing_file(raw_dsn, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Bib,nickname\n1,Speedy\n", encoding="utf-8")
    result = project88("roster", "import", str(bad), dsn=raw_dsn)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{bad}:1: unknown column 'nickname'")
    missing = project88("roster", "import", str(tmp_path / "nope.csv"), dsn=raw_dsn)
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    assert roster(raw_dsn) == {}


def test_dry_run_writes_nothing_but_reports_what_would_change(raw_dsn, tmp_path):
    dry = project88("roster", "import", "--dry-run", str(SAMPLE), dsn=raw_dsn)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.strip() == (
        "roster: 40 rows (40 new, 0 updated, 0 removed) - dry run, nothing written"
    )
    assert roster(raw_dsn) == {}

    assert project88("roster", "import", str(SAMPLE), dsn=raw_dsn).returncode == 0
    before = roster(raw_dsn), stamps(raw_dsn)
    rows = sample_rows()[:20]
    rows[0]["first_name"] = "Joe"
    smaller = write_roster(tmp_path / "smaller.csv", rows)
    dry = project88("roster", "import", "--dry-run", "--replace", str(smaller), dsn=raw_dsn)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("roster: 20 rows (0 new, 1 updated, 20 removed) - dry run")
    assert (roster(raw_dsn), stamps(raw_dsn)) == before


def test_chips_can_move_between_runners_in_one_import(raw_dsn, tmp_path):
    path = tmp_path / "chips.csv"
    path.write_text("bib,tag_code\n1,A1\n2,B2\n", encoding="utf-8")
    assert project88("roster", "import", str(path), dsn=raw_dsn).returncode == 0
    path.write_text("bib,tag_code\n1,B2\n2,A1\n", encoding="utf-8")  # swapped
    swapped = project88("roster", "import", str(path), dsn=raw_dsn)
    assert swapped.returncode == 0, swapped.stderr
    assert swapped.stdout.strip() == "roster: 2 rows (0 new, 2 updated, 0 removed)"
    assert query(raw_dsn, "SELECT bib, tag_code FROM race_roster ORDER BY bib") == [
        ("1", "B2"),
        ("2", "A1"),
    ]


def test_a_tag_clashing_with_a_runner_outside_the_file_writes_nothing(raw_dsn, tmp_path):
    assert project88("roster", "import", str(SAMPLE), dsn=raw_dsn).returncode == 0
    before = roster(raw_dsn)
    path = tmp_path / "clash.csv"
    path.write_text("bib,first_name,tag_code\n99,New,5\n98,Other,1017\n", encoding="utf-8")
    result = project88("roster", "import", str(path), dsn=raw_dsn)
    assert result.returncode == 1
    assert f"{path}: bibs '17' and '98' would both be read by tag '1017'" in result.stderr
    assert f"{path}: bibs '5' and '99' would both be read by tag '5'" in result.stderr
    assert roster(raw_dsn) == before
    # With --replace bib 5 and 17 go away, so the same file is fine.
    replaced = project88("roster", "import", "--replace", str(path), dsn=raw_dsn)
    assert replaced.returncode == 0, replaced.stderr
    assert replaced.stdout.strip() == "roster: 2 rows (2 new, 0 updated, 40 removed)"


def test_list(raw_dsn):
    empty = project88("roster", "list", dsn=raw_dsn)
    assert empty.returncode == 0 and "roster is empty" in empty.stdout
    assert project88("roster", "import", str(SAMPLE), dsn=raw_dsn).returncode == 0
    listing = project88("roster", "list", "--limit", "20", dsn=raw_dsn)
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].split()[:3] == ["bib", "tag", "name"]
    assert [line.split()[0] for line in lines[1:21]] == [str(n) for n in range(1, 21)]
    assert "José Núñez" in lines[1] and "San Antonio, TX, USA" in lines[1]
    assert lines[17].split()[:2] == ["17", "1017"]
    assert lines[-1] == "(20 of 40 runners; --limit N shows more)"
    bad = project88("roster", "list", "--limit", "0", dsn=raw_dsn)
    assert bad.returncode == 2
