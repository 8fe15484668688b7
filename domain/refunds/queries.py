"""Read side of refunds: batch queries for dataloaders."""

from __future__ import annotations

import uuid

from domain.reading import Reader, Row, by_keys, grouped, one_each
from domain.refunds.models import Refund, RefundLine

refunds = Refund.__table__
refund_lines = RefundLine.__table__

REFUNDS_BY_ID = by_keys(refunds, "id")
REFUNDS_BY_ORDER = by_keys(refunds, "order_id", "order_id", "created_at", "id")
REFUNDS_BY_RETURN = by_keys(refunds, "return_id", "return_id", "created_at", "id")
LINES_BY_REFUND = by_keys(refund_lines, "refund_id", "refund_id", "position")


async def by_ids(reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> dict[uuid.UUID, Row]:
    return one_each(await reader.all(REFUNDS_BY_ID, tenant=tenant_id, keys=ids), "id")


async def by_order(reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Row]]:
    return grouped(await reader.all(REFUNDS_BY_ORDER, tenant=tenant_id, keys=ids), "order_id")


async def by_return(reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Row]]:
    return grouped(await reader.all(REFUNDS_BY_RETURN, tenant=tenant_id, keys=ids), "return_id")


async def lines_by_refund(
    reader: Reader, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row]]:
    return grouped(await reader.all(LINES_BY_REFUND, tenant=tenant_id, keys=ids), "refund_id")
