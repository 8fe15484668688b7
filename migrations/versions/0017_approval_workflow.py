"""Approval workflow: a shop's ordered approval rules, and the approval of each order a rule sent to the
new PENDING_APPROVAL status (domain/orders/approval_models.py). Both are tenant tables under the same
fail-closed row-level security as every other. Existing orders and shops are untouched: a shop has no
rules until an ADMIN sets some, and orders placed before keep their status.

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RULE = (
    "(tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"
    " OR current_setting('app.scope', true) = 'system')"
)


def upgrade() -> None:
    op.create_table(
        "approval_rules",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("tenant_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("min_total", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("channels", postgresql.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("new_customer", sa.Boolean(), nullable=True),
        sa.Column("customer_tiers", postgresql.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("shipping_countries", postgresql.ARRAY(sa.String(length=2)), nullable=False),
        sa.Column("skus", postgresql.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column("approver_roles", postgresql.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("four_eyes", sa.Boolean(), nullable=False),
        sa.Column("auto_reject_after_hours", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "min_total IS NULL OR min_total >= 0", name=op.f("ck_approval_rules_min_total_not_negative")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_approval_rules_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_rules")),
    )
    op.create_index("ix_approval_rules_tenant_position", "approval_rules", ["tenant_id", "position"])
    op.create_table(
        "order_approvals",
        sa.Column("order_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("tenant_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("rule_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("rule_name", sa.String(length=200), nullable=False),
        sa.Column("approver_roles", postgresql.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("four_eyes", sa.Boolean(), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "decision IS NULL OR decision IN ('APPROVED', 'REJECTED')",
            name=op.f("ck_order_approvals_decision_known"),
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_approvals_order_id_orders")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_order_approvals_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_order_approvals")),
    )
    op.create_index("ix_order_approvals_rule", "order_approvals", ["tenant_id", "rule_id"])
    op.create_index(
        "ix_order_approvals_due",
        "order_approvals",
        ["due_at"],
        postgresql_where=sa.text("decision IS NULL AND due_at IS NOT NULL"),
    )
    for table in ("approval_rules", "order_approvals"):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY tenant_isolation ON {table} USING {RULE} WITH CHECK {RULE}")


def downgrade() -> None:
    # Orders still waiting go on as plain PENDING orders: their stock stays reserved for them.
    op.execute("UPDATE orders SET status = 'PENDING' WHERE status = 'PENDING_APPROVAL'")
    op.drop_table("order_approvals")
    op.drop_table("approval_rules")
