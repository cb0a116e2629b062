"""Follow-ups that point back at the previous answer ("list them", "the ones over 50")."""

from daemons.nlq_http.examples import DEMO_VOCABULARY, EXAMPLES_TODAY
from daemons.nlq_http.query import Filter, Op
from daemons.nlq_http.rules import parse

FIRST = "How many Boston qualifiers were there at the Chicago Marathon in 2024?"


def read(question, previous=None):
    return parse(question, DEMO_VOCABULARY, EXAMPLES_TODAY, previous)


def test_list_them_turns_the_previous_count_into_its_rows():
    count = read(FIRST).query
    rows = read("list them with their times", count)
    assert rows.confidence == 1.0 and rows.query.measures == ()
    assert rows.query.filters == count.filters


def test_the_ones_over_50_narrow_the_previous_rows():
    rows = read("list them", read(FIRST).query).query
    older = read("only the ones over 50", rows).query
    assert older.filters == (*rows.filters, Filter(field="age", op=Op.GE, value=51))


def test_a_question_of_its_own_is_not_a_follow_up():
    new = read("How many finishers at the Hartford Marathon in 2023?", read(FIRST).query)
    assert not new.follow_up


def test_just_the_top_5_after_a_count_by_group_is_the_five_largest_groups():
    by_state = read("How many finishers did the Boston Marathon 2024 have from each state?").query
    top = read("just the top 5", by_state).query
    assert top.group_by == ("state",) and top.limit == 5
    assert [(s.field, s.descending) for s in top.order_by] == [("count", True)]


def test_their_splits_after_a_ranked_list_is_refused():
    top = read("top 3 women at the Chicago Marathon 2024").query
    splits = read("show their splits", top)
    assert splits.refusal is not None and splits.refusal.status == 422
