"""Fraud risk: the order's combined risk level and score (readable as plain columns, for filters and for
approval rules), what velocity is counted by (the client IP and a shipping-address key, backfilled for
existing orders from their addresses), the indexes the placement read counts with, the shop's
thresholds and weights, and the assessments themselves (tenant-isolated like every table).

Existing orders were never assessed: they stay at NONE with a score of 0.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RULE = (
    "(tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"
    " OR current_setting('app.scope', true) = 'system')"
)
# As domain/orders/rows.py address_key computes it.
ADDRESS_KEY = (
    "md5(lower(btrim(coalesce(shipping_address->>'line1', ''))) || '|'"
    " || coalesce(shipping_address->>'postalCode', '') || '|'"
    " || coalesce(shipping_address->>'countryCode', ''))"
)


def upgrade() -> None:
    op.add_column("orders", sa.Column("risk_level", sa.String(8), nullable=False, server_default="NONE"))
    op.add_column("orders", sa.Column("risk_score", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("orders", sa.Column("client_ip", sa.String(45), nullable=True))
    op.add_column("orders", sa.Column("address_key", sa.String(32), nullable=True))
    op.create_check_constraint("risk_score_in_range", "orders", "risk_score BETWEEN 0 AND 100")
    op.execute(f"UPDATE orders SET address_key = {ADDRESS_KEY}")
    # The customer's latest orders, for their risk history: the email index by creation time too.
    op.drop_index("ix_orders_tenant_email", table_name="orders")
    op.create_index("ix_orders_tenant_email", "orders", ["tenant_id", "email", "created_at"])
    op.create_index("ix_orders_tenant_risk", "orders", ["tenant_id", "risk_level", "created_at"])
    op.create_index("ix_orders_tenant_customer", "orders", ["tenant_id", "customer_id", "created_at"])
    op.create_index("ix_orders_tenant_address", "orders", ["tenant_id", "address_key", "created_at"])
    op.create_index("ix_orders_tenant_client_ip", "orders", ["tenant_id", "client_ip", "created_at"])
    # A SKU's usual quantity and the shop's recent order values are read on every placement: from the
    # indexes alone (the quantities and totals included), 200 entries each, whatever the row estimates.
    op.create_index(
        "ix_order_lines_tenant_product", "order_lines", ["tenant_id", "product_id"], postgresql_include=["quantity"]
    )
    op.drop_index("ix_orders_tenant_created", table_name="orders")
    op.create_index(
        "ix_orders_tenant_created", "orders", ["tenant_id", "created_at", "id"], postgresql_include=["total"]
    )
    op.create_index("ix_customers_tenant_phone", "customers", ["tenant_id", "phone"])
    op.add_column("tenants", sa.Column("risk_settings", postgresql.JSONB(), nullable=True))
    op.create_table(
        "order_risk_assessments",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("order_id", sa.UUID(), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("facts", postgresql.JSONB(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "score IS NULL OR score BETWEEN 0 AND 100",
            name=op.f("ck_order_risk_assessments_score_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_order_risk_assessments_tenant_id_tenants")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_risk_assessments_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_risk_assessments")),
    )
    op.create_index(
        "ix_order_risk_assessments_order", "order_risk_assessments", ["tenant_id", "order_id", "created_at"]
    )
    op.execute("ALTER TABLE order_risk_assessments ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE order_risk_assessments FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_isolation ON order_risk_assessments USING {RULE} WITH CHECK {RULE}")


def downgrade() -> None:
    op.drop_table("order_risk_assessments")
    op.drop_column("tenants", "risk_settings")
    op.drop_index("ix_customers_tenant_phone", table_name="customers")
    op.drop_index("ix_order_lines_tenant_product", table_name="order_lines")
    op.drop_index("ix_orders_tenant_created", table_name="orders")
    op.create_index("ix_orders_tenant_created", "orders", ["tenant_id", "created_at", "id"])
    op.drop_index("ix_orders_tenant_client_ip", table_name="orders")
    op.drop_index("ix_orders_tenant_address", table_name="orders")
    op.drop_index("ix_orders_tenant_customer", table_name="orders")
    op.drop_index("ix_orders_tenant_risk", table_name="orders")
    op.drop_index("ix_orders_tenant_email", table_name="orders")
    op.create_index("ix_orders_tenant_email", "orders", ["tenant_id", "email"])
    op.drop_constraint("risk_score_in_range", "orders", type_="check")
    op.drop_column("orders", "address_key")
    op.drop_column("orders", "client_ip")
    op.drop_column("orders", "risk_score")
    op.drop_column("orders", "risk_level")
