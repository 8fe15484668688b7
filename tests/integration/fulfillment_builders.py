"""Reading fulfillment state back in tests."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.fulfillment.models import FulfillmentHold, FulfillmentOrder
from domain.shipping.models import Shipment, TrackingEvent
from tests.integration.builders import rows


async def fulfillment_orders(engine: AsyncEngine, order_id: uuid.UUID) -> list[Any]:
    t = FulfillmentOrder.__table__
    return await rows(engine, select(t).where(t.c.order_id == order_id).order_by(t.c.created_at, t.c.id))


async def holds(engine: AsyncEngine, fo_id: uuid.UUID) -> list[Any]:
    t = FulfillmentHold.__table__
    return await rows(engine, select(t).where(t.c.fulfillment_order_id == fo_id).order_by(t.c.created_at))


async def shipments(engine: AsyncEngine, order_id: uuid.UUID) -> list[Any]:
    t = Shipment.__table__
    return await rows(engine, select(t).where(t.c.order_id == order_id).order_by(t.c.created_at))


async def tracking_events(engine: AsyncEngine, shipment_id: uuid.UUID) -> list[Any]:
    t = TrackingEvent.__table__
    return await rows(engine, select(t).where(t.c.shipment_id == shipment_id).order_by(t.c.occurred_at))
