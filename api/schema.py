"""The error answers every operation can give, added to the OpenAPI description (a drf-spectacular
post-processing hook), so clients and Schemathesis know a 401, 404 or 429 is part of the contract."""

from __future__ import annotations

PAGING = {"page", "page_size"}

ERROR = {
    "type": "object",
    "description": "Why the request was refused: `detail`, or for bad filters each filter's problems.",
    "additionalProperties": True,
    "properties": {"detail": {"type": "string"}},
}


def _response(description: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}},
            "text/csv": {"schema": {"$ref": "#/components/schemas/Error"}},
        },
    }


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            query = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
            if query - PAGING:
                responses.setdefault("400", _response("A filter or parameter is not valid (each one's problems)"))
            responses.setdefault("401", _response("No token, or a token that is unknown, expired or revoked"))
            if "{" in path or query & PAGING:
                responses.setdefault("404", _response("Not one you may read (or no such page of results)"))
            responses.setdefault("429", _response("Too many requests: wait for the seconds in Retry-After"))
    return result
