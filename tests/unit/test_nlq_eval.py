"""The NL evaluation harness's pure parts: loading the question set, normalising, scoring."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from daemons.nlq_http.openai_bridge import markdown_answer
from tests.nlq_eval import questions
from tests.nlq_eval.chat import parse_completion, parse_markdown
from tests.nlq_eval.evaluate import judge
from tests.nlq_eval.isolation import ForeignValues
from tests.nlq_eval.normalize import normalize, same
from tests.nlq_eval.score import Table, matches


# -- the question files ----------------------------------------------------------------------
def test_every_question_file_loads_with_unique_ids():
    loaded = questions.load()
    assert len(loaded) >= 450
    assert len({q.id for q in loaded}) == len(loaded)
    by_set = Counter(q.set for q in loaded)
    assert 0.18 <= by_set["frozen"] / len(loaded) <= 0.22  # a fifth, held out


def test_every_kind_is_in_both_sets_and_refusals_are_well_formed():
    loaded = questions.load()
    kinds = {q.kind for q in loaded}
    frozen = {q.kind for q in loaded if q.set == "frozen"}
    assert kinds - frozen == {"documented"}  # public questions are never held out
    for q in loaded:
        for turn in (q.first, *q.followups):
            assert turn.answerable or questions.REFUSALS.match(turn.refuse or "")


def test_a_partner_question_must_filter_by_the_partner():
    raw = {"id": "count-001", "kind": "count", "phrasing": "terse", "key": "big_river",
           "question": "finishers", "sql": "SELECT count(*) FROM ct_results"}  # fmt: skip
    with pytest.raises(questions.QuestionFileError, match="partner_id"):
        questions.parse_question(raw, "x", "working")
    raw["sql"] += " WHERE timing_partner_id = %(partner_id)s"
    assert questions.parse_question(raw, "x", "working").key == "big_river"
    raw.update(sql=None, refuse="40")
    with pytest.raises(questions.QuestionFileError):
        questions.parse_question(raw, "x", "working")


@pytest.mark.parametrize(
    ("expected", "status", "ok"),
    [("403", 403, True), ("403", 422, False), ("4xx", 422, True), ("4xx", 503, False),
     ("422", None, False), ("4xx", None, True)],
)  # fmt: skip
def test_refusal_statuses(expected, status, ok):
    assert questions.refusal_matches(expected, status) is ok


# -- values ------------------------------------------------------------------------------------
def test_times_numbers_dates_and_text_meet_whatever_their_form():
    assert same(normalize(dt.timedelta(hours=2, minutes=24, seconds=37)), normalize("2:24:37"))
    assert same(normalize(dt.timedelta(seconds=8677.4)), normalize("2:24:37"))  # within a second
    assert not same(normalize(dt.timedelta(seconds=8679)), normalize("2:24:37"))
    assert same(normalize(dt.timedelta(days=1, hours=1)), normalize("1 day, 1:00:00"))
    assert same(normalize(Decimal("145.00")), normalize("$145"))
    assert same(normalize(10001), normalize("10001"))  # a bib and a number
    assert same(normalize(dt.date(2024, 4, 15)), normalize("2024-04-15"))
    utc = dt.datetime(2026, 10, 18, 12, 0, tzinfo=dt.UTC)
    assert same(normalize(utc), normalize("2026-10-18 07:00:00-05:00"))
    assert same(normalize("Renée  González"), normalize("renée gonzález"))
    assert same(normalize("F"), normalize("female"))
    assert normalize("").kind == normalize(None).kind == "null"


def test_numbers_round_as_the_service_shows_them_but_counts_are_exact():
    assert same(normalize(Decimal("42.3812949640")), normalize(42.4))
    assert same(normalize(Decimal("42.3812949640")), normalize(42))
    assert not same(normalize(Decimal("42.3812949640")), normalize(43))
    assert same(normalize(Decimal("3.1250")), normalize("3.13"))
    assert not same(normalize(57), normalize(57.4))
    assert not same(normalize(57), normalize(58))


# -- tables ------------------------------------------------------------------------------------
def table(columns, rows):
    return Table.of(columns, rows)


def test_a_single_value_is_found_in_a_one_row_answer_of_any_shape():
    reference = table(["count"], [[278]])
    assert matches(reference, table(["event", "finishers", "avg"], [["Boston", 278, "3:40:00"]]))
    assert not matches(reference, table(["finishers"], [[277]]))
    assert not matches(reference, table(["finishers"], [[278], [278]]))  # row counts differ


def test_rows_are_compared_as_rows_not_as_columns():
    reference = table(["sex", "count"], [["M", 10], ["F", 12]])
    assert matches(reference, table(["n", "sex"], [[12, "F"], [10, "M"]]))
    assert not matches(reference, table(["sex", "n"], [["M", 12], ["F", 10]]))


def test_a_full_name_matches_first_and_last_name_columns():
    reference = table(["runner", "chip_time"], [["Michael Wardian", dt.timedelta(seconds=8677)]])
    answer = table(["first_name", "last_name", "time"], [["Michael", "Wardian", "2:24:37"]])
    assert matches(reference, answer)


def test_order_matters_when_ordered_and_ties_may_swap():
    reference = table(["state", "n"], [["IL", 9], ["WI", 4], ["IN", 4], ["MO", 1]])
    swapped = table(["state", "n"], [["IL", 9], ["IN", 4], ["WI", 4], ["MO", 1]])
    backwards = table(["state", "n"], [["MO", 1], ["IN", 4], ["WI", 4], ["IL", 9]])
    assert matches(reference, swapped, ordered=True, order_by=[1])
    assert not matches(reference, swapped, ordered=True)
    assert not matches(reference, backwards, ordered=True, order_by=[1])
    assert matches(reference, backwards)


def test_judging_refusals_and_answers():
    refusal = questions.Turn("delete everything", refuse="4xx")
    assert judge(refusal, [], 422, None)[0] == "right"
    assert judge(refusal, [], 200, table(["n"], [[1]]))[0] == "wrong_200"
    assert judge(questions.Turn("q", refuse="403"), [], 422, None)[0] == "refused"
    answerable = questions.Turn("q", sql="SELECT 1")
    expected = [table(["n"], [[1]]), table(["n"], [[2]])]
    assert judge(answerable, expected, 200, table(["x"], [[2]])) == (
        "right",
        "matches alternative 1",
    )
    assert judge(answerable, expected, 422, None)[0] == "refused"


# -- the chat bridge's answers ----------------------------------------------------------------
def test_the_chat_table_is_read_back():
    body = {
        "explanation": "2 rows.",
        "columns": ["sex", "finishers", "note"],
        "rows": [["F", 145, "a | b"], ["M", 131, None]],
        "row_count": 2,
        "sql": "SELECT 1",
    }
    answer = parse_markdown(markdown_answer(body))
    assert answer.answered and answer.complete
    assert answer.columns == ["sex", "finishers", "note"]
    assert answer.rows == [["F", "145", "a | b"], ["M", "131", None]]
    assert matches(
        table(["sex", "n"], [["F", 145], ["M", 131]]), table(answer.columns, answer.rows)
    )


def test_a_cut_table_a_refusal_and_the_machine_readable_field():
    rows = [[i] for i in range(30)]
    cut = parse_markdown(markdown_answer({"columns": ["n"], "rows": rows, "row_count": 30}))
    assert cut.answered and not cut.complete and "25 rows of 30" in cut.error
    refused = parse_markdown("I could not answer that: your API key belongs to X")
    assert refused.status is None and not refused.answered
    assert (
        parse_markdown(markdown_answer({"columns": ["n"], "rows": [], "row_count": 0})).rows == []
    )
    exact = parse_completion({"nlq": {"status": 403, "columns": [], "rows": []}})
    assert exact.status == 403 and exact.source == "nlq"


def test_foreign_values_mark_rows_unless_the_question_said_them():
    values = ForeignValues(1, frozenset({"boston marathon", "x@example.com"}), frozenset({100049}))
    rows = [["Boston Marathon", 3], ["Big River Marathon", 4], ["ok", 5]]
    assert values.foreign_rows(["event", "n"], rows, "how many?") == [0]
    assert values.foreign_rows(["event", "n"], rows, "How many at the Boston Marathon?") == []
    assert values.foreign_rows(["event_id"], [[100049], [7]], "q") == [0]
    assert values.foreign_rows(["finishers"], [[100049]], "q") == []  # a count, not an id
