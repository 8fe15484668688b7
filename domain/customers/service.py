from __future__ import annotations

import uuid

from domain.customers.events import CustomerTierChanged
from domain.customers.models import Customer
from domain.customers.repository import get_customer
from domain.uow import UnitOfWork


def upsert(new_id: int, email: int, first_name: int, last_name: int, phone: int, at: int) -> str:
    """A WITH's `customer` (id, tier): the customer with this email, created on first order; newer names
    and phone win. For parameters at these positions; a step of order placement's read."""
    i, e, f, la, p, t = (f"${n}" for n in (new_id, email, first_name, last_name, phone, at))
    return f"""customer AS (
  INSERT INTO customers AS c (id, tenant_id, email, first_name, last_name, phone, tier, created_at,
    updated_at)
  VALUES ({i}::uuid, $1::uuid, {e}::text, {f}::text, {la}::text, {p}::text, 'STANDARD', {t}::timestamptz,
    {t}::timestamptz)
  ON CONFLICT (tenant_id, email) DO UPDATE SET
    first_name = coalesce(EXCLUDED.first_name, c.first_name),
    last_name = coalesce(EXCLUDED.last_name, c.last_name),
    phone = coalesce(EXCLUDED.phone, c.phone),
    updated_at = EXCLUDED.updated_at
  RETURNING c.id, c.tier
)"""


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
