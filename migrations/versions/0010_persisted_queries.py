"""Persisted queries: documents stored by their SHA-256 (Automatic Persisted Queries, shared by every
tenant: the document text only), the documents a tenant registered for its allow-listed keys, and the flag
that puts a key in allow-list mode.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RULE = (
    "(tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"
    " OR current_setting('app.scope', true) = 'system')"
)
SIZE = "char_length(query) <= 100000"  # domain/documents/models.py MAX_DOCUMENT_CHARS


def upgrade() -> None:
    op.create_table(
        "persisted_documents",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(SIZE, name=op.f("ck_persisted_documents_query_size")),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_persisted_documents")),
    )
    op.create_table(
        "registered_documents",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("tenant_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(SIZE, name=op.f("ck_registered_documents_query_size")),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_registered_documents_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registered_documents")),
        sa.UniqueConstraint("tenant_id", "sha256", name=op.f("uq_registered_documents_tenant_id_sha256")),
    )
    op.create_index(op.f("ix_registered_documents_tenant_id"), "registered_documents", ["tenant_id"])
    op.execute("ALTER TABLE registered_documents ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE registered_documents FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_isolation ON registered_documents USING {RULE} WITH CHECK {RULE}")
    op.add_column(
        "api_keys",
        sa.Column("registered_documents_only", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("api_keys", "registered_documents_only")
    op.drop_table("registered_documents")
    op.drop_table("persisted_documents")
