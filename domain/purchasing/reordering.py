"""The shop's reordering policy, and automatic reordering: a pass the worker runs per shop that drafts
(or submits) purchase orders for what has fallen to its reorder point. Drafted units count as on order,
so the next pass finds nothing more to buy until stock moves again."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from domain.errors import Code, Problems
from domain.purchasing import ordering, repository, submitting
from domain.purchasing.demand import DemandSource, from_order_history
from domain.purchasing.events import ReorderPolicyUpdated
from domain.purchasing.models import PurchaseOrder, PurchasingSettings, Supplier
from domain.purchasing.rules import MAX_SERVICE_LEVEL, MIN_SERVICE_LEVEL
from domain.purchasing.status import AutoMode
from domain.purchasing.suggesting import Policy, suggestions
from domain.reading import Reader, Row
from domain.uow import UnitOfWork

AUTO_NOTE = "Drafted by automatic reordering"
MAX_REVIEW_DAYS = 365
MAX_HISTORY_DAYS = 730


@dataclass
class PolicyInput:
    service_level: str | None = None  # a decimal string, e.g. "0.95"
    review_period_days: int | None = None
    history_days: int | None = None
    auto_mode: AutoMode | None = None


def policy_of(row: PurchasingSettings | Row) -> Policy:
    return Policy(float(row.service_level), row.review_period_days, row.history_days)


def _check(data: PolicyInput) -> Decimal | None:
    problems = Problems()
    level = None
    if data.service_level is not None:
        try:
            level = Decimal(data.service_level.strip())
        except InvalidOperation:
            level = None
        if level is None or not level.is_finite() or not MIN_SERVICE_LEVEL <= level <= MAX_SERVICE_LEVEL:
            problems.add(
                Code.INVALID,
                f"serviceLevel must be a number from {MIN_SERVICE_LEVEL} to {MAX_SERVICE_LEVEL}",
                "serviceLevel",
            )
        elif level != level.quantize(Decimal("0.001")):
            problems.add(Code.INVALID, "serviceLevel has at most 3 decimal places", "serviceLevel")
    if data.review_period_days is not None and not 0 <= data.review_period_days <= MAX_REVIEW_DAYS:
        problems.add(
            Code.INVALID, f"reviewPeriodDays must be between 0 and {MAX_REVIEW_DAYS}", "reviewPeriodDays"
        )
    if data.history_days is not None and not 7 <= data.history_days <= MAX_HISTORY_DAYS:
        problems.add(Code.INVALID, f"historyDays must be between 7 and {MAX_HISTORY_DAYS}", "historyDays")
    problems.raise_if_any()
    return level


async def update_policy(uow: UnitOfWork, data: PolicyInput) -> PurchasingSettings:
    level = _check(data)
    async with uow as tx:
        row = await repository.settings(tx, lock=True)
        changes = {
            "service_level": level,
            "review_period_days": data.review_period_days,
            "history_days": data.history_days,
            "auto_mode": data.auto_mode,
        }
        changed = False
        for name, value in changes.items():
            if value is not None and getattr(row, name) != value:
                setattr(row, name, value)
                changed = True
        if changed:
            tx.record(
                ReorderPolicyUpdated(
                    tx.tenant_id,
                    service_level=str(row.service_level),
                    review_period_days=row.review_period_days,
                    history_days=row.history_days,
                    auto_mode=AutoMode(row.auto_mode).value,
                )
            )
        await uow.commit()
    return row


async def reorder_pass(
    uow: UnitOfWork, today: date, demand: DemandSource = from_order_history
) -> list[PurchaseOrder]:
    """One shop's automatic reordering: a purchase order per supplier (and currency) for every SKU and
    location at or below its reorder point, submitted too when the policy says SUBMIT. The shop's
    purchasing row is locked for the pass, so two workers' passes for one shop run one after the other
    and the second sees the first's orders."""
    async with uow as tx:
        row = await repository.settings(tx, lock=True)
        mode = AutoMode(row.auto_mode)
        if mode == AutoMode.OFF:
            return []
        reader = Reader(await tx.driver())
        due = [
            s
            for s in await suggestions(reader, tx.tenant_id, policy_of(row), today, demand=demand)
            if s.quantity
        ]
        by_supplier: dict[tuple[uuid.UUID, str], list[ordering.Planned]] = defaultdict(list)
        for s in sorted(due, key=lambda s: (s.stock.sku, str(s.stock.location_id))):
            by_supplier[s.source.supplier_id, s.source.currency].append(
                ordering.Planned(
                    s.stock.product_id,
                    s.stock.sku,
                    s.stock.location_id,
                    s.quantity,
                    s.source.unit_cost,
                    s.source.currency,
                )
            )
        made = []
        for (supplier_id, _), planned in sorted(by_supplier.items(), key=lambda kv: str(kv[0])):
            supplier = (
                await tx.session.execute(select(Supplier).where(Supplier.id == supplier_id))
            ).scalar_one()
            po = await ordering.write(tx, supplier, planned, AUTO_NOTE, automatic=True)
            if mode == AutoMode.SUBMIT:
                await submitting.submit(tx, po.id)
            made.append(po)
        await uow.commit()
    return made


async def shops_reordering(reader: Reader) -> list[uuid.UUID]:
    """The shops whose policy reorders automatically (read in system scope, across tenants)."""
    s = PurchasingSettings.__table__.c
    rows = await reader.all(
        select(s.tenant_id).where(s.auto_mode != AutoMode.OFF.value).order_by(s.tenant_id)
    )
    return [r.tenant_id for r in rows]
