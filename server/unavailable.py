"""DATABASE_UNAVAILABLE over HTTP: a 503 with Retry-After, so that clients, proxies and retry
middleware treat it as the passing condition it is. Raised before execution (looking up the key, the
read compiler's one statement) it is the whole answer; raised inside execution it is a field error
(schema/extensions.py), and the answer becomes a 503 only when nothing else came back (`data` is
null): GraphQL over HTTP requires a 2xx for an answer that carries data."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from domain.availability import RETRY_AFTER
from resolvers.errors import DatabaseUnavailable

CODE = DatabaseUnavailable.code


def response() -> JSONResponse:
    error = DatabaseUnavailable(RETRY_AFTER)
    body = {"errors": [{"message": error.message, "extensions": error.extensions}]}
    return JSONResponse(body, status_code=503, headers={"Retry-After": str(RETRY_AFTER)})


def mark(result: dict[str, Any], response: Any) -> None:
    """Sets the status and Retry-After of an executed answer holding DATABASE_UNAVAILABLE."""
    errors = result.get("errors") or []
    if not any((e.get("extensions") or {}).get("code") == CODE for e in errors):
        return
    if hasattr(response, "headers"):
        response.headers["Retry-After"] = str(RETRY_AFTER)
    if result.get("data") is None and hasattr(response, "status_code"):
        response.status_code = 503


def ready_body(ok: bool) -> JSONResponse:
    if ok:
        return JSONResponse({"status": "ok"})
    body = {"status": "unavailable", "code": CODE}
    return JSONResponse(body, status_code=503, headers={"Retry-After": str(RETRY_AFTER)})
