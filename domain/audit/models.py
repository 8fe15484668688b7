"""Audit entries (append-only, migration 0011) and each tenant's chain head."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, DateTime, ForeignKey, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, new_id

# The prev_hash of a tenant's first entry, and the anchor of a chain nothing was pruned from.
GENESIS = "0" * 64


class Outcome(StrEnum):
    OK = "OK"
    USER_ERRORS = "USER_ERRORS"  # the payload's userErrors, their codes in error_codes
    FORBIDDEN = "FORBIDDEN"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    ERROR = "ERROR"  # any other error, its extensions.code in error_codes


class AuditEntry(Base):
    """One mutation or CLI action. A trigger refuses UPDATE, and DELETE outside retention pruning."""

    __tablename__ = "audit_entries"
    __table_args__ = (UniqueConstraint("tenant_id", "seq"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    seq: Mapped[int] = mapped_column(BigInteger)  # 1, 2, 3 … per tenant, without gaps
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    key_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))  # None: the CLI
    role: Mapped[str | None] = mapped_column(String(16))
    customer_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    operation: Mapped[str] = mapped_column(String(100))
    target_ids: Mapped[list[str]] = mapped_column(ARRAY(String(200)))
    input_digest: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    error_codes: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    request_id: Mapped[str | None] = mapped_column(String(64))
    client_ip: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChain(Base):
    """Where a tenant's chain ends (locked by each writer, so entries are numbered one at a time) and
    where it begins: the seq and hash of the last entry retention pruned, or 0 and GENESIS."""

    __tablename__ = "audit_chains"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    last_hash: Mapped[str] = mapped_column(String(64), server_default=text(f"'{GENESIS}'"))
    anchor_seq: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    anchor_hash: Mapped[str] = mapped_column(String(64), server_default=text(f"'{GENESIS}'"))
