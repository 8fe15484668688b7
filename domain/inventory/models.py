from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    case,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, column_property, mapped_column
from sqlalchemy.sql.elements import ColumnElement, SQLColumnExpression

from domain.catalog.models import BackorderPolicy, Product
from domain.db import Base, new_id, utcnow
from domain.events.base import EventSource
from domain.inventory.events import InventoryLevelChanged


class AdjustReason(StrEnum):
    RECEIVED = "RECEIVED"
    RETURNED = "RETURNED"
    FOUND = "FOUND"
    CORRECTION = "CORRECTION"
    CYCLE_COUNT = "CYCLE_COUNT"
    DAMAGED = "DAMAGED"
    LOST = "LOST"
    THEFT = "THEFT"


INCREASES = {AdjustReason.RECEIVED, AdjustReason.RETURNED, AdjustReason.FOUND}
DECREASES = {AdjustReason.DAMAGED, AdjustReason.LOST, AdjustReason.THEFT}


class MovementKind(StrEnum):
    RECEIVED = "RECEIVED"
    RETURNED = "RETURNED"
    FOUND = "FOUND"
    CORRECTION = "CORRECTION"
    CYCLE_COUNT = "CYCLE_COUNT"
    DAMAGED = "DAMAGED"
    LOST = "LOST"
    THEFT = "THEFT"
    SET = "SET"
    RETURNED_DAMAGED = "RETURNED_DAMAGED"  # a returned unit kept apart as non-sellable
    DISPOSED = "DISPOSED"  # a damaged unit written off
    RESTOCKED = "RESTOCKED"  # a damaged unit back on sale
    RESERVED = "RESERVED"
    RELEASED = "RELEASED"
    SHIPPED = "SHIPPED"


class InventoryMovement(Base):
    """The append-only ledger: every change of onHand or committed, with the balance after it."""

    __tablename__ = "inventory_movements"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    level_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inventory_levels.id"))
    product_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    location_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[MovementKind] = mapped_column(String(16))
    on_hand_delta: Mapped[int] = mapped_column(Integer)
    committed_delta: Mapped[int] = mapped_column(Integer)
    on_hand_after: Mapped[int] = mapped_column(Integer)
    committed_after: Mapped[int] = mapped_column(Integer)
    damaged_delta: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    damaged_after: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    order_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    note: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )

    __table_args__ = (
        Index("ix_inventory_movements_product", "tenant_id", "product_id", "id"),
        Index("ix_inventory_movements_level", "level_id", "id"),
    )


def sellable_units(on_hand: int, committed: int, safety_stock: int) -> int:
    """What a level can still promise to new orders: negative after a shrinkage, below the safety stock,
    or with backorders. Allocation ranks levels by it; `available` (below) is what the API and the
    events show of it."""
    return on_hand - committed - safety_stock


def available(sellable: int, allow_backorder: bool) -> int:
    """The one rule for `available`, wherever the API shows it: the units that can still be sold
    (onHand - committed - safetyStock, InventoryLevel.sellable), never negative unless the product takes
    backorders. available_sql is the same rule for a query; a test pins the two together."""
    return sellable if allow_backorder else max(0, sellable)


def available_sql(
    sellable: SQLColumnExpression[int], allow_backorder: SQLColumnExpression[bool]
) -> ColumnElement[int]:
    return case((allow_backorder, sellable), else_=func.greatest(sellable, 0))


class InventoryLevel(EventSource, Base):
    """Stock of one product at one location. Its sellable units are onHand - committed - safetyStock;
    what the API calls available is those, never negative unless backorders are allowed (available)."""

    __tablename__ = "inventory_levels"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"))
    location_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("locations.id"))
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    committed: Mapped[int] = mapped_column(Integer, default=0)
    incoming: Mapped[int] = mapped_column(Integer, default=0)
    # Units held here that cannot be sold (returned damaged or defective); not part of onHand.
    damaged: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    safety_stock: Mapped[int] = mapped_column(Integer, default=0)
    reorder_point: Mapped[int] = mapped_column(Integer, default=0)
    bin_code: Mapped[str | None] = mapped_column(String(32))  # where pickers find it at the location
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True),
        default=utcnow,
        onupdate=utcnow,
        server_default=func.now(),
    )
    # Read with the level (a subquery; not a column): whether its product takes backorders, so that the
    # `available` its events record follows the one rule (available) as the API's does. Kept through a
    # flush (a level's own changes cannot change it), where a lazy reload would need IO in async code.
    allow_backorder: Mapped[bool] = column_property(
        select(Product.backorder_policy == BackorderPolicy.ALLOW)
        .where(Product.id == product_id)
        .scalar_subquery(),
        expire_on_flush=False,
    )

    __table_args__ = (
        UniqueConstraint("tenant_id", "product_id", "location_id"),
        Index("ix_inventory_levels_location", "tenant_id", "location_id"),
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("committed >= 0", name="committed_not_negative"),
        CheckConstraint("incoming >= 0", name="incoming_not_negative"),
        CheckConstraint("damaged >= 0", name="damaged_not_negative"),
        CheckConstraint("safety_stock >= 0", name="safety_stock_not_negative"),
        CheckConstraint("reorder_point >= 0", name="reorder_point_not_negative"),
    )

    @hybrid_property
    def sellable(self) -> int:
        """What can still be promised to new orders here (may be negative after a shrinkage); the same
        expression in SQL (InventoryLevel.sellable in a select)."""
        return sellable_units(self.on_hand, self.committed, self.safety_stock)

    def move(
        self,
        kind: MovementKind,
        on_hand_delta: int = 0,
        committed_delta: int = 0,
        damaged_delta: int = 0,
        order_id: uuid.UUID | None = None,
        note: str | None = None,
        actor: str | None = None,
    ) -> InventoryMovement:
        """Applies a change and returns its ledger row; the caller has checked the rules."""
        self.on_hand += on_hand_delta
        self.committed += committed_delta
        self.damaged += damaged_delta
        self.record(
            InventoryLevelChanged(
                self.id,
                product_id=self.product_id,
                location_id=self.location_id,
                kind=kind.value,
                on_hand=self.on_hand,
                committed=self.committed,
                available=available(self.sellable, bool(self.allow_backorder)),
                on_hand_delta=on_hand_delta,
                committed_delta=committed_delta,
                damaged=self.damaged,
                damaged_delta=damaged_delta,
            )
        )
        return InventoryMovement(
            tenant_id=self.tenant_id,
            level_id=self.id,
            product_id=self.product_id,
            location_id=self.location_id,
            kind=kind,
            on_hand_delta=on_hand_delta,
            committed_delta=committed_delta,
            on_hand_after=self.on_hand,
            committed_after=self.committed,
            damaged_delta=damaged_delta,
            damaged_after=self.damaged,
            order_id=order_id,
            note=note,
            actor=actor,
        )
