"""Every event type, named by the event classes themselves. A context's events module listed here is all
it takes for its types to appear in the GraphQL EventType enum, the feed, subscriptions and webhooks.
It sits above every context because it reads all their events modules; the events context (base.py,
the outbox, the feed) stays below them all."""

from __future__ import annotations

import inspect
from types import ModuleType

from domain.catalog import events as catalog
from domain.customers import events as customers
from domain.events.base import Event
from domain.fulfillment import events as fulfillment
from domain.inventory import events as inventory
from domain.orders import events as orders
from domain.purchasing import events as purchasing
from domain.refunds import events as refunds
from domain.returns import events as returns
from domain.shipping import events as shipping
from domain.tenancy import events as tenancy

# Add a context's events module here and nothing else needs to change.
EVENT_MODULES: tuple[ModuleType, ...] = (
    orders,
    inventory,
    fulfillment,
    shipping,
    returns,
    refunds,
    catalog,
    customers,
    tenancy,
    purchasing,
)


def event_classes() -> list[type[Event]]:
    found: dict[str, type[Event]] = {}
    for module in EVENT_MODULES:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Event) and cls is not Event and "type" in cls.__dict__:
                found.setdefault(cls.type, cls)
    return [found[name] for name in sorted(found)]


EVENT_TYPES: tuple[str, ...] = tuple(cls.type for cls in event_classes())
