"""Read side: an order's risk assessments, oldest first, for the Order.risk field's loader."""

from __future__ import annotations

import uuid

from domain.reading import Reader, Row, by_keys, grouped
from domain.risk.models import RiskAssessment

assessments = RiskAssessment.__table__
BY_ORDER = by_keys(assessments, "order_id", "order_id", "created_at", "id")


async def by_order(
    reader: Reader, tenant_id: uuid.UUID, order_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row]]:
    return grouped(await reader.all(BY_ORDER, tenant=tenant_id, keys=order_ids), "order_id")
