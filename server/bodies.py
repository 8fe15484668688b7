"""Request bodies are refused before they cost anything: one over the size limit with 413 (from its
Content-Length, or as soon as a streamed body passes the limit), and JSON that is not UTF-8 or is nested
too deep with 400, each with a JSON error body like every other GraphQL error."""

from __future__ import annotations

import json

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse


def error(status: int, message: str, code: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


def too_large(limit: int) -> JSONResponse:
    return error(413, f"The request body is larger than {limit} bytes", "PAYLOAD_TOO_LARGE")


async def within(request: Request, limit: int) -> bool:
    """Whether the body fits in `limit` bytes. Reads it (at most limit + one chunk) and keeps it on the
    request, where the GraphQL view reads it again without touching the socket."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return False
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return False
        chunks.append(chunk)
    request._body = b"".join(chunks)  # Starlette's own cache of the body
    return True


def decode(data: str | bytes) -> object:
    """json.loads, with the failures it does not report as JSONDecodeError turned into a 400."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HTTPException(400, "The request body is not UTF-8") from exc
    try:
        return json.loads(data)
    except RecursionError as exc:  # the decoder gives up on absurd nesting; a client's mistake
        raise HTTPException(400, "The JSON is nested too deeply") from exc
