"""An in-process nudge: the unit of work calls `written()` after committing events, so a relay in the same
process publishes them at once instead of at its next poll. Relays in other processes rely on polling."""

from __future__ import annotations

from collections.abc import Callable

_callbacks: set[Callable[[], None]] = set()


def on_written(callback: Callable[[], None]) -> Callable[[], None]:
    """Registers `callback`; returns the function that unregisters it."""
    _callbacks.add(callback)
    return lambda: _callbacks.discard(callback)


def written() -> None:
    for callback in list(_callbacks):
        callback()
