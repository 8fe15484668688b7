from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry

from domain.money import to_decimal
from schema.enums import CountryCode, CurrencyCode


@strawberry.type(description='An amount in a currency; amount is a decimal string such as "19.99".')
class Money:
    amount: Decimal
    currency_code: CurrencyCode


def money(minor: int, currency: str) -> Money:
    return Money(amount=to_decimal(minor, currency), currency_code=CurrencyCode[currency])


@strawberry.type
class Address:
    name: str
    company: str | None
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str
    country_code: CountryCode
    phone: str | None


def address(data: dict[str, Any] | None) -> Address | None:
    if not data:
        return None
    return Address(
        name=data["name"],
        company=data.get("company"),
        line1=data["line1"],
        line2=data.get("line2"),
        city=data["city"],
        region=data.get("region"),
        postal_code=data["postalCode"],
        country_code=CountryCode[data["countryCode"]],
        phone=data.get("phone"),
    )
