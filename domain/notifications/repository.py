"""Write-side loading of a shop's notification settings, locked for the use case that changes them."""

from __future__ import annotations

from sqlalchemy import select

from domain.notifications.models import NotificationSettings
from domain.uow import Transaction


async def lock_settings(tx: Transaction) -> NotificationSettings | None:
    """The shop's notification settings, locked; None when it has never set any."""
    return (
        await tx.session.execute(
            select(NotificationSettings)
            .where(NotificationSettings.tenant_id == tx.tenant_id)
            .with_for_update()
        )
    ).scalar_one_or_none()
