"""The OpenAPI 3 description served at ``/openapi.json`` (and shown by ``/docs``)."""

from __future__ import annotations

from typing import Any

ERROR = {"$ref": "#/components/schemas/Error"}
KEY = [{"apiKey": []}]


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    reasons = {
        400: "Malformed request",
        401: "Missing or invalid API key",
        403: "Another partner's data",
        422: "Question not understood",
        503: "Database or language model unavailable",
    }
    return {str(code): {"description": reasons[code], **_json(ERROR)} for code in codes}


def spec(version: str) -> dict[str, Any]:
    question = {"$ref": "#/components/schemas/Question"}
    return {
        "openapi": "3.0.3",
        # Relative to where the spec is served, so "Try it out" works under a
        # proxy prefix too (Apache's ai vhost serves this service under /nlq/).
        "servers": [{"url": "."}],
        "info": {
            "title": "Project88Hub natural-language queries",
            "version": version,
            "description": "Plain-English questions over the results database, answered"
            " read-only and only from the caller's own partner's data (the API key"
            " decides the partner).",
        },
        "components": {
            "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["success", "error"],
                    "properties": {"success": {"type": "boolean"}, "error": {"type": "string"}},
                },
                "Question": {
                    "type": "object",
                    "required": ["question"],
                    "properties": {
                        "question": {
                            "type": "string",
                            "maxLength": 1000,
                            "example": "How many runners finished the Boston Marathon"
                            " under 3 hours?",
                        },
                        "format": {"type": "string", "enum": ["json", "csv"], "default": "json"},
                        "history": {
                            "type": "array",
                            "maxItems": 8,
                            "items": {"type": "string", "maxLength": 1000},
                            "description": "Earlier questions of the same conversation, oldest"
                            " first: the question is read as a follow-up of them ('and the"
                            " women?', 'what about 2023?', 'only the top 10').",
                        },
                    },
                },
                "Answer": {
                    "type": "object",
                    "properties": {
                        "question": {"type": "string"},
                        "intent": {"type": "string"},
                        "entities": {"type": "object"},
                        "confidence": {"type": "number"},
                        "query": {
                            "type": "object",
                            "description": "The semantic query the answer ran: entity,"
                            " measures, group_by, filters (field, op, value), order_by, limit",
                        },
                        "sql": {"type": "string"},
                        "parameters": {"type": "object"},
                        "columns": {"type": "array", "items": {"type": "string"}},
                        "rows": {"type": "array", "items": {"type": "array", "items": {}}},
                        "row_count": {"type": "integer"},
                        "truncated": {"type": "boolean"},
                        "explanation": {"type": "string"},
                        "engine": {"type": "string", "enum": ["rules", "llm"]},
                        "elapsed_ms": {"type": "number"},
                    },
                },
            },
        },
        "paths": {
            "/": {
                "get": {
                    "summary": "Name, version and engines",
                    "responses": {"200": {"description": "About the service"}},
                }
            },
            "/health": {
                "get": {
                    "summary": "Database and model health",
                    "responses": {
                        "200": {"description": "Healthy"},
                        "503": {"description": "Degraded"},
                    },
                }
            },
            "/api/v1/nl-query": {
                "post": {
                    "summary": "Answer a question (JSON; CSV with format=csv or Accept: text/csv)",
                    "security": KEY,
                    "requestBody": {"required": True, **_json(question)},
                    "responses": {
                        "200": {
                            "description": "The answer",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Answer"}
                                },
                                "text/csv": {"schema": {"type": "string"}},
                            },
                        },
                        **_errors(400, 401, 403, 422, 503),
                    },
                }
            },
            "/api/v1/nl-explain": {
                "post": {
                    "summary": "The semantic query and SQL for a question, without running it",
                    "security": KEY,
                    "requestBody": {"required": True, **_json(question)},
                    "responses": {
                        "200": {"description": "Query and SQL"},
                        **_errors(400, 401, 403, 422, 503),
                    },
                }
            },
            "/api/v1/nl-examples": {
                "get": {
                    "summary": "Example questions",
                    "responses": {"200": {"description": "Questions the service answers"}},
                }
            },
            "/v1/models": {
                "get": {
                    "summary": "OpenAI-compatible model list",
                    "responses": {"200": {"description": "One model"}},
                }
            },
            "/v1/chat/completions": {
                "post": {
                    "summary": "OpenAI-compatible chat (stream: true for chat.completion.chunk"
                    " events); Authorization: Bearer <API key> also accepted",
                    "security": KEY,
                    "responses": {
                        "200": {"description": "The answer"},
                        **_errors(400, 401, 403, 422, 503),
                    },
                }
            },
        },
    }
