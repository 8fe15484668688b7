from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from domain.customers.events import CustomerTierChanged
from domain.customers.models import Customer
from domain.db import utcnow
from domain.errors import Code, DomainError
from domain.uow import UnitOfWork


async def upsert_customer(
    uow: UnitOfWork,
    email: str,
    first_name: str | None,
    last_name: str | None,
    phone: str | None,
) -> tuple[uuid.UUID, str]:
    """The customer (id, tier) with this email, created on first order; newer names and phone win."""
    insert_row = insert(Customer).values(
        id=uuid.uuid4(),
        tenant_id=uow.tenant_id,
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
    )
    new = insert_row.excluded
    stmt = insert_row.on_conflict_do_update(
        index_elements=[Customer.tenant_id, Customer.email],
        set_={
            "first_name": func.coalesce(new.first_name, Customer.first_name),
            "last_name": func.coalesce(new.last_name, Customer.last_name),
            "phone": func.coalesce(new.phone, Customer.phone),
            "updated_at": utcnow(),
        },
    ).returning(Customer.id, Customer.tier)
    row = (await uow.session.execute(stmt)).one()
    return row.id, row.tier


async def set_tier(uow: UnitOfWork, customer_id: uuid.UUID, tier: str) -> Customer:
    """Sets the customer's tier; it weighs in the priority of orders placed from now on."""
    async with uow:
        customer = (
            await uow.session.execute(
                select(Customer).where(Customer.tenant_id == uow.tenant_id, Customer.id == customer_id)
            )
        ).scalar_one_or_none()
        if customer is None:
            raise DomainError(Code.NOT_FOUND, "Customer not found", ["id"])
        if customer.tier != tier:
            uow.record(
                CustomerTierChanged(customer.id, email=customer.email, old_tier=customer.tier, new_tier=tier)
            )
            customer.tier = tier
        await uow.commit()
    return customer
