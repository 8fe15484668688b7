"""Secrets at rest: the columns holding webhook, carrier and customer-token secrets become text wide
enough for their sealed form (domain/secrets.py), and the values stored in plain text until now are
sealed here when the process has its keys (it does under `baton serve`, `baton worker` and `baton
migrate` with BATON_SECRET_KEY, or in development). Without keys they stay readable as they are, and
`baton secrets rotate` seals them later.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from domain import secrets

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    ("webhook_endpoints", "secret", 200, False),
    ("webhook_endpoints", "previous_secret", 200, True),
    ("carrier_accounts", "secret", 128, False),
    ("tenants", "customer_secret", 64, True),
    ("tenants", "previous_customer_secret", 64, True),
]


def upgrade() -> None:
    for table, column, _, nullable in COLUMNS:
        op.alter_column(table, column, type_=sa.Text(), nullable=nullable)
    if not secrets.installed():
        return
    bind = op.get_bind()
    for table, column, _, _ in COLUMNS:
        rows = bind.execute(
            sa.text(f"SELECT ctid, {column} FROM {table} WHERE {column} NOT LIKE 'enc1:%' FOR UPDATE")
        ).all()
        for ctid, value in rows:
            bind.execute(
                sa.text(f"UPDATE {table} SET {column} = :sealed WHERE ctid = :ctid"),
                {"sealed": secrets.seal(value), "ctid": ctid},
            )


def downgrade() -> None:
    bind = op.get_bind()
    for table, column, width, nullable in COLUMNS:
        if secrets.installed():  # back to plain text, which the old columns held
            for ctid, value in bind.execute(
                sa.text(f"SELECT ctid, {column} FROM {table} WHERE {column} LIKE 'enc1:%' FOR UPDATE")
            ).all():
                bind.execute(
                    sa.text(f"UPDATE {table} SET {column} = :plain WHERE ctid = :ctid"),
                    {"plain": secrets.reveal(value), "ctid": ctid},
                )
        op.alter_column(table, column, type_=sa.String(width), nullable=nullable)
