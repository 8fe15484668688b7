"""A tenant managing itself through the API: its shop settings and its API keys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal, DecimalException

from domain import validation
from domain.db import utcnow
from domain.errors import Code, DomainError, Problems
from domain.money import AmountError, to_minor
from domain.tenancy.events import ApiKeyIssued, ApiKeyRevoked, ShopUpdated
from domain.tenancy.models import ApiKey, Role, Tenant
from domain.tenancy.repository import lock_api_key, lock_tenant
from domain.tenancy.scopes import GRANTABLE, ROLE_SCOPES, Scope, is_scope
from domain.tenancy.service import IssuedKey, add_key
from domain.tenancy.shop import MAX_RETURN_WINDOW_DAYS, ShippingMethod
from domain.uow import UnitOfWork


@dataclass
class ShopInput:
    name: str | None = None
    tax_rate_percent: str | None = None  # "8.25"
    shipping_rates: dict[ShippingMethod, str] | None = None  # method -> "5.00"
    return_window_days: int | None = None
    restocking_fee_percent: str | None = None  # "10"


def _bps(problems: Problems, percent: str, field: str) -> int | None:
    try:
        bps = Decimal(percent) * 100
    except DecimalException:  # not a number, or one too large to scale
        bps = Decimal("NaN")
    if not bps.is_finite() or bps != bps.to_integral_value() or not 0 <= bps <= 10_000:
        problems.add(Code.INVALID, f"{field} is a percentage from 0 to 100 with at most 2 decimals", field)
        return None
    return int(bps)


async def update_shop(uow: UnitOfWork, data: ShopInput) -> Tenant:
    async with uow as tx:
        tenant = await lock_tenant(tx)
        problems = Problems()
        name = validation.text(problems, data.name, ("name",), 200) if data.name is not None else None
        bps = _bps(problems, data.tax_rate_percent, "taxRate") if data.tax_rate_percent is not None else None
        fee = (
            _bps(problems, data.restocking_fee_percent, "restockingFee")
            if data.restocking_fee_percent is not None
            else None
        )
        window = data.return_window_days
        if window is not None and not 0 <= window <= MAX_RETURN_WINDOW_DAYS:
            problems.add(
                Code.INVALID,
                f"returnWindowDays is between 0 and {MAX_RETURN_WINDOW_DAYS}",
                "returnWindowDays",
            )
        rates = dict(tenant.shipping_rates)
        for i, (method, amount) in enumerate((data.shipping_rates or {}).items()):
            try:
                if to_minor(amount, tenant.currency) < 0:
                    raise AmountError("a shipping rate cannot be negative")
                rates[method.value] = str(Decimal(amount))
            except AmountError as exc:
                problems.add(Code.INVALID_AMOUNT, str(exc), "shippingRates", i, "amount")
        problems.raise_if_any()
        updates = {
            "name": name,
            "tax_rate_bps": bps,
            "shipping_rates": rates,
            "return_window_days": window,
            "restocking_fee_bps": fee,
        }
        changed = [f for f, v in updates.items() if v is not None and getattr(tenant, f) != v]
        for field in changed:
            setattr(tenant, field, updates[field])
        if changed:
            tx.record(ShopUpdated(tenant.id, fields=changed))
        await uow.commit()
    return tenant


def check_scopes(
    problems: Problems, role: Role, wanted: list[str] | None, held: frozenset[Scope]
) -> frozenset[Scope]:
    """The scopes a new key gets: its role's preset, or the named ones. Each must exist, suit the role
    and be held by the key issuing it: a key never issues more than it has."""
    if wanted is None:
        scopes = ROLE_SCOPES[role]
        missing = sorted(scopes - held)
        if missing:
            problems.add(
                Code.SCOPE_NOT_HELD,
                f"A {role} key has {', '.join(missing)}, which this key does not hold: name the scopes",
                "scopes",
            )
        return scopes
    for i, name in enumerate(wanted):
        if not is_scope(name):
            problems.add(Code.UNKNOWN_SCOPE, f"{name!r} is not a scope", "scopes", i)
        elif Scope(name) not in GRANTABLE[role]:
            problems.add(Code.INVALID, f"A {role} key cannot have {name}", "scopes", i)
        elif Scope(name) not in held:
            problems.add(Code.SCOPE_NOT_HELD, f"This key does not hold {name}", "scopes", i)
    if not wanted:
        problems.add(Code.REQUIRED, "Name at least one scope, or leave scopes out", "scopes")
    return frozenset(Scope(n) for n in wanted if is_scope(n))


async def issue_key(
    uow: UnitOfWork,
    role: Role,
    name: str,
    held: frozenset[Scope],
    scopes: list[str] | None = None,
    registered_documents_only: bool = False,
) -> IssuedKey:
    problems = Problems()
    cleaned = validation.text(problems, name, ("name",), 200)
    check_scopes(problems, role, scopes, held)
    problems.raise_if_any()
    async with uow as tx:
        issued = add_key(tx.session, tx.tenant_id, role, cleaned or "", scopes, registered_documents_only)
        await tx.session.flush()
        tx.record(ApiKeyIssued(issued.key.id, name=issued.key.name, role=role.value))
        await uow.commit()
    return issued


async def revoke_key(uow: UnitOfWork, key_id: uuid.UUID, caller_key_id: uuid.UUID | None) -> ApiKey:
    """Revokes a key of the unit of work's tenant (once: again is a no-op). `caller_key_id` is the key
    asking, which may not revoke itself; None for the operator's command line."""
    if key_id == caller_key_id:
        raise DomainError(Code.INVALID, "A key cannot revoke itself; use another ADMIN key", ["id"])
    async with uow as tx:
        key = await lock_api_key(tx, key_id)
        if key.revoked_at is None:
            key.revoked_at = utcnow()
            tx.record(ApiKeyRevoked(key.id, name=key.name, role=key.role))
        await uow.commit()
    return key
