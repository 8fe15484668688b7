"""Customer-scoped access: scopes on API keys, order access tokens (hashed), and the shop's secret for
signing customer access tokens.

Existing keys keep their role's full preset (scopes NULL). Existing orders get no access token: only
keys that read orders, and the customer's own access token, reach them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("api_keys", sa.Column("scopes", postgresql.ARRAY(sa.String(length=32)), nullable=True))
    op.add_column("orders", sa.Column("access_token_hash", sa.String(length=64), nullable=True))
    op.create_unique_constraint(
        op.f("uq_orders_tenant_id_access_token_hash"), "orders", ["tenant_id", "access_token_hash"]
    )
    op.add_column("tenants", sa.Column("customer_secret", sa.String(length=64), nullable=True))
    op.add_column("tenants", sa.Column("previous_customer_secret", sa.String(length=64), nullable=True))
    op.add_column(
        "tenants", sa.Column("previous_customer_secret_until", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("tenants", "previous_customer_secret_until")
    op.drop_column("tenants", "previous_customer_secret")
    op.drop_column("tenants", "customer_secret")
    op.drop_constraint(op.f("uq_orders_tenant_id_access_token_hash"), "orders", type_="unique")
    op.drop_column("orders", "access_token_hash")
    op.drop_column("api_keys", "scopes")
