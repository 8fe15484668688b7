"""The Query fields the read compiler plans, each a function of the planner and the field's node, and
the ones it leaves to strawberry (the whole operation then runs there), each for a reason."""

from __future__ import annotations

from resolvers.compiled.mappings import order_by_id, order_by_number
from resolvers.compiled.pages import orders_connection

ROOTS = {"orderByNumber": order_by_number, "order": order_by_id, "orders": orders_connection}

IN_PYTHON = frozenset(
    {
        # answered for public keys and customer tokens, whose view depends on who asks
        "orderByToken",
        "viewerCustomer",
        "viewer",
        # objects of other contexts, not compiled yet
        "node",
        "nodes",
        "customers",
        "returns",
        "product",
        "products",
        "locations",
        "inventoryMovements",
        "fulfillmentQueue",
        "carriers",
        "eventsFeed",
        # administration: rare, and each with its own scope checks
        "shop",
        "apiKeys",
        "auditLog",
        "notificationSettings",
        "notifications",
        "webhookEndpoints",
        "webhookDeliveries",
    }
)
