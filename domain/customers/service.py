from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert

from domain.customers.models import Customer
from domain.db import utcnow
from domain.uow import UnitOfWork


async def upsert_customer(
    uow: UnitOfWork,
    email: str,
    first_name: str | None,
    last_name: str | None,
    phone: str | None,
) -> uuid.UUID:
    """The customer with this email, created on first order; newer names and phone win."""
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
    ).returning(Customer.id)
    return (await uow.session.execute(stmt)).scalar_one()
