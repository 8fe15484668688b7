"""The audit log: one append-only entry per mutation and per administrative CLI action, each carrying the
hash of the one before it, so a changed, removed or inserted entry shows up when `baton audit verify`
recomputes the chain.

The app's role owns the table, and an owner's UPDATE and DELETE cannot be revoked, so a trigger refuses
them. Retention pruning alone may delete, and only a transaction that says so (app.audit_prune = 'on');
it deletes from the oldest entry on and keeps the hash of the last deleted one as the chain's anchor.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RULE = (
    "(tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"
    " OR current_setting('app.scope', true) = 'system')"
)
GENESIS = "'" + "0" * 64 + "'"

APPEND_ONLY = """
CREATE FUNCTION baton_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('app.audit_prune', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("tenant_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("customer_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("operation", sa.String(length=100), nullable=False),
        sa.Column("target_ids", postgresql.ARRAY(sa.String(length=200)), nullable=False),
        sa.Column("input_digest", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("error_codes", postgresql.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("client_ip", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_audit_entries_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
        sa.UniqueConstraint("tenant_id", "seq", name=op.f("uq_audit_entries_tenant_id_seq")),
    )
    op.create_table(
        "audit_chains",
        sa.Column("tenant_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_hash", sa.String(length=64), server_default=sa.text(GENESIS), nullable=False),
        sa.Column("anchor_seq", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("anchor_hash", sa.String(length=64), server_default=sa.text(GENESIS), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_audit_chains_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_audit_chains")),
    )
    for table in ("audit_entries", "audit_chains"):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY tenant_isolation ON {table} USING {RULE} WITH CHECK {RULE}")
    op.execute(APPEND_ONLY)
    op.execute(
        "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION baton_audit_append_only()"
    )


def downgrade() -> None:
    op.drop_table("audit_chains")
    op.drop_table("audit_entries")
    op.execute("DROP FUNCTION baton_audit_append_only()")
