"""Row-level security: a transaction that names its tenant sees and writes only that tenant's rows.

Every request path sets app.tenant_id (transaction-local) before touching tenant data, so these policies
hold whatever a query's own WHERE clause says. A transaction that names no tenant (migrations, the CLI,
background jobs that work across tenants) is not restricted. FORCE applies the policies to the tables'
owner too; PostgreSQL superusers bypass them, so Baton should connect as an ordinary role.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
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
)
SETTING = "current_setting('app.tenant_id', true)"
RULE = f"(COALESCE({SETTING}, '') = '' OR tenant_id = NULLIF({SETTING}, '')::uuid)"


def upgrade() -> None:
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY tenant_isolation ON {table} USING {RULE} WITH CHECK {RULE}")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP POLICY tenant_isolation ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
