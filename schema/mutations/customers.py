"""customerSetTier."""

from __future__ import annotations

import strawberry

from domain.orders.status import CustomerTier
from resolvers import customers as resolve
from schema.enums import CustomerTierEnum
from schema.errors import UserError, user_errors
from schema.types.customers import Customer


@strawberry.input
class CustomerSetTierInput:
    id: strawberry.ID
    tier: CustomerTierEnum  # type: ignore[valid-type]


@strawberry.type
class CustomerPayload:
    customer: Customer | None
    user_errors: list[UserError]


@strawberry.type
class CustomerMutations:
    @strawberry.mutation(
        description="Sets the customer's tier; it weighs in the priority of orders placed from now on. "
        "Keys with customers:write (STAFF, ADMIN)."
    )
    async def customer_set_tier(self, info: strawberry.Info, input: CustomerSetTierInput) -> CustomerPayload:
        outcome = await resolve.set_tier(info.context, input.id, CustomerTier(input.tier))
        found = outcome.value
        customer = Customer.of(found) if found and info.context.sees_customer(found.id) else None
        return CustomerPayload(customer=customer, user_errors=user_errors(outcome.errors))
