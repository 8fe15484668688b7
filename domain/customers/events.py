from __future__ import annotations

import dataclasses
from typing import ClassVar

from domain.events.base import Event


@dataclasses.dataclass(frozen=True)
class CustomerTierChanged(Event):
    type: ClassVar[str] = "CUSTOMER_TIER_CHANGED"
    aggregate_type: ClassVar[str] = "Customer"
    email: str
    old_tier: str
    new_tier: str


@dataclasses.dataclass(frozen=True)
class CustomerAccessTokenIssued(Event):
    """A customer access token was issued through the API (tokens the merchant signs itself are not
    seen by Baton until they are used). The token itself is never recorded."""

    type: ClassVar[str] = "CUSTOMER_ACCESS_TOKEN_ISSUED"
    aggregate_type: ClassVar[str] = "Tenant"
    email: str
    expires_at: str


@dataclasses.dataclass(frozen=True)
class CustomerTokenSecretRotated(Event):
    type: ClassVar[str] = "CUSTOMER_TOKEN_SECRET_ROTATED"
    aggregate_type: ClassVar[str] = "Tenant"
    previous_valid_until: str | None


@dataclasses.dataclass(frozen=True)
class CustomerDataExported(Event):
    """Everything Baton holds about the customer was exported (a data-subject access request)."""

    type: ClassVar[str] = "CUSTOMER_DATA_EXPORTED"
    aggregate_type: ClassVar[str] = "Customer"


@dataclasses.dataclass(frozen=True)
class CustomerErased(Event):
    """The customer's personal data was pseudonymised; orders and ledgers are kept."""

    type: ClassVar[str] = "CUSTOMER_ERASED"
    aggregate_type: ClassVar[str] = "Customer"
