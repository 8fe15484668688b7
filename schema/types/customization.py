"""Typed customization in the API: the options a product declares, and the input that declares them
(domain/catalog/customization.py has the rules)."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from domain.catalog.customization import Choice, Option, OptionKind
from domain.money import AmountError, to_minor
from schema.enums import CurrencyCode, OptionKindEnum
from schema.types.money import Money, money


@strawberry.type(description="What one order line was customized with: an option's name and its value")
class Customization:
    name: str
    value: str


@strawberry.type(description="One value a CHOICE option offers")
class CustomizationChoice:
    value: str
    price_delta: Money = strawberry.field(description="Added to the line's unit price when chosen")


@strawberry.type(description="A customization a product takes on its order lines, and what it costs")
class CustomizationOption:
    name: str = strawberry.field(description='What a line\'s customization names, e.g. "Engraving"')
    kind: OptionKindEnum  # type: ignore[valid-type]
    required: bool = strawberry.field(description="Every line of this product must give it")
    price_delta: Money = strawberry.field(
        description='Added to the unit price when given (BOOLEAN: when "true"); CHOICE prices each choice'
    )
    max_length: int | None = strawberry.field(description="TEXT: the longest value")
    allowed_characters: str | None = strawberry.field(
        description="TEXT: every character of a value must be one of these; null: any"
    )
    choices: list[CustomizationChoice] = strawberry.field(description="CHOICE: the values it takes")
    minimum: Decimal | None = strawberry.field(description="NUMBER: the smallest value, inclusive")
    maximum: Decimal | None = strawberry.field(description="NUMBER: the largest value, inclusive")

    @classmethod
    def of(cls, o: Option, currency: str) -> CustomizationOption:
        return cls(
            name=o.name,
            kind=o.kind,
            required=o.required,
            price_delta=_price(o.price_delta, currency),
            max_length=o.max_length,
            allowed_characters=o.allowed_characters,
            choices=[
                CustomizationChoice(value=c.value, price_delta=_price(c.price_delta, currency))
                for c in o.choices
            ],
            minimum=Decimal(o.minimum) if o.minimum is not None else None,
            maximum=Decimal(o.maximum) if o.maximum is not None else None,
        )


def _price(amount: str, currency: str) -> Money:
    try:
        return money(to_minor(amount, currency), currency)
    except AmountError:  # declared before the product's currency changed: shown as it was declared
        return Money(amount=Decimal(amount), currency_code=CurrencyCode[currency])


@strawberry.input
class CustomizationChoiceInput:
    value: str
    price_delta: Decimal = strawberry.field(default=Decimal(0), description="In the product's currency")


@strawberry.input(description="One option; the settings of other kinds must be left out")
class CustomizationOptionInput:
    name: str
    kind: OptionKindEnum  # type: ignore[valid-type]
    required: bool = False
    price_delta: Decimal = strawberry.field(default=Decimal(0), description="In the product's currency")
    max_length: int | None = None
    allowed_characters: str | None = None
    choices: list[CustomizationChoiceInput] | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None

    def to_domain(self) -> Option:
        return Option(
            name=self.name.strip(),
            kind=OptionKind(self.kind),
            required=self.required,
            price_delta=str(self.price_delta),
            max_length=self.max_length,
            allowed_characters=self.allowed_characters,
            choices=tuple(Choice(c.value, str(c.price_delta)) for c in self.choices or ()),
            minimum=str(self.minimum) if self.minimum is not None else None,
            maximum=str(self.maximum) if self.maximum is not None else None,
        )
