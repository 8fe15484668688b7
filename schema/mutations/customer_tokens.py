"""customerAccessTokenCreate and customerTokenSecretRotate: how a merchant's backend lets its signed-in
customer use a public (STOREFRONT) key for their own orders."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.customers.tokens import DEFAULT_TTL, MAX_TTL
from resolvers import customers as resolve
from schema.errors import UserError, user_errors


@strawberry.input
class CustomerAccessTokenCreateInput:
    email: str | None = strawberry.field(default=None, description="The customer's email (or customerId)")
    customer_id: strawberry.ID | None = None
    expires_in: int = strawberry.field(
        default=DEFAULT_TTL, description=f"Seconds the token is valid, 60 to {MAX_TTL}"
    )


@strawberry.type
class CustomerAccessTokenCreatePayload:
    token: str | None = strawberry.field(
        description="Send it with a STOREFRONT key as the X-Baton-Customer-Token header (HTTP) or "
        "customerToken in connection_init (WebSocket)"
    )
    expires_at: datetime | None
    user_errors: list[UserError]


@strawberry.input
class CustomerTokenSecretRotateInput:
    keep_previous: bool = strawberry.field(
        default=True,
        description="Keep accepting tokens signed with the old secret for 24 hours; false ends them at once",
    )


@strawberry.type
class CustomerTokenSecretRotatePayload:
    secret: str | None = strawberry.field(
        description="The new secret for signing customer access tokens: shown once"
    )
    user_errors: list[UserError]


@strawberry.type
class CustomerTokenMutations:
    @strawberry.mutation(
        description="A short-lived customer access token for the customer with this email or ID, for the "
        "merchant's backend to hand its signed-in customer. With it a STOREFRONT key reads that "
        "customer's orders and returns (viewerCustomer), follows them, cancels them and asks for returns. "
        "Keys with customers:write (STAFF, ADMIN); never from a public key."
    )
    async def customer_access_token_create(
        self, info: strawberry.Info, input: CustomerAccessTokenCreateInput
    ) -> CustomerAccessTokenCreatePayload:
        outcome = await resolve.issue_token(info.context, input.email, input.customer_id, input.expires_in)
        issued = outcome.value
        return CustomerAccessTokenCreatePayload(
            token=issued.token if issued else None,
            expires_at=issued.expires_at if issued else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(
        description="A new secret for signing customer access tokens, shown once. A backend that signs "
        "its own tokens (README: customer access tokens) needs it; customerAccessTokenCreate does not. "
        "Keys with shop:manage (ADMIN)."
    )
    async def customer_token_secret_rotate(
        self, info: strawberry.Info, input: CustomerTokenSecretRotateInput
    ) -> CustomerTokenSecretRotatePayload:
        outcome = await resolve.rotate_secret(info.context, input.keep_previous)
        return CustomerTokenSecretRotatePayload(secret=outcome.value, user_errors=user_errors(outcome.errors))
