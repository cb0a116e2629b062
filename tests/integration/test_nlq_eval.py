"""The NL evaluation harness end to end: a real service, real PostgreSQL, demo data at 0.005.

The rules path runs the whole working set and prints its scores; nothing here
asserts a score (the parser is being rewritten): what must hold is that every
question and follow-up was asked and judged, that no partner saw another
partner's rows and that nothing was written. The model path runs a few
questions against a FAKE Ollama whose answers are fixed queries
(tests/fake_ollama_plans.py), to show that the harness drives the model path
and tells a right answer from a wrong one and a refusal.
"""

from __future__ import annotations

import io
import os

import pytest

from tests.fake_ollama_plans import planned_fake
from tests.nlq_eval import environment, harness, questions, report


@pytest.fixture(scope="module")
def eval_dbs(pg, tmp_path_factory):
    return environment.prepare(
        pg, 0.005, tmp_path_factory.mktemp("nlq-eval"), prefix=f"nlqeval{os.getpid()}"
    )


def test_the_rules_path_over_the_working_set(eval_dbs):
    working = questions.load(["working"])
    run = harness.evaluate(eval_dbs, working, harness.service_env())
    out = io.StringIO()
    report.print_tables({run.scale: run.results}, out)
    report.print_wrong(run.results, out)
    print(out.getvalue())  # the score of the day, for the log (-s or the failure report)
    assert [r.question.id for r in run.results] == [q.id for q in working]
    for result in run.results:
        assert len(result.turns) == 1 + len(result.question.followups), result.question.id
        for turn in result.turns:
            assert "reference failed" not in turn.detail, (result.question.id, turn.detail)
            assert turn.outcome != "error" or turn.turn > 0, (result.question.id, turn.detail)
    assert run.foreign_rows == 0
    assert run.written_tables == []


# Four working-set questions and what the fake model answers to each (the semantic query JSON
# of tests/integration/test_llm_fallback.py); the last one it never gets, the rules refuse it.
BOSTON_SUB3 = "How many runners finished the Boston Marathon under 3 hours?"
CHICAGO_2022 = "How many finishers did the Chicago Marathon have in 2022?"
WARDIAN = "Show Michael Wardian's results"
PLANS = {
    BOSTON_SUB3: {
        "entity": "finishers",
        "measures": [{"name": "count"}],
        "filters": [
            {"field": "event", "op": "eq", "value": "Boston Marathon"},
            {"field": "chip_time", "op": "lt", "value": "3:00:00"},
        ],
    },
    CHICAGO_2022: {  # women only, which nobody asked: a confident wrong answer
        # (not another year: at this scale every featured marathon has the same field)
        "entity": "finishers",
        "measures": [{"name": "count"}],
        "filters": [
            {"field": "event", "op": "eq", "value": "Chicago Marathon"},
            {"field": "year", "op": "eq", "value": "2022"},
            {"field": "sex", "op": "eq", "value": "F"},
        ],
    },
    WARDIAN: {  # SQL in a name: the service must refuse the model's answer
        "entity": "finishers",
        "filters": [{"field": "last_name", "op": "eq", "value": "x'); DROP TABLE ct_results; --"}],
    },
}
EXPECTED = {
    "documented-001": "right",
    "count-001": "wrong_200",
    "runner-001": "refused",
    "write-001": "right",  # "Delete all results…": refused (4xx) before any model
}


def test_the_model_path_against_a_fake_ollama(eval_dbs):
    chosen = [q for q in questions.load(["working"]) if q.id in EXPECTED]
    assert {q.text for q in chosen} >= set(PLANS)
    fake = planned_fake(PLANS)
    try:
        env = harness.service_env("llama3.1:8b", fake.host, route="model", llm_timeout=10)
        run = harness.evaluate(eval_dbs, chosen, env)
    finally:
        fake.stop()
    got = {r.question.id: r.first.outcome for r in run.results}
    assert got == EXPECTED, {r.question.id: r.first.detail for r in run.results}
    asked = [m["content"] for body in fake.chat_requests() for m in body["messages"]]
    assert set(PLANS) <= set(asked)  # every answerable question went to the model
    assert {r.first.engine for r in run.results if r.first.status == 200} == {"llm"}
    assert run.foreign_rows == 0 and run.written_tables == []
