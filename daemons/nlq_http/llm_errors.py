"""The LLM fallback's errors: what the engine turns into an HTTP status and a message.

Each carries a short, user-presentable ``reason``, the ``http_status`` the engine
answers with (503 no model, 504 too slow, 422 an answer refused) and
``user_message(rules_confidence)``, which says that the rules could not
understand the question either (the model is only asked when they could not).
"""

from __future__ import annotations


class LlmFallbackError(Exception):
    """Base of this engine's errors; ``reason`` is a short, user-presentable cause."""

    http_status = 503

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def user_message(self, rules_confidence: float) -> str:
        """The message the service answers with (the rules' confidence included)."""
        return (
            f"{self.reason}; the rules could not understand this question "
            f"(confidence {rules_confidence:.2f})"
        )


class ModelUnavailable(LlmFallbackError):
    """No language model is reachable (not configured, server down, model not pulled...)."""

    http_status = 503

    def user_message(self, rules_confidence: float) -> str:
        # The reason (a host, a model list) is for the operator's log, not the asker.
        return (
            "no language model is reachable; the rules could not understand this "
            f"question (confidence {rules_confidence:.2f})"
        )


class ModelTimeout(LlmFallbackError):
    """The model did not answer within the planner's deadline."""

    http_status = 504


class ModelAnswerRejected(LlmFallbackError):
    """The model answered, but not with a query this service accepts.

    ``answer`` holds the start of the raw answer, for the log (never for SQL).
    """

    http_status = 422

    def __init__(self, reason: str, answer: str = "") -> None:
        super().__init__(reason)
        self.answer = answer[:500]

    def user_message(self, rules_confidence: float) -> str:
        return (
            f"the language model's reading was refused ({self.reason}); the rules could "
            f"not understand this question (confidence {rules_confidence:.2f})"
        )
