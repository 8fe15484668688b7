"""The Query fields the read compiler plans, each a function of the planner and the field's node."""

from __future__ import annotations

from resolvers.compiled.mappings import order_by_id, order_by_number
from resolvers.compiled.pages import orders_connection

ROOTS = {"orderByNumber": order_by_number, "order": order_by_id, "orders": orders_connection}
