"""POST /carriers/{carrier}/tracking: tracking events pushed by carriers, signed per shop.

Headers: X-Baton-Shop (the shop's ID, as `viewer { shop { id } }` shows it), X-Baton-Timestamp
(Unix seconds) and X-Baton-Signature ("sha256=" + hex HMAC-SHA256 of "<timestamp>.<body>" with the
secret from carrierSecretCreate). Body: {"eventId", "trackingNumber", "status", "occurredAt",
"location", "description"}. A repeated eventId is answered 200 and stored once."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse

from domain.errors import Code, DomainError, Rejected
from domain.ids import parse_global, to_global
from domain.shipping.carriers import carrier_for
from domain.shipping.status import TrackingSource
from domain.shipping.tracking import TrackingInput, add_tracking_event, carrier_secret, signature_ok
from domain.uow import UnitOfWork

log = logging.getLogger("baton.carriers")
MAX_BODY = 64 * 1024


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _text(body: dict[str, Any], name: str, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        raise ValueError(f"{name} must be a non-empty string without NUL characters")
    return value.strip()


def _parse(raw: bytes) -> tuple[str, TrackingInput]:
    body = json.loads(raw)
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    when = _text(body, "occurredAt")
    data = TrackingInput(
        status=_text(body, "status", required=True) or "",
        occurred_at=datetime.fromisoformat(when) if when else None,
        location=_text(body, "location"),
        description=_text(body, "description"),
        carrier_event_id=_text(body, "eventId", required=True),
    )
    return _text(body, "trackingNumber", required=True) or "", data


async def _body(request: Request) -> bytes | None:
    """The body, or None once it passes MAX_BODY (read no further than that)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            return None
    return bytes(raw)


def carrier_webhook(engine: AsyncEngine) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def receive(request: Request) -> JSONResponse:
        adapter = carrier_for(request.path_params["carrier"])
        if adapter is None:
            return _error(404, Code.UNKNOWN_CARRIER, "No such carrier")
        raw = await _body(request)
        if raw is None:
            return _error(413, "TOO_LARGE", f"At most {MAX_BODY} bytes")
        shop = parse_global(request.headers.get("x-baton-shop", ""))
        timestamp = request.headers.get("x-baton-timestamp", "")
        signature = request.headers.get("x-baton-signature", "")
        secret = None
        if shop is not None and shop[0] == "Shop":
            secret = await carrier_secret(UnitOfWork(engine, shop[1]), adapter.code)
        if shop is None or secret is None or not signature_ok(secret, timestamp, raw, signature):
            return _error(401, "INVALID_SIGNATURE", "Missing or wrong shop, timestamp or signature")
        try:
            number, data = _parse(raw)
        except (ValueError, TypeError, RecursionError) as exc:
            return _error(400, Code.INVALID, str(exc)[:200] or "Not a tracking event")
        uow = UnitOfWork(engine, shop[1], actor=f"carrier:{adapter.code}")
        try:
            tracked = await add_tracking_event(
                uow, data, carrier=adapter.code, tracking_number=number, source=TrackingSource.CARRIER
            )
        except Rejected as exc:
            return _error(400, exc.errors[0].code, "; ".join(e.message for e in exc.errors))
        except DomainError as exc:
            status = 404 if exc.code == Code.UNKNOWN_TRACKING_NUMBER else 400
            return _error(status, exc.code, exc.message)
        shipment = tracked.shipment
        return JSONResponse(
            {
                "stored": tracked.stored,
                "shipmentId": to_global("Shipment", shipment.id),
                "status": shipment.status,
            }
        )

    return receive
