"""The roster CSV parser: pure, every error with its line number."""

from __future__ import annotations

import io

from project88.roster import COLUMNS, RosterRow, parse, parse_bytes
from tests.conftest import REPO

HEADER = "bib,first_name,last_name,city,state,country,age,gender,division,message,tag_code\n"


def lines(text: str) -> list[str]:
    return io.StringIO(text).readlines()


def errors(text: str) -> list[str]:
    result = parse(lines(text))
    assert result.rows == []  # any error: nothing to write
    return [str(e) for e in result.errors]


def test_happy_path_all_columns():
    result = parse(
        lines(
            HEADER + "1,José,Núñez,San Antonio,TX,USA,34,M,M 30-34,,\n"
            '17, Lucía ,Fernández,Miami,FL,USA,42,F,F 40-44,"Run, Mom, run!",1017\n'
        )
    )
    assert result.ok, result.errors
    assert result.rows == [
        RosterRow("1", "José", "Núñez", "San Antonio", "TX", "USA", 34, "M", "M 30-34"),
        RosterRow(
            "17", "Lucía", "Fernández", "Miami", "FL", "USA", 42, "F", "F 40-44",
            "Run, Mom, run!", "1017",
        ),
    ]  # fmt: skip
    assert result.rows[0].read_as == "1" and result.rows[1].read_as == "1017"
    assert result.rows[1].values() == (
        "17", "Lucía", "Fernández", "Miami", "FL", "USA", 42, "F", "F 40-44",
        "Run, Mom, run!", "1017",
    )  # fmt: skip
    assert len(COLUMNS) == 11


def test_only_bib_is_required_and_empty_values_are_null():
    result = parse(lines("bib,age,message\n 5 ,, \n6,0,hi\n"))
    assert result.ok
    assert result.rows == [RosterRow("5"), RosterRow("6", age=0, message="hi")]


def test_header_is_case_insensitive_and_order_free():
    result = parse(lines(" Last_Name ,BIB,Age\nNúñez,1,120\n"))
    assert result.ok
    assert result.rows == [RosterRow("1", last_name="Núñez", age=120)]


def test_bom_is_ignored_in_text_and_bytes():
    text = "\ufeffbib,first_name\n1,Zoë\n"
    assert parse(lines(text)).rows == [RosterRow("1", first_name="Zoë")]
    assert parse_bytes(text.encode("utf-8")).rows == [RosterRow("1", first_name="Zoë")]


def test_a_text_stream_and_crlf_work():
    result = parse(io.StringIO("bib,city\r\n1,Boise\r\n2,Omaha\r\n", newline=""))
    assert result.ok and [r.city for r in result.rows] == ["Boise", "Omaha"]


def test_empty_lines_and_empty_rows_are_skipped_and_lines_still_counted():
    text = "\n\nbib,age\n\n1,30\n,\n\n2,x\n"
    assert errors(text) == ["8: age 'x' must be empty or a whole number 0-120"]
    assert parse(lines("\nbib\n\n1\n\n2\n")).rows == [RosterRow("1"), RosterRow("2")]


def test_unknown_column_is_an_error():
    assert errors("bib,firstname\n1,Ann\n") == [
        "1: unknown column 'firstname' (known: " + ", ".join(COLUMNS) + ")"
    ]


def test_missing_bib_column_and_duplicate_columns():
    assert errors("first_name,last_name\nAnn,Lee\n") == ["1: the header has no 'bib' column"]
    assert errors("bib,city,City\n1,a,b\n") == ["1: column 'city' appears more than once"]
    assert errors("bib,,city\n1,,a\n") == ["1: column 2 has no name in the header"]


def test_duplicate_bib_names_both_lines():
    assert errors("bib\n1\n2\n1\n") == ["4: bib '1' already appears on line 2"]


def test_bad_age():
    found = errors("bib,age\n1,-1\n2,121\n3,thirty\n4,4.5\n5,+5\n6,30\n")
    assert [e.split(":")[0] for e in found] == ["2", "3", "4", "5", "6"]
    assert found[1] == "3: age '121' must be empty or a whole number 0-120"


def test_too_long_or_unprintable_bib_and_tag():
    assert errors("bib\n123456789\n") == ["2: bib '123456789' must be 1-8 printable characters"]
    assert errors("bib,tag_code\n1,\x07\n") == [
        "2: tag_code '\\x07' must be 1-8 printable characters"
    ]
    assert errors("bib,city\n,Boise\n") == ["2: bib is empty"]
    assert parse(lines("bib,tag_code\n12345678,ABCDEFGH\n")).ok


def test_two_runners_cannot_be_read_by_the_same_tag():
    assert errors("bib,tag_code\n1,T1\n2,T1\n") == [
        "3: bib '2' would be read by tag 'T1', like bib '1' on line 2"
    ]
    # A chip code equal to another runner's bib (which has no chip code of its own).
    assert errors("bib,tag_code\n12,\n7,12\n") == [
        "3: bib '7' would be read by tag '12', like bib '12' on line 2"
    ]
    # Swapped chips are fine; so is a chip code equal to its own bib.
    assert parse(lines("bib,tag_code\n1,2\n2,1\n3,3\n")).ok


def test_every_error_is_reported_with_its_line():
    text = HEADER + "1,A,B,C,D,E,200,M,,,\n1,A,B,C,D,E,20,M,,,\n3,too,few\n"
    assert errors(text) == [
        "2: age '200' must be empty or a whole number 0-120",
        "3: bib '1' already appears on line 2",
        "4: expected 11 fields, found 3",
    ]


def test_quoted_field_spanning_lines_reports_its_first_line():
    assert errors('bib,message,age\n1,"two\nlines",x\n') == [
        "2: age 'x' must be empty or a whole number 0-120"
    ]


def test_empty_file_and_header_only():
    assert errors("") == ["1: empty file: a header row naming the columns is required"]
    assert errors("\ufeff\n\n") == ["1: empty file: a header row naming the columns is required"]
    assert errors("bib,first_name\n") == ["1: no runners after the header row"]


def test_malformed_csv():
    assert errors('bib,city\n1,"Boi"se\n') == ["2: malformed CSV: ',' expected after '\"'"]


def test_invalid_utf8_is_an_error_with_its_line_and_the_rest_is_still_checked():
    data = b"bib,first_name\n1,Jos\xe9\n1,Ann\n"
    result = parse_bytes(data)
    assert result.rows == []
    assert [str(e) for e in result.errors] == [
        "2: not valid UTF-8 (byte 0xe9 at column 6)",
        "3: bib '1' already appears on line 2",
    ]


def test_sample_roster_is_valid():
    result = parse_bytes((REPO / "tools" / "sample_roster.csv").read_bytes())
    assert result.ok, result.errors
    assert [r.bib for r in result.rows] == [str(n) for n in range(1, 41)]
    assert {r.gender for r in result.rows} == {"M", "F", "X"}
    assert sum(1 for r in result.rows if r.tag_code not in (None, r.bib)) == 1
    assert any(r.message for r in result.rows)
    assert any(not (r.first_name or "").isascii() for r in result.rows)
