"""A repeated order request: the same idempotency key or external id as an earlier one. Steps of placement
(domain/workflows/placing.py), in its open lean unit of work."""

from __future__ import annotations

from domain.errors import Code, DomainError
from domain.orders.inputs import OrderInput
from domain.orders.models import Order
from domain.orders.rows import order_from_row
from domain.uow import Transaction

# The unique keys a concurrent repeat of the request runs into.
UNIQUE_REQUEST = (
    "uq_orders_tenant_id_idempotency_key",
    "uq_orders_tenant_id_channel_external_id",
)

_QUEUE = "SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))"
_BY_KEY = "SELECT * FROM orders WHERE tenant_id = $1 AND idempotency_key = $2"
_BY_EXTERNAL = "SELECT * FROM orders WHERE tenant_id = $1 AND channel = $2 AND external_id = $3"


async def queue_repeats(tx: Transaction, data: OrderInput) -> None:
    """Requests with the same idempotency key or external id wait here for each other (until commit),
    so a retry racing its original finds the original's order instead of competing for its stock."""
    names = [f"key:{data.idempotency_key}"] if data.idempotency_key else []
    names += [f"ext:{data.channel}:{data.external_id}"] if data.external_id else []
    for name in names:  # always key before external id, so two requests cannot wait on each other
        await (await tx.driver()).execute(_QUEUE, f"{tx.tenant_id}:{name}")


async def find_repeat(tx: Transaction, data: OrderInput, fingerprint: str) -> Order | None:
    """The order an earlier request with this idempotency key or external id placed, if any; refused when
    the key was used for a different request (`fingerprint`: orders/validation.py request_hash)."""
    driver = await tx.driver()
    if data.idempotency_key:
        found = await driver.fetchrow(_BY_KEY, tx.tenant_id, data.idempotency_key)
        if found is not None:
            if found["request_hash"] != fingerprint:
                raise DomainError(
                    Code.IDEMPOTENCY_KEY_REUSED,
                    "This idempotency key was used for a different order request",
                    ["idempotencyKey"],
                )
            return order_from_row(found)
    if data.external_id:
        found = await driver.fetchrow(_BY_EXTERNAL, tx.tenant_id, data.channel, data.external_id)
        return None if found is None else order_from_row(found)
    return None
