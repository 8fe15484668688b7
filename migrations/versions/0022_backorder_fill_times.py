"""When each backorder was filled, for fulfillmentReport's backorder fill time.

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Backorders filled before this migration have no time: they stay out of the report.
    op.add_column("order_allocations", sa.Column("filled_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_order_allocations_filled",
        "order_allocations",
        ["tenant_id", "filled_at"],
        postgresql_where=sa.text("filled_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_order_allocations_filled", table_name="order_allocations")
    op.drop_column("order_allocations", "filled_at")
