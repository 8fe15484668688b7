"""Indexes for the analytics reports: a tenant's shipments and refunds by creation time.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_shipments_tenant_created", "shipments", ["tenant_id", "created_at"])
    op.create_index("ix_refunds_tenant_created", "refunds", ["tenant_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_refunds_tenant_created", table_name="refunds")
    op.drop_index("ix_shipments_tenant_created", table_name="shipments")
