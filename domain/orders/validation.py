"""Checks of an order request that need no database: all problems are reported together."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import fields, is_dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from domain import validation
from domain.errors import Code, Problems
from domain.money import COUNTRIES
from domain.orders.inputs import AddressInput, OrderChanges, OrderInput

MAX_LINES = 250
MAX_QUANTITY = 100_000
MAX_TAGS = 20

POSTAL_CODES = {
    "US": r"\d{5}(-\d{4})?",
    "CA": r"[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d",
    "GB": r"[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}",
    "DE": r"\d{5}",
    "FR": r"\d{5}",
    "ES": r"\d{5}",
    "IT": r"\d{5}",
    "NL": r"\d{4} ?[A-Za-z]{2}",
    "AU": r"\d{4}",
    "JP": r"\d{3}-?\d{4}",
    "IN": r"\d{6}",
}
ANY_POSTAL_CODE = r"[A-Za-z0-9][A-Za-z0-9 -]{0,15}"


def check_address(problems: Problems, address: AddressInput, at: str) -> dict[str, Any]:
    """A cleaned address as stored on the order (camelCase keys, as the API shows them)."""
    country = (address.country_code or "").upper()
    if country not in COUNTRIES:
        problems.add(
            Code.INVALID,
            f"{address.country_code!r} is not an ISO 3166 country",
            at,
            "countryCode",
        )
    postal = validation.text(problems, address.postal_code, (at, "postalCode"), 16) or ""
    pattern = POSTAL_CODES.get(country, ANY_POSTAL_CODE)
    if postal and not re.fullmatch(pattern, postal):
        problems.add(
            Code.INVALID_POSTAL_CODE,
            f"{postal!r} is not a postal code in {country}",
            at,
            "postalCode",
        )
    return {
        "name": validation.text(problems, address.name, (at, "name"), 200),
        "company": validation.text(problems, address.company, (at, "company"), 200, required=False),
        "line1": validation.text(problems, address.line1, (at, "line1"), 200),
        "line2": validation.text(problems, address.line2, (at, "line2"), 200, required=False),
        "city": validation.text(problems, address.city, (at, "city"), 100),
        "region": validation.text(problems, address.region, (at, "region"), 100, required=False),
        "postalCode": postal.upper(),
        "countryCode": country,
        "phone": validation.phone(problems, address.phone, (at, "phone"), country),
    }


def check_order(problems: Problems, data: OrderInput) -> None:
    """Normalises the request in place and adds every problem found."""
    c = data.customer
    c.email = validation.email(problems, c.email, ("customer", "email")) or ""
    c.first_name = validation.text(problems, c.first_name, ("customer", "firstName"), 100, False)
    c.last_name = validation.text(problems, c.last_name, ("customer", "lastName"), 100, False)
    country = (data.shipping_address.country_code or "").strip().upper() if data.shipping_address else None
    c.phone = validation.phone(problems, c.phone, ("customer", "phone"), country)  # national: where it ships
    data.note = validation.text(problems, data.note, ("note",), 2000, required=False)
    data.idempotency_key = validation.text(
        problems, data.idempotency_key, ("idempotencyKey",), 128, required=False
    )
    data.external_id = validation.text(problems, data.external_id, ("externalId",), 128, False)
    data.tags = clean_tags(problems, data.tags)
    if data.ship_by is not None and validation.moment(problems, data.ship_by, "shipBy").tzinfo is not None:
        now = datetime.now(UTC)
        if not now - timedelta(days=1) <= data.ship_by <= now + timedelta(days=365):
            problems.add(Code.INVALID, "shipBy must be within the coming year", "shipBy")
    _check_lines(problems, data)


def clean_tags(problems: Problems, given: list[str]) -> list[str]:
    tags = sorted({t.strip() for t in given if t.strip()})
    if len(tags) > MAX_TAGS:
        problems.add(Code.INVALID, f"At most {MAX_TAGS} tags", "tags")
    for tag in tags:
        if len(tag) > 64:
            problems.add(Code.TOO_LONG, f"Tag {tag[:20]!r}… is longer than 64 characters", "tags")
    return tags


def check_changes(problems: Problems, data: OrderChanges) -> dict[str, Any]:
    """The order attributes an edit sets, cleaned; absent (None) inputs are left out."""
    changes: dict[str, Any] = {}
    if data.note is not None:
        changes["note"] = validation.text(problems, data.note, ("note",), 2000, required=False)
    if data.tags is not None:
        changes["tags"] = clean_tags(problems, data.tags)
    if data.shipping_address is not None:
        changes["shipping_address"] = check_address(problems, data.shipping_address, "shippingAddress")
    if data.billing_address is not None:
        changes["billing_address"] = check_address(problems, data.billing_address, "billingAddress")
    if not changes:
        problems.add(Code.REQUIRED, "Give at least one of note, tags, shippingAddress, billingAddress", "id")
    return changes


def _check_lines(problems: Problems, data: OrderInput) -> None:
    if not data.lines:
        problems.add(Code.EMPTY_ORDER, "An order needs at least one line", "lines")
    if len(data.lines) > MAX_LINES:
        problems.add(Code.TOO_MANY_LINES, f"An order has at most {MAX_LINES} lines", "lines")
    for i, line in enumerate(data.lines):
        line.sku = (line.sku or "").strip()
        if not line.sku:
            problems.add(Code.REQUIRED, "sku is required", "lines", i, "sku")
        if not 0 < line.quantity <= MAX_QUANTITY:
            problems.add(
                Code.INVALID_QUANTITY,
                f"quantity must be between 1 and {MAX_QUANTITY}",
                "lines",
                i,
                "quantity",
            )
        for j, (name, value) in enumerate(line.customizations):
            if not name.strip() or len(name) > 64 or len(value) > 500:
                problems.add(
                    Code.INVALID,
                    "A customization needs a name (64 characters at most) and a value (500)",
                    "lines",
                    i,
                    "customizations",
                    j,
                )


def request_hash(data: OrderInput) -> str:
    """A fingerprint of what was asked, so a reused idempotency key with another payload is caught. The
    same text as json.dumps of dataclasses.asdict gives (stored hashes compare with it), without the deep
    copies asdict makes (cProfile: ~8 % of placing an order)."""
    body = _as_data(data)
    body.pop("idempotency_key")
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _as_data(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _as_data(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [_as_data(v) for v in value]
    return value
