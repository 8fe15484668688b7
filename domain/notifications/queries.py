"""Read side of customer emails: a tenant's settings and what was sent about one order."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from domain.notifications.models import Notification, NotificationSettings
from domain.pagination import Page, PageRequest, paginate
from domain.reading import Reader, Row

settings_table = NotificationSettings.__table__
notifications = Notification.__table__


async def settings(reader: Reader, tenant_id: uuid.UUID) -> Row | None:
    return await reader.first(select(settings_table).where(settings_table.c.tenant_id == tenant_id))


async def for_order(reader: Reader, tenant_id: uuid.UUID, order_id: uuid.UUID, page: PageRequest) -> Page:
    c = notifications.c
    stmt = select(notifications).where(c.tenant_id == tenant_id, c.order_id == order_id)
    return await paginate(reader, stmt, c.created_at, c.id, page, "created_at")
