"""Approval rules may ask for a fraud risk level: orders assessed at that level or higher at placement.

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing rules ask nothing of the risk level (null), as before.
    op.add_column("approval_rules", sa.Column("risk_level_at_least", sa.String(length=8), nullable=True))


def downgrade() -> None:
    op.drop_column("approval_rules", "risk_level_at_least")
