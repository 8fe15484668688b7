"""Stored forecasts (migration 0020): one row per SKU and location (location NULL: all locations
together), replaced whenever the worker recomputes it; and each tenant's run state."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base, new_id


class DemandForecast(Base):
    __tablename__ = "demand_forecasts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "sku", "location_id", postgresql_nulls_not_distinct=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    sku: Mapped[str] = mapped_column(String(64))
    location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("locations.id"))
    method: Mapped[str] = mapped_column(String(32))
    intermittent: Mapped[bool] = mapped_column(Boolean)
    history_days: Mapped[int] = mapped_column(Integer)
    history_end: Mapped[date] = mapped_column(Date)  # the last day of demand the forecast knew
    # [{day, mean, lo80, hi80, lo95, hi95}, …] from the day after history_end on
    points: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    # The chosen method's backtest errors (NULL: too little history to backtest), and the baseline's.
    mase: Mapped[float | None] = mapped_column(Float)
    wape: Mapped[float | None] = mapped_column(Float)
    naive_mase: Mapped[float | None] = mapped_column(Float)
    naive_wape: Mapped[float | None] = mapped_column(Float)
    # Units returned over the same history, kept apart: returns do not lower demand.
    returned_units: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))


class ForecastRun(Base):
    """A tenant's forecasting state: demand seen up to `watermark`; the day of the last full
    recomputation; a lease, so one worker at a time computes a tenant."""

    __tablename__ = "forecast_runs"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    watermark: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    full_day: Mapped[date | None] = mapped_column(Date)
    leased_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
