"""Reading the log inside a unit of work: where the shop's log stands, and the events of a range of it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, select

from domain.events.models import EventLogHead, OutboxEvent
from domain.uow import Transaction


async def log_head(tx: Transaction) -> int | None:
    """The last position given out in the shop's log; None before its first event is published."""
    return await tx.session.scalar(
        select(EventLogHead.position).where(EventLogHead.tenant_id == tx.tenant_id)
    )


async def events_between(
    tx: Transaction, from_position: int, to_position: int, types: list[str]
) -> Sequence[Row[Any, Any, Any]]:
    """ID, position and type of the shop's published events in (from, to], of these types (all when
    `types` is empty), in log order."""
    e = OutboxEvent.__table__
    chosen = select(e.c.id, e.c.position, e.c.type).where(
        e.c.tenant_id == tx.tenant_id,
        e.c.position > from_position,
        e.c.position <= to_position,
    )
    if types:
        chosen = chosen.where(e.c.type.in_(types))
    return (await tx.session.execute(chosen.order_by(e.c.position))).all()
