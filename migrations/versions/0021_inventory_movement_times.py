"""An index for the inventory report: a tenant's stock movements by creation time.

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_inventory_movements_tenant_created", "inventory_movements", ["tenant_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_inventory_movements_tenant_created", table_name="inventory_movements")
