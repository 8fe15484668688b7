"""notificationSettingsUpdate: the sender name and templates of customer emails. ADMIN keys."""

from __future__ import annotations

import strawberry

from domain.notifications.service import SettingsInput, TemplateInput
from resolvers import notifications as resolve
from schema.errors import UserError, user_errors
from schema.types.notifications import NotificationSettings, NotificationTemplateEnum


@strawberry.input
class NotificationTemplateInput:
    template: NotificationTemplateEnum
    subject: str | None = strawberry.field(default=None, description='null or "": the default')
    body: str | None = strawberry.field(default=None, description='null or "": the default')


@strawberry.input
class NotificationSettingsUpdateInput:
    sender_name: str | None = strawberry.field(
        default=None, description='Shown as the sender; "": the shop\'s name; null: unchanged'
    )
    templates: list[NotificationTemplateInput] | None = strawberry.field(
        default=None, description="Only the templates given change"
    )


@strawberry.type
class NotificationSettingsUpdatePayload:
    notification_settings: NotificationSettings | None
    user_errors: list[UserError]


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(
        description="Sets the sender name and the subject/body of customer emails (placeholders such as "
        "{orderNumber} and {customerName} are filled in). ADMIN keys."
    )
    async def notification_settings_update(
        self, info: strawberry.Info, input: NotificationSettingsUpdateInput
    ) -> NotificationSettingsUpdatePayload:
        data = SettingsInput(
            sender_name=input.sender_name,
            templates=None
            if input.templates is None
            else [TemplateInput(t.template.value, t.subject, t.body) for t in input.templates],
        )
        outcome = await resolve.update(info.context, data)
        return NotificationSettingsUpdatePayload(
            notification_settings=NotificationSettings.of(outcome.value) if outcome.value else None,
            user_errors=user_errors(outcome.errors),
        )
