"""Write-side loading of customers for the use cases that change them or act for them."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from domain.customers.models import Customer
from domain.errors import Code, DomainError
from domain.uow import Transaction


async def get_customer(tx: Transaction, customer_id: uuid.UUID) -> Customer:
    """The shop's customer, to change (not locked: the last change wins); NOT_FOUND on `id`."""
    customer = (
        await tx.session.execute(
            select(Customer).where(Customer.tenant_id == tx.tenant_id, Customer.id == customer_id)
        )
    ).scalar_one_or_none()
    if customer is None:
        raise DomainError(Code.NOT_FOUND, "Customer not found", ["id"])
    return customer


async def customer_email(tx: Transaction, customer_id: uuid.UUID) -> str:
    """The email of the shop's customer; NOT_FOUND on `customerId`."""
    email = (
        await tx.session.execute(
            select(Customer.email).where(Customer.tenant_id == tx.tenant_id, Customer.id == customer_id)
        )
    ).scalar_one_or_none()
    if email is None:
        raise DomainError(Code.NOT_FOUND, "Customer not found", ["customerId"])
    return email


async def lock_customer(tx: Transaction, customer_id: uuid.UUID | None, email: str | None) -> Customer:
    """The shop's customer by ID or by email (give one), locked; NOT_FOUND on the one given."""
    if (customer_id is None) == (email is None):
        raise DomainError(Code.INVALID, "Give either customerId or email", ["customerId"])
    where = Customer.id == customer_id if customer_id else Customer.email == (email or "").strip().lower()
    found = (
        await tx.session.execute(
            select(Customer).where(Customer.tenant_id == tx.tenant_id, where).with_for_update()
        )
    ).scalar_one_or_none()
    if found is None:
        raise DomainError(Code.NOT_FOUND, "No such customer", ["customerId" if customer_id else "email"])
    return found
