"""The Query fields the read compiler plans, each a function of the planner and the field's node, and
the ones it leaves to strawberry (the whole operation then runs there), each for a reason."""

from __future__ import annotations

from resolvers.compiled.mappings import order_by_id, order_by_number, order_by_token
from resolvers.compiled.pages import orders_connection

ROOTS = {
    "orderByNumber": order_by_number,
    "order": order_by_id,
    "orders": orders_connection,
    "orderByToken": order_by_token,
}
# What a key that does not read every order and customer may have compiled: the order its token opens
# reads the same for every key (the token proves it), but for the customer record.
PROVEN_ROOTS = {"orderByToken": order_by_token}

IN_PYTHON = frozenset(
    {
        # answered for customer tokens, whose view depends on who asks
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
        # an order edit session: priced in Python by the edit rules (domain/orders/editing.py)
        "orderEdit",
        # administration: rare, and each with its own scope checks
        "shop",
        "approvalRules",
        "apiKeys",
        "auditLog",
        "notificationSettings",
        "notifications",
        "webhookEndpoints",
        "webhookDeliveries",
        # reports: already one aggregate statement each (domain/analytics), with no object graph to compile
        "salesReport",
        "fulfillmentReport",
        "returnsReport",
        "inventoryReport",
        "forecastAccuracyReport",
        # purchasing: a buyer's reads, each with its scope check; suggestions are computed in Python
        "suppliers",
        "supplier",
        "purchaseOrders",
        "purchaseOrder",
        "reorderPolicy",
        "replenishmentSuggestions",
        # a cached forecast: one stored row (domain/forecasting/queries.py)
        "demandForecast",
    }
)
