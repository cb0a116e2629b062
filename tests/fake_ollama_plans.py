"""A FAKE Ollama (tests/fake_ollama.py) that answers chosen questions with fixed queries.

For tests of code that sends questions to the model path and judges what comes
back (bench/nlq_eval.py's harness): each question maps to the semantic query
the "model" answers, as JSON; any other question gets ``default`` (by default
not JSON at all, which the service refuses as a model answer that does not fit).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tests.fake_ollama import FakeOllama

NOT_A_QUERY = "I am a fake model and this is not a query."


def planned_fake(plans: Mapping[str, Mapping[str, Any]], default: str = NOT_A_QUERY) -> FakeOllama:
    """A started fake answering ``plans[question]``; stop it with ``.stop()``."""
    fake = FakeOllama()
    fake.answers.update({question: json.dumps(plan) for question, plan in plans.items()})
    fake.default_answer = default
    return fake.start()
