"""What the GraphQL layer counts for /metrics (server/metrics.py serves them): errors sent to clients by
code, and orders placed."""

from __future__ import annotations

from prometheus_client import Counter

GRAPHQL_ERRORS = Counter("baton_graphql_errors", "GraphQL errors sent to clients, by code", ["code"])
ORDERS_CREATED = Counter("baton_orders_created", "Orders placed by orderCreate (repeats not counted)")
