"""Contact details (emails and phone numbers) are shown only to keys with customers:read and to the
customer themselves. Partners see the shipping name and address they need to ship, without them."""

from __future__ import annotations

from typing import Any

CONTACT_FIELDS = frozenset({"email", "phone"})


def without_contact(value: Any) -> Any:
    """A JSON value (an event payload, an address) with every email and phone field removed."""
    if isinstance(value, dict):
        return {k: without_contact(v) for k, v in value.items() if k not in CONTACT_FIELDS}
    if isinstance(value, list):
        return [without_contact(v) for v in value]
    return value
