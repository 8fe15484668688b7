"""The holds in force on a fulfillment order, locked. Kept apart from repository.py, which imports the
inventory service: receipts, which that service runs, need this too."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from domain.fulfillment.models import FulfillmentHold
from domain.uow import UnitOfWork


async def active_holds(uow: UnitOfWork, fo_id: uuid.UUID) -> list[FulfillmentHold]:
    return list(
        (
            await uow.session.execute(
                select(FulfillmentHold)
                .where(
                    FulfillmentHold.tenant_id == uow.tenant_id,
                    FulfillmentHold.fulfillment_order_id == fo_id,
                    FulfillmentHold.released_at.is_(None),
                )
                .order_by(FulfillmentHold.created_at, FulfillmentHold.id)
                .with_for_update()
            )
        ).scalars()
    )
