"""What an API key may do. A role is a preset of scopes; a key may carry fewer (never more) than its
role gives, and a key can only issue keys whose scopes it holds itself.

Public clients (STOREFRONT keys, shipped inside apps and web pages) hold `orders:self`: on their own they
read the catalog and place orders, and they reach an order only with a token that proves who the customer
is (an order access token, or a customer access token minted by the merchant's backend)."""

from __future__ import annotations

from enum import StrEnum

from domain.tenancy.models import Role


class Scope(StrEnum):
    CATALOG_READ = "catalog:read"  # products, locations, stock, carriers
    CATALOG_WRITE = "catalog:write"  # products and locations
    INVENTORY_READ = "inventory:read"  # the stock ledger
    INVENTORY_WRITE = "inventory:write"  # set, adjust, resolve damaged stock
    ORDERS_CREATE = "orders:create"
    ORDERS_SELF = "orders:self"  # a customer's own orders, with a customer or order access token
    ORDERS_READ = "orders:read"  # every order, with shipping names and addresses
    ORDERS_WRITE = "orders:write"  # confirm, edit, pay, cancel, hold, move, prioritise, returns, refunds
    # approve or reject orders an approval rule holds (the rule also names the roles that may)
    ORDERS_APPROVE = "orders:approve"
    CUSTOMERS_READ = "customers:read"  # the customer list, emails and phones
    CUSTOMERS_WRITE = "customers:write"  # tiers, customer access tokens
    FULFILLMENT_WRITE = "fulfillment:write"  # pick, pack, ship, track, receive returned parcels
    EVENTS_READ = "events:read"  # the event feed and the events subscription
    NOTIFICATIONS_READ = "notifications:read"  # emails sent to customers
    WEBHOOKS_MANAGE = "webhooks:manage"
    SHOP_MANAGE = "shop:manage"  # shop settings, email templates, carrier and customer-token secrets
    KEYS_MANAGE = "keys:manage"
    AUDIT_READ = "audit:read"  # the audit log of every mutation and CLI action
    CUSTOMERS_EXPORT = "customers:export"  # everything held about one customer, as JSON
    CUSTOMERS_ERASE = "customers:erase"  # pseudonymise one customer everywhere
    ANALYTICS_READ = (
        "analytics:read"  # sales, fulfillment, returns, inventory reports; forecasts (ADMIN, STAFF)
    )
    PURCHASING_READ = "purchasing:read"  # suppliers, purchase orders, replenishment suggestions
    # A buyer's: suppliers and their prices, purchase orders and receipts, the reordering policy.
    # ADMIN keys, and STAFF keys issued with it.
    PURCHASING_WRITE = "purchasing:write"
    RISK_ASSESS = "risk:assess"  # record a fraud service's assessment of an order (ADMIN, STAFF, PARTNER)


ALL = frozenset(Scope)
_STAFF = ALL - {
    Scope.WEBHOOKS_MANAGE,
    Scope.SHOP_MANAGE,
    Scope.KEYS_MANAGE,
    Scope.AUDIT_READ,
    Scope.CUSTOMERS_EXPORT,
    Scope.CUSTOMERS_ERASE,
    Scope.PURCHASING_WRITE,
}

ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.ADMIN: ALL,
    Role.STAFF: _STAFF,
    Role.STOREFRONT: frozenset({Scope.CATALOG_READ, Scope.ORDERS_CREATE, Scope.ORDERS_SELF}),
    # A 3PL or carrier: ships orders, so it sees shipping names and addresses, but not the customer
    # list, emails or phones unless a key is given customers:read.
    Role.PARTNER: frozenset(
        {
            Scope.CATALOG_READ,
            Scope.INVENTORY_READ,
            Scope.ORDERS_READ,
            Scope.FULFILLMENT_WRITE,
            Scope.EVENTS_READ,
        }
    ),
}

# What a role may be given on top of its preset when a key names it explicitly.
GRANTABLE: dict[Role, frozenset[Scope]] = {
    Role.ADMIN: ALL,
    Role.STAFF: _STAFF | {Scope.PURCHASING_WRITE},  # a buyer: a STAFF key issued with purchasing:write
    Role.STOREFRONT: ROLE_SCOPES[Role.STOREFRONT],
    # A fraud service's key: a PARTNER key issued with risk:assess (and customers:read to see emails).
    Role.PARTNER: ROLE_SCOPES[Role.PARTNER] | {Scope.CUSTOMERS_READ, Scope.RISK_ASSESS},
}


def effective(role: Role, scopes: list[str] | None) -> frozenset[Scope]:
    """A key's scopes: its role's preset, or the ones stored on the key (checked when it was issued)."""
    if scopes is None:
        return ROLE_SCOPES[Role(role)]
    return frozenset(Scope(s) for s in scopes if s in _VALUES) & GRANTABLE[Role(role)]


_VALUES = frozenset(s.value for s in Scope)


def is_scope(value: str) -> bool:
    return value in _VALUES
