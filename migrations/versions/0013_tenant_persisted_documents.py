"""Persisted queries per tenant. Until now the documents clients persisted by hash (Automatic Persisted
Queries) were shared by every tenant, so one tenant's key could learn whether another tenant's clients
ever sent a given text (a hash found, or PersistedQueryNotFound). Each document now belongs to the tenant
whose key sent it, under the same fail-closed row-level security as every other tenant table.

The rows kept so far do not say which tenant sent them, so they are deleted: clients send a document's
text again when its hash is not found, and it is kept again, for their own tenant. Registered documents
(`baton documents register`) live in registered_documents, which has been per tenant since 0010: they
are untouched and keep working.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RULE = (
    "(tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"
    " OR current_setting('app.scope', true) = 'system')"
)


def upgrade() -> None:
    op.execute("DELETE FROM persisted_documents")
    op.add_column("persisted_documents", sa.Column("tenant_id", postgresql.UUID(as_uuid=True), nullable=False))
    op.drop_constraint("pk_persisted_documents", "persisted_documents", type_="primary")
    op.create_primary_key("pk_persisted_documents", "persisted_documents", ["tenant_id", "sha256"])
    op.create_foreign_key(
        "fk_persisted_documents_tenant_id_tenants",
        "persisted_documents",
        "tenants",
        ["tenant_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.execute("ALTER TABLE persisted_documents ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE persisted_documents FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_isolation ON persisted_documents USING {RULE} WITH CHECK {RULE}")


def downgrade() -> None:
    # Back to one shared row per hash: the per-tenant rows would collide, and clients send them again.
    op.execute("DROP POLICY tenant_isolation ON persisted_documents")
    op.execute("ALTER TABLE persisted_documents NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE persisted_documents DISABLE ROW LEVEL SECURITY")
    op.execute("DELETE FROM persisted_documents")
    op.drop_constraint("fk_persisted_documents_tenant_id_tenants", "persisted_documents", type_="foreignkey")
    op.drop_constraint("pk_persisted_documents", "persisted_documents", type_="primary")
    op.drop_column("persisted_documents", "tenant_id")
    op.create_primary_key("pk_persisted_documents", "persisted_documents", ["sha256"])
