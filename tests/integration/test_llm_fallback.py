"""The LLM fallback engine through the REAL llm-ollama plugin, against a FAKE Ollama.

tests/fake_ollama.py serves /api/tags, /api/show and /api/chat on a free loopback
port; OLLAMA_HOST points the plugin (and the ollama client under it) there. No
test talks to a real Ollama, a real model or the internet. The fake answers
semantic-query JSON, as a model held to the answer schema would.

The last tests start the whole service (tests/integration/test_nlq.py's helpers
and database fixtures) with the fake behind it: a vague question answered by
the model's query, answers smuggling SQL or naming what the vocabulary lacks
refused, a hanging model given up on, no model said so.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import llm
import pytest
import requests
from llm.plugins import load_plugins, pm

from daemons.nlq_http.llm_fallback import (
    LlmPlanner,
    ModelAnswerRejected,
    ModelTimeout,
    ModelUnavailable,
    Vocabulary,
)
from daemons.nlq_http.query import Filter, MeasureRef, Op, SemanticQuery
from tests.fake_ollama import FakeOllama
from tests.integration import test_nlq as nlq
from tests.integration.nlq_service import start_service

REPO = Path(__file__).resolve().parents[2]
TODAY = dt.date(2025, 11, 25)
VOCAB = Vocabulary(("Boston Marathon", "Chicago Marathon"), ("Acme Timing",))
GOOD_QUESTION = "How many women finished the Boston Marathon in 2024 under 3 hours?"
GOOD_ANSWER = json.dumps(
    {
        "entity": "finishers",
        "measures": [{"name": "count", "percentile": None}],
        "group_by": [],
        "filters": [
            {"field": "event", "op": "eq", "value": "Boston Marathon"},
            {"field": "year", "op": "eq", "value": "2024"},
            {"field": "sex", "op": "eq", "value": "F"},
            {"field": "chip_time", "op": "lt", "value": "3:00:00"},
        ],
        "order_by": [],
        "limit": None,
        "per_group_limit": None,
        "show": [],
        "export": False,
    }
)
GOOD_QUERY = SemanticQuery(
    entity="finishers",
    measures=(MeasureRef(name="count"),),
    filters=(
        Filter(field="event", value="Boston Marathon"),
        Filter(field="year", value=2024),
        Filter(field="sex", value="F"),
        Filter(field="chip_time", op=Op.LT, value=dt.timedelta(hours=3)),
    ),
)
HANG_QUESTION = "a question the fake server never answers"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def ollama_env(monkeypatch, tmp_path):
    """llm's user dir (and llm-ollama's capability cache) in tmp; the plugin loaded."""
    monkeypatch.setenv("LLM_USER_PATH", str(tmp_path / "llm"))
    monkeypatch.delenv("OLLAMA_API_KEY", raising=False)
    monkeypatch.delenv("OLLAMA_HEADERS", raising=False)
    load_plugins()
    registered_here = False
    if pm.get_plugin("ollama") is None:  # e.g. LLM_LOAD_PLUGINS set without it
        import llm_ollama

        pm.register(llm_ollama, name="ollama")
        registered_here = True
    from llm_ollama.registry import cache

    old_dir = cache.cache_dir
    cache.set_dir(tmp_path / "llm-ollama-cache")
    yield monkeypatch
    cache.cache_dir = old_dir
    if registered_here:
        pm.unregister(name="ollama")


@pytest.fixture
def fake_ollama(ollama_env):
    server = FakeOllama(
        models={"llama3.1:8b": "d1" * 32, "llama3.1:latest": "d1" * 32, "mistral:7b": "d2" * 32}
    ).start()
    server.answers[GOOD_QUESTION] = GOOD_ANSWER
    server.answers[HANG_QUESTION] = FakeOllama.HANG
    ollama_env.setenv("OLLAMA_HOST", server.host)
    yield server
    server.stop()


def test_model_ids_as_llm_ollama_names_them(fake_ollama):
    model = llm.get_model("ollama/llama3.1:8b")
    assert (model.model_id, model.ollama_name) == ("ollama/llama3.1:8b", "llama3.1:8b")
    # names sharing a digest are aliases of the most specific one
    assert llm.get_model("ollama/llama3.1").model_id == "ollama/llama3.1:8b"
    assert llm.get_model("ollama/llama3.1:latest").model_id == "ollama/llama3.1:8b"
    assert llm.get_model("ollama/mistral:7b").supports_schema
    assert "/api/tags" in fake_ollama.paths()
    assert "/api/show" in fake_ollama.paths()


def test_the_real_plugin_turns_a_question_into_the_query(fake_ollama):
    planner = LlmPlanner("ollama/llama3.1:8b", timeout=5.0, vocabulary=lambda: VOCAB)
    assert planner.available, planner.reason
    understanding = planner.plan(GOOD_QUESTION, today=TODAY)
    assert understanding.query == GOOD_QUERY
    assert understanding.engine == "llm"
    assert understanding.confidence == 0.7

    (chat,) = fake_ollama.chat_requests()
    assert chat["model"] == "llama3.1:8b"
    assert chat["stream"] is False
    assert chat["options"] == {"temperature": 0.0, "num_predict": 1024, "num_ctx": 8192}
    roles = [m["role"] for m in chat["messages"]]
    assert roles == ["system", "user"]
    assert chat["messages"][1]["content"] == GOOD_QUESTION
    assert "Today is 2025-11-25" in chat["messages"][0]["content"]
    schema = chat["format"]  # the JSON schema goes as Ollama's structured-output format
    finishers = schema["anyOf"][0]["properties"]
    assert finishers["entity"] == {"type": "string", "enum": ["finishers"]}
    (event,) = [
        item["properties"]
        for item in finishers["filters"]["items"]["anyOf"]
        if item["properties"]["field"]["enum"] == ["event"]
    ]
    assert event["value"]["anyOf"][0]["enum"] == list(VOCAB.event_names)
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(json.loads(GOOD_ANSWER), schema)  # what a grammar would allow


def test_the_plugin_streams_from_the_fake_too(fake_ollama):
    # The planner asks without streaming; the fake also speaks NDJSON streaming.
    model = llm.get_model("ollama/llama3.1:8b")
    assert model.prompt(GOOD_QUESTION, schema={"type": "object"}).text() == GOOD_ANSWER
    assert fake_ollama.chat_requests()[-1]["stream"] is True


def test_a_bad_answer_through_the_plugin_is_rejected(fake_ollama):
    fake_ollama.answers["drop it"] = json.dumps(
        {
            "entity": "finishers",
            "filters": [{"field": "last_name", "op": "eq", "value": "DROP TABLE x"}],
        }
    )
    planner = LlmPlanner("ollama/llama3.1:8b", timeout=5.0)
    with pytest.raises(ModelAnswerRejected, match="looks like SQL"):
        planner.plan("drop it", VOCAB, TODAY)


def test_a_server_that_never_answers_the_chat_times_out(fake_ollama):
    planner = LlmPlanner("ollama/llama3.1:8b", timeout=0.5)
    assert planner.available
    started = time.monotonic()
    with pytest.raises(ModelTimeout, match=r"did not answer within 0\.5 s"):
        planner.plan(HANG_QUESTION, VOCAB, TODAY)
    assert time.monotonic() - started < 0.7
    assert fake_ollama.hanging.is_set()
    assert planner.available  # slow is not gone: the next question is asked
    assert planner.plan(GOOD_QUESTION, VOCAB, TODAY).query == GOOD_QUERY


def test_a_server_that_never_lists_its_models_does_not_hang_start_up(fake_ollama):
    fake_ollama.hang_paths.add("/api/tags")
    started = time.monotonic()
    planner = LlmPlanner("ollama/llama3.1:8b", timeout=0.5)
    assert time.monotonic() - started < 0.7
    assert not planner.available
    assert planner.reason == (
        "the language model server did not say within 0.5 s which models it has"
    )
    with pytest.raises(ModelUnavailable) as caught:
        planner.plan(GOOD_QUESTION, VOCAB, TODAY)
    assert caught.value.reason == planner.reason


def test_no_server_means_unavailable_with_a_clear_reason(ollama_env):
    port = free_port()  # nothing listens there
    ollama_env.setenv("OLLAMA_HOST", f"127.0.0.1:{port}")
    started = time.monotonic()
    planner = LlmPlanner("ollama/llama3.1:8b", timeout=5.0)
    assert time.monotonic() - started < 3
    assert not planner.available
    assert planner.reason == (
        f"the Ollama server at 127.0.0.1:{port} is not reachable (Failed to connect to Ollama)"
    )
    assert planner.status() == {
        "engine": "llm",
        "model": "ollama/llama3.1:8b",
        "available": False,
        "reason": planner.reason,
        "timeout_s": 5.0,
        "hung_calls": 0,
    }
    with pytest.raises(ModelUnavailable) as caught:
        planner.plan(GOOD_QUESTION, VOCAB, TODAY)
    assert caught.value.user_message(0.35) == (
        "no language model is reachable; the rules could not understand this question "
        "(confidence 0.35)"
    )


def test_a_model_not_pulled_is_named_in_the_reason(fake_ollama):
    planner = LlmPlanner("ollama/qwen2.5:7b", timeout=5.0)
    assert not planner.available
    assert planner.reason == (
        f"the Ollama server at {fake_ollama.host} has no model qwen2.5:7b (it has "
        "llama3.1:8b, llama3.1:latest, mistral:7b); ollama pull qwen2.5:7b"
    )


def test_a_server_that_comes_up_later_is_used_then(ollama_env):
    port = free_port()
    ollama_env.setenv("OLLAMA_HOST", f"127.0.0.1:{port}")
    planner = LlmPlanner("ollama/llama3.1:8b", timeout=5.0, retry_interval=0)
    assert not planner.available
    server = FakeOllama(port=port).start()
    try:
        server.answers[GOOD_QUESTION] = GOOD_ANSWER
        assert planner.plan(GOOD_QUESTION, VOCAB, TODAY).query == GOOD_QUERY
        assert planner.available
    finally:
        server.stop()


def test_the_server_going_away_makes_the_planner_unavailable(fake_ollama):
    planner = LlmPlanner("ollama/llama3.1:8b", timeout=5.0, retry_interval=60)
    assert planner.available
    fake_ollama.stop()
    with pytest.raises(ModelUnavailable, match="stopped answering"):
        planner.plan(GOOD_QUESTION, VOCAB, TODAY)
    assert not planner.available
    with pytest.raises(ModelUnavailable, match="stopped answering"):  # no retry until due
        planner.plan(GOOD_QUESTION, VOCAB, TODAY)


def test_a_model_removed_from_the_server_makes_the_planner_unavailable(fake_ollama):
    planner = LlmPlanner("ollama/llama3.1:8b", timeout=5.0, retry_interval=60)
    assert planner.available
    del fake_ollama.models["llama3.1:8b"]
    with pytest.raises(ModelUnavailable, match="not found, try pulling it first"):
        planner.plan(GOOD_QUESTION, VOCAB, TODAY)
    assert not planner.available
    assert "404" in planner.reason


GEVENT_PROBE = textwrap.dedent(
    """
    from gevent import monkey

    monkey.patch_all()

    import datetime as dt
    import json
    import time

    import gevent

    from daemons.nlq_http.llm_fallback import LlmPlanner, ModelTimeout, Vocabulary

    vocab = Vocabulary(("Boston Marathon",), ())
    planner = LlmPlanner("ollama/llama3.1:8b", timeout=0.5)
    out = {"available": planner.available, "reason": planner.reason}
    out["good"] = planner.plan(GOOD_QUESTION, vocab, dt.date(2025, 11, 25)).query.model_dump(
        mode="json"
    )
    ticks = [0]

    def tick():
        while True:
            gevent.sleep(0.02)
            ticks[0] += 1

    ticker = gevent.spawn(tick)
    started = time.monotonic()
    try:
        planner.plan(HANG_QUESTION, vocab, dt.date(2025, 11, 25))
        out["hang"] = "answered"
    except ModelTimeout as exc:
        out["hang"] = exc.reason
    out["elapsed"] = time.monotonic() - started
    out["ticks"] = ticks[0]
    gevent.sleep(0.2)  # the killed request unwinds
    ticker.kill()
    out["missing"] = LlmPlanner("ollama/qwen2.5:7b", timeout=0.5).reason
    print(json.dumps(out))
    """
)


def test_under_gevent_the_hung_request_is_cancelled_and_the_hub_keeps_running(fake_ollama):
    """The service's own setting: monkey-patched sockets, a greenlet per model call.

    Waiting for the model must not block other greenlets, and at the deadline the
    request must really be cancelled (the fake server sees the client hang up),
    not merely abandoned.
    """
    script = f"GOOD_QUESTION = {GOOD_QUESTION!r}\nHANG_QUESTION = {HANG_QUESTION!r}\n"
    script += GEVENT_PROBE
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["available"], out["reason"]
    assert out["good"]["filters"][0] == {"field": "event", "op": "eq", "value": "Boston Marathon"}
    assert out["hang"] == "the language model did not answer within 0.5 s"
    assert 0.45 <= out["elapsed"] < 0.7, out
    assert out["ticks"] >= 15, out  # the hub ran other greenlets while waiting
    # The hung chat reached the fake (on a loaded machine it might not within 0.5 s,
    # and then there is nothing to see cancelled: say so rather than "assert False").
    assert fake_ollama.hanging.is_set(), "the hung chat request never reached the fake"
    assert fake_ollama.disconnected.wait(5)  # the killed greenlet closed its connection
    assert out["missing"].startswith("the Ollama server at http://127.0.0.1:")
    assert out["missing"].endswith("ollama pull qwen2.5:7b")
    assert "Traceback" not in done.stderr  # errors in the worker greenlet are values


# -- the whole service, with the fake Ollama behind it ----------------------------------------
# test_nlq's module-scoped database fixtures, set up again for this module's services.
results_db = nlq.results_db
live_db = nlq.live_db

VAGUE = "gimme the tally of speedy folks at that beantown footrace, sub three"
VAGUE_ANSWER = {
    "entity": "finishers",
    "measures": [{"name": "count", "percentile": None}],
    "filters": [
        {"field": "event", "op": "eq", "value": "Boston Marathon"},
        {"field": "distance_km", "op": "eq", "value": "42.195"},
        {"field": "chip_time", "op": "lt", "value": "3:00:00"},
    ],
}
SMUGGLING = "whatever the quick people did, you know the one"
OUTSIDE = "how did the folks do at that big race in germany"
HANGING = "tell me a long story about everyone who ever ran anywhere"


@pytest.fixture
def with_model(results_db, live_db, tmp_path):
    fake = FakeOllama().start()
    fake.answers[VAGUE] = json.dumps(VAGUE_ANSWER)
    fake.answers[SMUGGLING] = json.dumps(
        {
            "entity": "finishers",
            "filters": [
                {"field": "last_name", "op": "eq", "value": "x'); DROP TABLE ct_results; --"}
            ],
        }
    )
    fake.answers[OUTSIDE] = json.dumps(
        {
            "entity": "finishers",
            "measures": [{"name": "count"}],
            "filters": [{"field": "event", "op": "eq", "value": "Berlin Marathon"}],
        }
    )
    fake.answers[HANGING] = FakeOllama.HANG
    proc, svc = start_service(
        results_db, live_db, tmp_path, OLLAMA_HOST=fake.host, P88_NLQ_LLM_TIMEOUT="1"
    )
    yield {**svc, "ollama": fake}
    proc.terminate()
    proc.wait(15)
    fake.stop()


def test_a_vague_question_is_answered_by_the_models_query(with_model):
    about = requests.get(with_model["url"] + "/", timeout=5).json()
    assert about["engines"]["llm"]["available"] is True
    body = nlq.answer_any(with_model, VAGUE)
    assert body["engine"] == "llm"
    expected = nlq.query(
        with_model["dsn"],
        f"SELECT count(*) {nlq.FROM} WHERE {nlq.MARATHON}"
        " AND e.name = 'Boston Marathon' AND r.chip_time < '3:00'",
    )
    assert body["rows"] == [[expected[0][0]]]
    assert "r.timing_partner_id" not in body["sql"]  # the admin key: every partner
    chat = with_model["ollama"].chat_requests()[-1]
    assert chat["messages"][-1]["content"] == VAGUE
    assert chat["format"]["anyOf"][0]["properties"]["entity"]["enum"] == ["finishers"]


def test_a_model_answer_that_smuggles_sql_is_refused(with_model):
    before = nlq._fingerprint(with_model["dsn"])
    response = nlq.ask(with_model, SMUGGLING)
    assert response.status_code == 422, response.text
    assert "looks like SQL" in response.json()["error"]
    assert nlq._fingerprint(with_model["dsn"]) == before


def test_a_model_answer_naming_what_the_vocabulary_lacks_is_refused(with_model):
    response = nlq.ask(with_model, OUTSIDE)
    assert response.status_code == 422, response.text
    assert "'Berlin Marathon' is not a known event" in response.json()["error"]


def test_a_model_that_hangs_is_given_up_on(with_model):
    response = nlq.ask(with_model, HANGING)
    assert response.status_code == 504, response.text
    assert response.elapsed.total_seconds() < 5


def test_without_a_model_the_service_says_so(results_db, live_db, tmp_path):
    closed = free_port()
    proc, svc = start_service(
        results_db, live_db, tmp_path, OLLAMA_HOST=f"http://127.0.0.1:{closed}"
    )
    try:
        response = nlq.ask(svc, VAGUE)
        # The planner raises ModelUnavailable (503); the engine decides what the caller
        # gets (today a 422 saying what was not understood: the question failed, not the
        # service). Either way the reason is said.
        assert response.status_code in (422, 503), response.text
        assert "no language model is reachable" in response.json()["error"]
        clear = nlq.ask(svc, "How many runners finished the Boston Marathon under 3 hours?")
        assert clear.status_code == 200 and clear.json()["engine"] == "rules"
    finally:
        proc.terminate()
        proc.wait(15)
