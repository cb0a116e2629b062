"""A FAKE ``llm`` model plugin for tests: canned answers, never a language model.

Register this module with ``llm.plugins.pm.register(fake_llm_model, name=PLUGIN_NAME)``
(the ``fake_llm`` fixture does it and unregisters it after); ``llm.get_model(MODEL_ID)``
then returns ``MODEL``. ``MODEL.answers`` maps a question (the prompt text) to the text
the "model" answers, or to ``Sleep(seconds)``; unknown questions get ``DEFAULT_ANSWER``.
Every call is recorded in ``MODEL.calls`` (question, system prompt, schema).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import llm

PLUGIN_NAME = "p88-fake-llm"
MODEL_ID = "fake/planner"
DEFAULT_ANSWER = '{"intent": "count"}'


@dataclass(frozen=True)
class Sleep:
    """Answer nothing for ``seconds`` (cut short when the test ends), then ``then``."""

    seconds: float
    then: str = DEFAULT_ANSWER


class FakePlannerModel(llm.Model):
    model_id = MODEL_ID
    supports_schema = True
    can_stream = False

    def __init__(self) -> None:
        self.answers: dict[str, str | Sleep] = {}
        self.calls: list[dict] = []
        self.release = threading.Event()  # set at teardown: ends every Sleep at once

    def reset(self) -> None:
        self.answers.clear()
        self.calls.clear()
        self.release = threading.Event()

    def execute(self, prompt, stream, response, conversation) -> Iterator[str]:
        self.calls.append(
            {"question": prompt.prompt, "system": prompt.system, "schema": prompt.schema}
        )
        answer = self.answers.get(prompt.prompt, DEFAULT_ANSWER)
        if isinstance(answer, Sleep):
            self.release.wait(answer.seconds)
            answer = answer.then
        yield answer


MODEL = FakePlannerModel()


@llm.hookimpl
def register_models(register) -> None:
    register(MODEL)
