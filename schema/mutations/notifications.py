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

    def to_domain(self) -> TemplateInput:
        return TemplateInput(self.template.value, self.subject, self.body)


@strawberry.input
class NotificationSettingsUpdateInput:
    sender_name: str | None = strawberry.field(
        default=None, description='Shown as the sender; "": the shop\'s name; null: unchanged'
    )
    templates: list[NotificationTemplateInput] | None = strawberry.field(
        default=None, description="Only the templates given change"
    )

    def to_domain(self) -> SettingsInput:
        return SettingsInput(
            sender_name=self.sender_name,
            templates=None if self.templates is None else [t.to_domain() for t in self.templates],
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
        outcome = await resolve.update(info.context, input.to_domain())
        return NotificationSettingsUpdatePayload(
            notification_settings=NotificationSettings.of(outcome.value) if outcome.value else None,
            user_errors=user_errors(outcome.errors),
        )
