"""Reading the log: one tenant's published events after a position, in order."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String as SqlString
from sqlalchemy import any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY

from domain.errors import Code, DomainError
from domain.events.models import EventLogHead, OutboxEvent
from domain.pagination import DEFAULT_PAGE, MAX_PAGE
from domain.reading import Query, Reader, Row

_t = OutboxEvent.__table__
_COLUMNS = (
    _t.c.id,
    _t.c.tenant_id,
    _t.c.type,
    _t.c.aggregate_type,
    _t.c.aggregate_id,
    _t.c.aggregate_seq,
    _t.c.position,
    _t.c.payload,
    _t.c.actor,
    _t.c.occurred_at,
)
_AFTER = select(*_COLUMNS).where(
    _t.c.tenant_id == bindparam("tenant"),
    _t.c.position > bindparam("after"),
)
AFTER = Query(_AFTER.order_by(_t.c.position).limit(bindparam("limit")))
AFTER_OF_TYPES = Query(
    _AFTER.where(_t.c.type == any_(bindparam("types", type_=ARRAY(SqlString()))))
    .order_by(_t.c.position)
    .limit(bindparam("limit"))
)
OLDEST = Query(select(func.min(_t.c.position).label("position")).where(_t.c.tenant_id == bindparam("tenant")))
# One event by its id, once the relay has given it a position (before that it is not in the log yet).
BY_ID = Query(
    select(*_COLUMNS).where(
        _t.c.tenant_id == bindparam("tenant"), _t.c.id == bindparam("id"), _t.c.position.is_not(None)
    )
)
HEAD = Query(
    select(EventLogHead.__table__.c.position).where(EventLogHead.__table__.c.tenant_id == bindparam("tenant"))
)


@dataclass(frozen=True)
class EventPage:
    rows: list[Row]
    has_next: bool
    after: int  # the position the page starts after (0: the beginning)

    @property
    def end_cursor(self) -> str | None:
        """Where to ask next: the last event's position, or where this page started when it is empty,
        so that a client polling an idle feed keeps its place instead of starting over."""
        if self.rows:
            return str(self.rows[-1].position)
        return str(self.after) if self.after else None


def parse_cursor(cursor: str | None, field: str = "after") -> int:
    """A cursor is a position in the tenant's log, as a decimal string; none means the beginning."""
    if cursor is None or cursor == "":
        return 0
    if not cursor.isdigit() or len(cursor) > 18:
        raise DomainError(Code.INVALID, f"{field} is not a cursor of the event log", [field])
    return int(cursor)


async def after(
    reader: Reader, tenant: object, position: int, limit: int, types: list[str] | None = None
) -> list[Row]:
    if types:
        return await reader.all(AFTER_OF_TYPES, tenant=tenant, after=position, limit=limit, types=types)
    return await reader.all(AFTER, tenant=tenant, after=position, limit=limit)


async def page(
    reader: Reader, tenant: object, cursor: str | None, first: int | None, types: list[str] | None
) -> EventPage:
    size = DEFAULT_PAGE if first is None else first
    if not 0 <= size <= MAX_PAGE:
        raise DomainError(Code.INVALID, f"first must be between 0 and {MAX_PAGE}", ["first"])
    position = parse_cursor(cursor)
    await check_kept(reader, tenant, position)
    rows = await after(reader, tenant, position, size + 1, types)
    return EventPage(rows[:size], len(rows) > size, position)


async def check_kept(reader: Reader, tenant: object, position: int) -> None:
    """Refuses a cursor from before the retained log: the events right after it were pruned, and
    starting from the oldest kept one would skip them without a word. Refuses one beyond the log's
    head too: no position there was ever given out, and the events that later take the positions up
    to it would be skipped. 0 means the beginning."""
    if position == 0:
        return
    latest = await head(reader, tenant)
    if position > latest:
        raise DomainError(
            Code.INVALID,
            f"after ({position}) is ahead of the log: its latest position is {latest}",
            ["after"],
        )
    oldest = await reader.first(OLDEST, tenant=tenant)
    if oldest is not None and oldest.position is not None and position < oldest.position - 1:
        raise DomainError(
            Code.CURSOR_EXPIRED,
            f"Events after {position} were pruned; the log now starts at {oldest.position}",
            ["after"],
        )


async def by_id(reader: Reader, tenant: object, event_id: object) -> Row | None:
    return await reader.first(BY_ID, tenant=tenant, id=event_id)


async def head(reader: Reader, tenant: object) -> int:
    """The tenant's latest position (0 before its first event)."""
    row = await reader.first(HEAD, tenant=tenant)
    return row.position if row else 0
