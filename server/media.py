"""GraphQL over HTTP's own media type (the spec's application/graphql-response+json): a client that
accepts it gets it, with the spec's status codes: a request that could not be executed at all (it did
not parse or validate, or its variables did not coerce: errors without a path, and no data) is a 400
without a `data` entry; anything that executed is a 200, field errors included. Clients that accept
only application/json get what they always did (200 with `data: null`)."""

from __future__ import annotations

import json

from starlette.responses import Response

GRAPHQL_RESPONSE = "application/graphql-response+json"


def wants_graphql_response(accept: str | None) -> bool:
    """Whether the Accept header lists the GraphQL response media type with a non-zero quality."""
    for part in (accept or "").split(","):
        kind, *params = (p.strip() for p in part.split(";"))
        if kind.lower() == GRAPHQL_RESPONSE:
            return not any(p.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000") for p in params)
    return False


def as_graphql_response(response: Response) -> Response:
    """The same answer in the GraphQL response media type, with the spec's status for it."""
    if not response.headers.get("content-type", "").startswith("application/json"):
        return response
    status, body = response.status_code, bytes(response.body)
    if status == 200 and b'"errors"' in body:
        answer = json.loads(body)
        errors = answer.get("errors") or []
        if answer.get("data") is None and errors and all("path" not in e for e in errors):
            answer.pop("data", None)
            status, body = 400, json.dumps(answer).encode()
    headers = {
        k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")
    }
    return Response(body, status_code=status, headers=headers, media_type=GRAPHQL_RESPONSE)
