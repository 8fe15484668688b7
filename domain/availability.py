"""Whether an error means the database cannot be had right now — refused (full, starting, shutting
down, not listening) or every pooled connection busy for longer than a request may wait — rather than
a fault in a statement. That is the one kind of failure a client should simply retry, so the edge
answers it as DATABASE_UNAVAILABLE with a retry hint instead of masking it as unexpected."""

from __future__ import annotations

from sqlalchemy.exc import TimeoutError as PoolTimeout

RETRY_AFTER = 1  # seconds: a pool frees up, or a replica's connections close, within about that

# too_many_connections (the server's max_connections or a role's CONNECTION LIMIT), admin_shutdown,
# crash_shutdown, cannot_connect_now (starting up); and all of class 08, connection exceptions,
# which is also what PgBouncer answers when it is full or cannot reach the server.
_SQLSTATES = ("53300", "57P01", "57P02", "57P03")


class PoolExhausted(Exception):
    """No connection came free within the time a request may wait for one (domain/reading.py)."""


def unavailable(error: BaseException | None) -> bool:
    """Whether `error`, or what it wraps (SQLAlchemy's DBAPIError.orig, __cause__), says so."""
    seen = 0
    while error is not None and seen < 6:
        if isinstance(error, PoolExhausted | PoolTimeout | OSError):
            return True  # OSError: refused, unreachable, or timed out while connecting
        state = getattr(error, "sqlstate", None)
        if isinstance(state, str) and (state.startswith("08") or state in _SQLSTATES):
            return True
        error = getattr(error, "orig", None) or error.__cause__
        seen += 1
    return False
