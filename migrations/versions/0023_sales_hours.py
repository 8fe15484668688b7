"""Sales per UTC hour, kept by the worker for salesReport (domain/analytics/rollup.py). Created empty:
the worker builds each tenant's rows on its first pass, and until then reports read the orders.

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RULE = (
    "(tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"
    " OR current_setting('app.scope', true) = 'system')"
)
TABLES = ("sales_hours", "sales_hours_marks")


def _tenant() -> sa.Column:
    return sa.Column(
        "tenant_id",
        postgresql.UUID(as_uuid=True),
        sa.ForeignKey("tenants.id", ondelete="CASCADE", name=None),
        primary_key=True,
    )


def upgrade() -> None:
    op.create_table(
        "sales_hours",
        _tenant(),
        sa.Column("hour", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("channel", sa.String(32), primary_key=True),
        sa.Column("currency", sa.String(3), primary_key=True),
        sa.Column("orders", sa.Integer, nullable=False),
        sa.Column("cancelled", sa.Integer, nullable=False),
        sa.Column("units", sa.BigInteger, nullable=False),
        sa.Column("gross", sa.BigInteger, nullable=False),
        sa.Column("refunds", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "sales_hours_marks",
        _tenant(),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
    )
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY tenant_isolation ON {table} USING {RULE} WITH CHECK {RULE}")


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
