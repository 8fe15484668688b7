"""Scopes: roles are presets, keys narrow them, and no key issues more than it holds."""

from __future__ import annotations

from domain.errors import Code, Problems
from domain.tenancy.admin import check_scopes
from domain.tenancy.models import Role
from domain.tenancy.scopes import ALL, GRANTABLE, ROLE_SCOPES, Scope, effective


def _codes(role: Role, wanted: list[str] | None, held: frozenset[Scope]) -> list[str]:
    problems = Problems()
    check_scopes(problems, role, wanted, held)
    return [e.code for e in problems.errors]


def test_a_public_storefront_key_reads_no_order_customer_or_event_on_its_own():
    storefront = ROLE_SCOPES[Role.STOREFRONT]

    assert storefront == {Scope.CATALOG_READ, Scope.ORDERS_CREATE, Scope.ORDERS_SELF}
    assert GRANTABLE[Role.STOREFRONT] == storefront  # not even an ADMIN can widen a public key


def test_a_partner_reads_orders_but_not_customers_unless_granted():
    assert Scope.ORDERS_READ in ROLE_SCOPES[Role.PARTNER]
    assert Scope.CUSTOMERS_READ not in ROLE_SCOPES[Role.PARTNER]
    assert Scope.CUSTOMERS_READ in GRANTABLE[Role.PARTNER]
    assert effective(Role.PARTNER, ["orders:read", "customers:read"]) == {
        Scope.ORDERS_READ,
        Scope.CUSTOMERS_READ,
    }


def test_staff_manage_everything_but_the_shop_its_keys_and_webhooks_and_no_audit_or_data_requests():
    assert ALL - ROLE_SCOPES[Role.STAFF] == {
        Scope.SHOP_MANAGE,
        Scope.KEYS_MANAGE,
        Scope.WEBHOOKS_MANAGE,
        Scope.AUDIT_READ,
        Scope.CUSTOMERS_EXPORT,
        Scope.CUSTOMERS_ERASE,
        Scope.PURCHASING_WRITE,
    }


def test_staff_read_purchasing_and_a_buyer_is_a_staff_key_issued_with_purchasing_write():
    assert Scope.PURCHASING_READ in ROLE_SCOPES[Role.STAFF]
    assert Scope.PURCHASING_WRITE in GRANTABLE[Role.STAFF]
    assert effective(Role.STAFF, ["purchasing:read", "purchasing:write", "catalog:read"]) == {
        Scope.PURCHASING_READ,
        Scope.PURCHASING_WRITE,
        Scope.CATALOG_READ,
    }
    assert Scope.PURCHASING_WRITE not in GRANTABLE[Role.PARTNER]


def test_a_keys_stored_scopes_never_exceed_what_its_role_may_have():
    assert effective(Role.STOREFRONT, ["orders:read", "catalog:read", "nonsense"]) == {Scope.CATALOG_READ}
    assert effective(Role.STAFF, None) == ROLE_SCOPES[Role.STAFF]


def test_an_admin_issues_any_preset_and_any_grantable_scope():
    assert _codes(Role.STAFF, None, ALL) == []
    assert _codes(Role.PARTNER, ["orders:read", "customers:read"], ALL) == []


def test_a_narrowed_key_cannot_issue_a_scope_it_does_not_hold():
    held = frozenset({Scope.KEYS_MANAGE, Scope.ORDERS_READ})

    assert _codes(Role.STAFF, None, held) == [Code.SCOPE_NOT_HELD]
    assert _codes(Role.STAFF, ["orders:read", "orders:write"], held) == [Code.SCOPE_NOT_HELD]
    assert _codes(Role.STAFF, ["orders:read"], held) == []


def test_unknown_scopes_scopes_a_role_cannot_have_and_an_empty_list_are_refused_each():
    assert _codes(Role.STOREFRONT, ["orders:read", "bogus", "catalog:read"], ALL) == [
        Code.INVALID,
        Code.UNKNOWN_SCOPE,
    ]
    assert _codes(Role.STAFF, [], ALL) == [Code.REQUIRED]
