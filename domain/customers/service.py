from __future__ import annotations

import uuid

from domain.customers.events import CustomerTierChanged
from domain.customers.models import Customer
from domain.customers.repository import get_customer
from domain.db import utcnow
from domain.uow import Transaction, UnitOfWork

UPSERT = """
INSERT INTO customers AS c (id, tenant_id, email, first_name, last_name, phone, tier, created_at, updated_at)
VALUES ($1::uuid, $2::uuid, $3::text, $4::text, $5::text, $6::text, 'STANDARD', $7::timestamptz, $7)
ON CONFLICT (tenant_id, email) DO UPDATE SET
  first_name = coalesce(EXCLUDED.first_name, c.first_name),
  last_name = coalesce(EXCLUDED.last_name, c.last_name),
  phone = coalesce(EXCLUDED.phone, c.phone),
  updated_at = EXCLUDED.updated_at
RETURNING c.id, c.tier
"""


async def upsert_customer(
    tx: Transaction,
    email: str,
    first_name: str | None,
    last_name: str | None,
    phone: str | None,
) -> tuple[uuid.UUID, str]:
    """The customer (id, tier) with this email, created on first order; newer names and phone win.
    A step of order placement, written once and run on the unit of work's own connection."""
    driver = await tx.driver()
    row = await driver.fetchrow(
        UPSERT, uuid.uuid4(), tx.tenant_id, email, first_name, last_name, phone, utcnow()
    )
    return row["id"], row["tier"]


async def set_tier(uow: UnitOfWork, customer_id: uuid.UUID, tier: str) -> Customer:
    """Sets the customer's tier; it weighs in the priority of orders placed from now on."""
    async with uow as tx:
        customer = await get_customer(tx, customer_id)
        if customer.tier != tier:
            tx.record(
                CustomerTierChanged(customer.id, email=customer.email, old_tier=customer.tier, new_tier=tier)
            )
            customer.tier = tier
        await uow.commit()
    return customer
