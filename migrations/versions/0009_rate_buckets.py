"""Rate limits shared across replicas: one row per API key holding how much of its query-cost bucket is
used. Each process adds what it spent since its last visit and reads the shared level back, about once a
second, in the background (server/rate_limits.py), so requests themselves never write here.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RULE = (
    "(tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"
    " OR current_setting('app.scope', true) = 'system')"
)


def upgrade() -> None:
    op.create_table(
        "rate_buckets",
        sa.Column("api_key_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("tenant_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("used", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_keys.id"], name=op.f("fk_rate_buckets_api_key_id_api_keys"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_rate_buckets_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("api_key_id", name=op.f("pk_rate_buckets")),
    )
    op.create_index(op.f("ix_rate_buckets_tenant_id"), "rate_buckets", ["tenant_id"])
    op.execute("ALTER TABLE rate_buckets ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE rate_buckets FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_isolation ON rate_buckets USING {RULE} WITH CHECK {RULE}")


def downgrade() -> None:
    op.drop_table("rate_buckets")
