"""customerDataExport and customerErase: a data subject's right of access and right to erasure."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON

from domain.ids import to_global
from resolvers import customers as resolve
from schema.errors import UserError, user_errors


@strawberry.input(description="One customer, by ID or by email (exactly one of the two)")
class CustomerDataExportInput:
    customer_id: strawberry.ID | None = None
    email: str | None = None


@strawberry.input(description="One customer, by ID or by email (exactly one of the two)")
class CustomerEraseInput:
    customer_id: strawberry.ID | None = None
    email: str | None = None


@strawberry.type
class CustomerDataExportPayload:
    data: JSON | None = strawberry.field(
        description="Everything Baton holds about the customer: the customer record, their orders (lines, "
        "addresses, amounts, statuses), returns, the emails sent to them and the events that name them"
    )
    user_errors: list[UserError]


@strawberry.type
class CustomerErasePayload:
    erased_customer_id: strawberry.ID | None
    user_errors: list[UserError]


@strawberry.type
class PrivacyMutations:
    @strawberry.mutation(
        description="Exports everything Baton holds about one customer as JSON (a data-subject access "
        "request). ADMIN keys (customers:export); recorded as a CUSTOMER_DATA_EXPORTED event."
    )
    async def customer_data_export(
        self, info: strawberry.Info, input: CustomerDataExportInput
    ) -> CustomerDataExportPayload:
        outcome = await resolve.export(info.context, input.customer_id, input.email)
        data: Any = outcome.value
        return CustomerDataExportPayload(data=data, user_errors=user_errors(outcome.errors))

    @strawberry.mutation(
        description="Pseudonymises one customer across orders, events, webhook payloads and emails, keeping "
        "amounts, SKUs, quantities, statuses and dates: refused (OPEN_ORDERS, OPEN_RETURNS) while they "
        "have an order not yet delivered or cancelled, or an open return. ADMIN keys (customers:erase); "
        "a CUSTOMER_ERASED event, without personal data."
    )
    async def customer_erase(self, info: strawberry.Info, input: CustomerEraseInput) -> CustomerErasePayload:
        outcome = await resolve.erase(info.context, input.customer_id, input.email)
        found = outcome.value
        erased = strawberry.ID(to_global("Customer", found.id)) if found else None
        return CustomerErasePayload(erased_customer_id=erased, user_errors=user_errors(outcome.errors))
