"""A tenant's email sender name and templates, set by its ADMIN keys."""

from __future__ import annotations

from dataclasses import dataclass

from domain import validation
from domain.errors import Code, Problems
from domain.notifications import repository, templates
from domain.notifications.models import NotificationSettings
from domain.uow import UnitOfWork


@dataclass
class TemplateInput:
    template: str
    subject: str | None  # None or "": back to the default
    body: str | None


@dataclass
class SettingsInput:
    sender_name: str | None = None  # "": back to the shop's name
    templates: list[TemplateInput] | None = None


async def update_settings(uow: UnitOfWork, data: SettingsInput) -> NotificationSettings:
    problems = Problems()
    sender = None
    if data.sender_name is not None:
        sender = validation.text(problems, data.sender_name, ("senderName",), 200, required=False)
    changes: dict[str, dict[str, str]] = {}
    for i, item in enumerate(data.templates or []):
        if item.template not in templates.DEFAULTS:
            problems.add(Code.UNKNOWN_TEMPLATE, f"No template called {item.template}", "templates", i)
            continue
        entry = {}
        for part, limit in (("subject", 500), ("body", 20_000)):
            text = validation.text(
                problems, getattr(item, part), ("templates", i, part), limit, required=False
            )
            unknown = templates.unknown_placeholders(text or "")
            if unknown:
                known = ", ".join("{" + p + "}" for p in templates.PLACEHOLDERS)
                problems.add(
                    Code.UNKNOWN_PLACEHOLDER,
                    f"Unknown placeholder(s) {', '.join(unknown)}; use {known}",
                    "templates",
                    i,
                    part,
                )
            if text:
                entry[part] = text
        changes[item.template] = entry
    problems.raise_if_any()
    async with uow as tx:
        found = await repository.lock_settings(tx)
        if found is None:
            found = NotificationSettings(tenant_id=tx.tenant_id, templates={})
            tx.session.add(found)
        if data.sender_name is not None:
            found.sender_name = sender
        if changes:
            merged = dict(found.templates or {})
            for name, entry in changes.items():
                if entry:
                    merged[name] = entry
                else:
                    merged.pop(name, None)
            found.templates = merged
        await uow.commit()
    return found
