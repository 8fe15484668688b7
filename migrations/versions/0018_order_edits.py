"""Order editing (stage -> preview -> commit): the edit sessions, and what an edit can leave on an order.

- `order_edits`: one staff member's session on one order: the staged changes as a JSON list, the order's
  version when it began (a commit after anything else changed the order is STALE_VERSION), an expiry.
- `orders.adjustment`: the sum of the discounts (negative) and surcharges (positive) edits added, tax
  included; `orders.adjustments` lists them with their reasons. The total adds it up.
- `orders.edit_refunded`: what was given back because an edit lowered the total below what had been paid.
  The part of the payments that still counts toward the total is `paid - edit_refunded`, which is what
  may not pass the total now (existing orders have 0, so the old rule `paid <= total` is the same).

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RULE = (
    "(tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"
    " OR current_setting('app.scope', true) = 'system')"
)


def upgrade() -> None:
    op.add_column("orders", sa.Column("adjustment", sa.BigInteger(), server_default="0", nullable=False))
    op.add_column(
        "orders",
        sa.Column("adjustments", postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
    )
    op.add_column("orders", sa.Column("edit_refunded", sa.BigInteger(), server_default="0", nullable=False))
    op.drop_constraint(op.f("ck_orders_total_adds_up"), "orders", type_="check")
    op.create_check_constraint(op.f("ck_orders_total_adds_up"), "orders", "total = subtotal + shipping + tax + adjustment")
    op.create_check_constraint(op.f("ck_orders_total_not_negative"), "orders", "total >= 0")
    op.drop_constraint(op.f("ck_orders_paid_within_total"), "orders", type_="check")
    op.create_check_constraint(op.f("ck_orders_paid_within_total"), "orders", "paid >= 0 AND paid - edit_refunded <= total")
    op.create_check_constraint(
        op.f("ck_orders_edit_refunded_within_refunded"), "orders", "edit_refunded >= 0 AND edit_refunded <= refunded"
    )
    op.create_table(
        "order_edits",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("tenant_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("order_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("changes", postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("staff_note", sa.String(length=2000), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('OPEN', 'COMMITTED', 'DISCARDED')", name=op.f("ck_order_edits_status_known")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_edits_order_id_orders")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_order_edits_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_edits")),
    )
    op.create_index("ix_order_edits_order", "order_edits", ["order_id", "created_at"])
    op.execute("ALTER TABLE order_edits ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE order_edits FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_isolation ON order_edits USING {RULE} WITH CHECK {RULE}")


def downgrade() -> None:
    op.drop_table("order_edits")
    op.drop_constraint(op.f("ck_orders_edit_refunded_within_refunded"), "orders", type_="check")
    op.drop_constraint(op.f("ck_orders_paid_within_total"), "orders", type_="check")
    op.create_check_constraint(op.f("ck_orders_paid_within_total"), "orders", "paid >= 0 AND paid <= total")
    op.drop_constraint(op.f("ck_orders_total_not_negative"), "orders", type_="check")
    op.drop_constraint(op.f("ck_orders_total_adds_up"), "orders", type_="check")
    op.create_check_constraint(op.f("ck_orders_total_adds_up"), "orders", "total = subtotal + shipping + tax")
    op.drop_column("orders", "edit_refunded")
    op.drop_column("orders", "adjustments")
    op.drop_column("orders", "adjustment")
