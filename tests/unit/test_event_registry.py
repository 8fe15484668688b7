"""Event types come from the event classes, through one registry: every context's events module must be
listed there, and everything listed there is in the GraphQL EventType enum."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import domain
from domain.event_types import EVENT_MODULES, EVENT_TYPES, event_classes
from domain.events.base import Event
from schema.schema import schema


def _event_modules_in_the_domain() -> set[str]:
    found = set()
    for package in pkgutil.iter_modules(domain.__path__):
        if not package.ispkg:
            continue
        try:
            module = importlib.import_module(f"domain.{package.name}.events")
        except ModuleNotFoundError:
            continue
        if any(
            issubclass(c, Event) and c is not Event for _, c in inspect.getmembers(module, inspect.isclass)
        ):
            found.add(module.__name__)
    return found


def test_every_domain_events_module_is_listed_in_the_registry():
    assert _event_modules_in_the_domain() <= {m.__name__ for m in EVENT_MODULES}


def test_the_graphql_event_type_enum_lists_exactly_the_registered_types():
    enum = schema.get_type_by_name("EventType")
    assert enum is not None
    assert sorted(v.name for v in enum.values) == sorted(EVENT_TYPES)
    assert "ORDER_STATUS_CHANGED" in EVENT_TYPES and "INVENTORY_LEVEL_CHANGED" in EVENT_TYPES
    assert len(EVENT_TYPES) == len(event_classes())
