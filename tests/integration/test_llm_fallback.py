"""The LLM fallback engine through the REAL llm-ollama plugin, against a FAKE Ollama.

tests/fake_ollama.py serves /api/tags, /api/show and /api/chat on a free loopback
port; OLLAMA_HOST points the plugin (and the ollama client under it) there. No
test talks to a real Ollama, a real model or the internet.
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
from llm.plugins import load_plugins, pm

from daemons.nlq_http.llm_fallback import (
    LlmPlanner,
    ModelAnswerRejected,
    ModelTimeout,
    ModelUnavailable,
    Vocabulary,
)
from daemons.nlq_http.plan import Intent, Plan, Sex
from tests.fake_ollama import FakeOllama

REPO = Path(__file__).resolve().parents[2]
TODAY = dt.date(2025, 11, 25)
VOCAB = Vocabulary(("Boston Marathon", "Chicago Marathon"), ("Acme Timing",))
GOOD_QUESTION = "How many women finished the Boston Marathon in 2024 under 3 hours?"
GOOD_ANSWER = json.dumps(
    {
        "intent": "count",
        "event_names": ["Boston Marathon"],
        "years": [2024],
        "sex": "F",
        "max_time": "3:00:00",
    }
)
GOOD_PLAN = Plan(
    intent=Intent.COUNT,
    event_names=("Boston Marathon",),
    years=(2024,),
    sex=Sex.FEMALE,
    max_time=dt.timedelta(hours=3),
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


def test_the_real_plugin_turns_a_question_into_the_plan(fake_ollama):
    planner = LlmPlanner("ollama/llama3.1:8b", timeout=5.0, vocabulary=lambda: VOCAB)
    assert planner.available, planner.reason
    understanding = planner.plan(GOOD_QUESTION, today=TODAY)
    assert understanding.plan == GOOD_PLAN
    assert understanding.engine == "llm"
    assert understanding.confidence == 0.7

    (chat,) = fake_ollama.chat_requests()
    assert chat["model"] == "llama3.1:8b"
    assert chat["stream"] is False
    assert chat["options"] == {"temperature": 0.0, "num_predict": 1024}
    roles = [m["role"] for m in chat["messages"]]
    assert roles == ["system", "user"]
    assert chat["messages"][1]["content"] == GOOD_QUESTION
    assert "Today is 2025-11-25" in chat["messages"][0]["content"]
    schema = chat["format"]  # the JSON schema goes as Ollama's structured-output format
    assert schema["properties"]["event_names"]["items"]["enum"] == list(VOCAB.event_names)
    assert schema["properties"]["intent"]["enum"] == [i.value for i in Intent]


def test_the_plugin_streams_from_the_fake_too(fake_ollama):
    # The planner asks without streaming; the fake also speaks NDJSON streaming.
    model = llm.get_model("ollama/llama3.1:8b")
    assert model.prompt(GOOD_QUESTION, schema={"type": "object"}).text() == GOOD_ANSWER
    assert fake_ollama.chat_requests()[-1]["stream"] is True


def test_a_bad_answer_through_the_plugin_is_rejected(fake_ollama):
    fake_ollama.answers["drop it"] = '{"intent": "list", "person": {"last_name": "DROP TABLE x"}}'
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
    assert planner.plan(GOOD_QUESTION, VOCAB, TODAY).plan == GOOD_PLAN


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
        assert planner.plan(GOOD_QUESTION, VOCAB, TODAY).plan == GOOD_PLAN
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
    out["good"] = planner.plan(GOOD_QUESTION, vocab, dt.date(2025, 11, 25)).plan.model_dump(
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
    assert out["good"]["event_names"] == ["Boston Marathon"]
    assert out["hang"] == "the language model did not answer within 0.5 s"
    assert 0.45 <= out["elapsed"] < 0.7, out
    assert out["ticks"] >= 15, out  # the hub ran other greenlets while waiting
    assert fake_ollama.disconnected.wait(2)  # the killed greenlet closed its connection
    assert out["missing"].startswith("the Ollama server at http://127.0.0.1:")
    assert out["missing"].endswith("ollama pull qwen2.5:7b")
    assert "Traceback" not in done.stderr  # errors in the worker greenlet are values
