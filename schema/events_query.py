"""eventsFeed: the tenant's event log as a pull feed."""

from __future__ import annotations

import strawberry

from domain.pagination import MAX_PAGE, Page
from domain.tenancy.scopes import Scope
from resolvers import events
from schema.connection import Connection, connection
from schema.enums import EventTypeEnum
from schema.types.events import Event


@strawberry.type
class EventsQuery:
    @strawberry.field(
        description="The shop's event log, oldest first, after a cursor (an event's position; none: "
        f"from the oldest kept). At most {MAX_PAGE} per page. Keep pageInfo.endCursor and ask again: "
        "an event is never skipped or repeated. Partners mirror every change this way."
    )
    async def events_feed(
        self,
        info: strawberry.Info,
        after: str | None = None,
        first: int | None = None,
        types: list[EventTypeEnum] | None = None,
    ) -> Connection[Event]:
        names = [t.value for t in types] if types else None
        found = await events.page(info.context, after, first, names)
        page = Page(
            rows=found.rows,
            cursors=[str(r.position) for r in found.rows],
            has_next=found.has_next,
            has_previous=after not in (None, "", "0"),
        )
        redact = not info.context.require().has(Scope.CUSTOMERS_READ)
        found_page = connection(page, lambda r: Event.of(r, redact))
        found_page.page_info.end_cursor = found.end_cursor  # an empty page keeps the client's place
        return found_page
