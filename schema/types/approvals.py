"""Approval rules and an order's approval in the API (domain/orders/approval_rules.py has the rules)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry

from domain.orders.approval_models import Decision
from domain.orders.approval_rules import RuleInput
from domain.risk.rules import RiskLevel
from domain.tenancy.models import Role
from resolvers.ids import local_id, to_global
from schema.enums import ApiKeyRole, CustomerTierEnum, RiskLevelEnum, SalesChannelEnum
from schema.types.money import Money, money

DecisionEnum = strawberry.enum(Decision, name="ApprovalDecision", description="How an approval was decided")


@strawberry.type(
    description="A shop's rule that holds matching orders in PENDING_APPROVAL at placement. Every "
    "condition given must hold; rules are tried in order and the first match holds the order."
)
class ApprovalRule:
    id: strawberry.ID
    name: str
    position: int = strawberry.field(description="Where it is tried, from 0")
    min_total: Money | None = strawberry.field(description="Orders whose total is at least this")
    channels: list[SalesChannelEnum] = strawberry.field(  # type: ignore[valid-type]
        description="Orders placed through one of these channels; empty: any"
    )
    new_customer: bool | None = strawberry.field(
        description="true: only a customer's first order; false: only returning customers; null: anyone"
    )
    customer_tiers: list[CustomerTierEnum] = strawberry.field(  # type: ignore[valid-type]
        description="Customers of one of these tiers; empty: any"
    )
    shipping_countries: list[str] = strawberry.field(description="Shipping to one of these countries")
    skus: list[str] = strawberry.field(description="Orders with a line of any of these SKUs")
    risk_level_at_least: RiskLevelEnum | None = strawberry.field(  # type: ignore[valid-type]
        description="Orders whose fraud risk, as assessed at placement, is this level or higher"
    )
    approver_roles: list[ApiKeyRole] = strawberry.field(  # type: ignore[valid-type]
        description="Keys of these roles (with the orders:approve scope) decide the orders it holds"
    )
    four_eyes: bool = strawberry.field(description="The key that placed an order may not decide it")
    auto_reject_after_hours: int | None = strawberry.field(
        description="Orders still waiting this long are rejected automatically; null: they wait"
    )

    @classmethod
    def of(cls, r: Any) -> ApprovalRule:
        return cls(
            id=strawberry.ID(to_global("ApprovalRule", r.id)),
            name=r.name,
            position=r.position,
            min_total=money(r.min_total, r.currency) if r.min_total is not None else None,
            channels=list(r.channels),
            new_customer=r.new_customer,
            customer_tiers=list(r.customer_tiers),
            shipping_countries=list(r.shipping_countries),
            skus=list(r.skus),
            risk_level_at_least=RiskLevel(r.risk_level_at_least) if r.risk_level_at_least else None,
            approver_roles=[Role(x) for x in r.approver_roles],
            four_eyes=r.four_eyes,
            auto_reject_after_hours=r.auto_reject_after_hours,
        )


@strawberry.type(description="Why an order waited for approval, and how it was decided")
class OrderApproval:
    rule_id: strawberry.ID | None = strawberry.field(description="The rule that held the order")
    rule_name: str = strawberry.field(description="The rule's name when it held the order")
    approver_roles: list[ApiKeyRole] = strawberry.field(  # type: ignore[valid-type]
        description="Who may decide, as the rule said when it held the order"
    )
    four_eyes: bool = strawberry.field(description="Whether the key that placed the order may not decide it")
    requested_by: str | None = strawberry.field(description="The actor that placed the order")
    requested_at: datetime
    due_at: datetime | None = strawberry.field(description="When it is rejected automatically if undecided")
    decision: DecisionEnum | None = strawberry.field(  # type: ignore[valid-type]
        description="null while the order waits"
    )
    decided_by: str | None = strawberry.field(description="The actor that decided it")
    decided_at: datetime | None
    note: str | None = strawberry.field(description="The approver's note, or the reason for the rejection")

    @classmethod
    def of(cls, r: Any) -> OrderApproval:
        return cls(
            rule_id=strawberry.ID(to_global("ApprovalRule", r.rule_id)) if r.rule_id else None,
            rule_name=r.rule_name,
            approver_roles=[Role(x) for x in r.approver_roles],
            four_eyes=r.four_eyes,
            requested_by=r.requested_by,
            requested_at=r.requested_at,
            due_at=r.due_at,
            decision=Decision(r.decision) if r.decision else None,
            decided_by=r.decided_by,
            decided_at=r.decided_at,
            note=r.note,
        )


@strawberry.input(description="One rule, in the list that replaces the shop's rules")
class ApprovalRuleInput:
    name: str
    id: strawberry.ID | None = strawberry.field(
        default=None, description="Keeps this existing rule (its held orders still name it); null: a new rule"
    )
    min_total: Decimal | None = strawberry.field(
        default=None, description="Orders whose total is at least this, in the shop's currency"
    )
    channels: list[SalesChannelEnum] | None = None  # type: ignore[valid-type]
    new_customer: bool | None = strawberry.field(
        default=None, description="true: only a customer's first order; false: only returning customers"
    )
    customer_tiers: list[CustomerTierEnum] | None = None  # type: ignore[valid-type]
    shipping_countries: list[str] | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 codes"
    )
    skus: list[str] | None = strawberry.field(default=None, description="Orders with a line of any of these")
    risk_level_at_least: RiskLevelEnum | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="Orders whose fraud risk, as Baton assesses it at placement, is this level or higher",
    )
    approver_roles: list[ApiKeyRole] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="ADMIN and/or STAFF; default both"
    )
    four_eyes: bool = strawberry.field(
        default=True, description="The key that placed an order may not decide it (default true)"
    )
    auto_reject_after_hours: int | None = strawberry.field(
        default=None, description="Reject orders still waiting after this many hours (1 to 2160)"
    )

    def to_domain(self) -> RuleInput:
        # An ID that is no ApprovalRule names no rule: NOT_FOUND, like an unknown one.
        rule_id = (local_id(self.id, "ApprovalRule") or uuid.UUID(int=0)) if self.id else None
        return RuleInput(
            name=self.name,
            id=rule_id,
            min_total=str(self.min_total) if self.min_total is not None else None,
            channels=[str(c) for c in self.channels or []],
            new_customer=self.new_customer,
            customer_tiers=[str(t) for t in self.customer_tiers or []],
            shipping_countries=list(self.shipping_countries or []),
            skus=list(self.skus or []),
            risk_level_at_least=str(self.risk_level_at_least) if self.risk_level_at_least else None,
            approver_roles=[str(r) for r in self.approver_roles]
            if self.approver_roles
            else [Role.ADMIN, Role.STAFF],
            four_eyes=self.four_eyes,
            auto_reject_after_hours=self.auto_reject_after_hours,
        )
