"""Indexes the reports need on other contexts' tables, declared here beside the queries that use them
(and imported by domain/metadata.py, so Alembic's check sees them): the reports select a tenant's
shipments, refunds and stock movements by creation time, which no index of those contexts served (theirs
lead with the order, level or product). Orders already have (tenant_id, created_at, id); lines, return
lines and refund lines are reached through their order line or parent, which are indexed."""

from __future__ import annotations

from sqlalchemy import Index

from domain.inventory.models import InventoryMovement
from domain.refunds.models import Refund
from domain.shipping.models import Shipment

shipments_by_time = Index(
    "ix_shipments_tenant_created", Shipment.__table__.c.tenant_id, Shipment.__table__.c.created_at
)
refunds_by_time = Index(
    "ix_refunds_tenant_created", Refund.__table__.c.tenant_id, Refund.__table__.c.created_at
)
movements_by_time = Index(
    "ix_inventory_movements_tenant_created",
    InventoryMovement.__table__.c.tenant_id,
    InventoryMovement.__table__.c.created_at,
)
