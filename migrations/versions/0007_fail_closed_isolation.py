"""Tenant isolation that fails closed: a transaction sees and writes only the rows of the tenant it names
(app.tenant_id), or every row when it says explicitly that it does cross-tenant work (app.scope =
'system': the background workers, migrations, the CLI). A transaction that names neither sees nothing and
can write nothing, where until now it saw everything. `tenants` and `api_keys` get the same policy.

Authentication looks a key up by its prefix before any tenant is known: baton_api_key() does that one
lookup in system scope and puts the caller's scope back before it returns.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every table with a tenant_id column that 0002, 0004, 0005 and 0006 gave a policy
# (tests/integration/test_row_level_security.py checks the catalog for any left out).
TENANT_TABLES = (
    # 0002
    "locations",
    "products",
    "customers",
    "inventory_levels",
    "inventory_movements",
    "orders",
    "order_lines",
    "order_allocations",
    "payments",
    "outbox_events",
    "timeline_entries",
    # 0004
    "carrier_accounts",
    "fulfillment_orders",
    "fulfillment_holds",
    "shipments",
    "shipment_lines",
    "tracking_events",
    # 0005
    "event_log_heads",
    "event_streams",
    "consumer_cursors",
    "webhook_endpoints",
    "webhook_deliveries",
    "webhook_attempts",
    "notification_settings",
    "notifications",
    # 0006
    "returns",
    "return_lines",
    "refunds",
    "refund_lines",
)
NEW_TABLES = (("api_keys", "tenant_id"), ("tenants", "id"))

TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"
SYSTEM = "current_setting('app.scope', true) = 'system'"


def rule(column: str) -> str:
    return f"({column} = {TENANT} OR {SYSTEM})"


# What 0002-0006 had: no tenant named meant every row.
OPEN_RULE = (
    "(COALESCE(current_setting('app.tenant_id', true), '') = '' OR "
    "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)"
)

# A function's own `SET app.scope = 'system'` clause would be the natural way to confine the scope to the
# call, but PostgreSQL lets only a superuser (or a role granted SET on the parameter) attach a custom
# parameter to a function, and migrations run as Baton's ordinary role. So the function sets the scope
# itself and puts the caller's back before returning; if the query fails, the error aborts the caller's
# (sub)transaction, which undoes the setting as well. SECURITY DEFINER with a pinned search_path, and no
# EXECUTE for PUBLIC: only the owner (Baton's role) may call it.
LOOKUP = """
CREATE FUNCTION baton_api_key(p_prefix text) RETURNS SETOF api_keys
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  caller_scope text := current_setting('app.scope', true);
BEGIN
  PERFORM set_config('app.scope', 'system', true);
  RETURN QUERY SELECT * FROM api_keys WHERE prefix = p_prefix AND revoked_at IS NULL;
  PERFORM set_config('app.scope', COALESCE(caller_scope, ''), true);
END
$$
"""


def upgrade() -> None:
    for table in TENANT_TABLES:
        op.execute(
            f"ALTER POLICY tenant_isolation ON {table} USING {rule('tenant_id')} WITH CHECK {rule('tenant_id')}"
        )
    for table, column in NEW_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY tenant_isolation ON {table} USING {rule(column)} WITH CHECK {rule(column)}")
    op.execute(LOOKUP)
    op.execute("REVOKE ALL ON FUNCTION baton_api_key(text) FROM PUBLIC")


def downgrade() -> None:
    op.execute("DROP FUNCTION baton_api_key(text)")
    for table, _ in NEW_TABLES:
        op.execute(f"DROP POLICY tenant_isolation ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    for table in TENANT_TABLES:
        op.execute(f"ALTER POLICY tenant_isolation ON {table} USING {OPEN_RULE} WITH CHECK {OPEN_RULE}")
