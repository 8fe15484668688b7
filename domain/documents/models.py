"""Stored GraphQL documents (migrations 0010 and 0013)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, new_id

# The longest document kept, in characters: far above any real operation, far below what a table of
# every client's documents can afford per row. A longer one still runs; it is just not kept.
MAX_DOCUMENT_CHARS = 100_000


class PersistedDocument(Base):
    """A document a tenant's client sent with its hash (Automatic Persisted Queries). Kept per tenant:
    whether a text was ever sent is itself something another tenant must not learn."""

    __tablename__ = "persisted_documents"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    query: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (CheckConstraint(f"char_length(query) <= {MAX_DOCUMENT_CHARS}", name="query_size"),)


class RegisteredDocument(Base):
    """A document a tenant registered (`baton documents register`): the only ones its allow-listed
    keys may run."""

    __tablename__ = "registered_documents"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    query: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        UniqueConstraint("tenant_id", "sha256"),
        CheckConstraint(f"char_length(query) <= {MAX_DOCUMENT_CHARS}", name="query_size"),
    )
