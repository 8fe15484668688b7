"""Business rules and persistence. Never imports strawberry, starlette, schema or resolvers."""
