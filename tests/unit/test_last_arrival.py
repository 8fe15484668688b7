"""When an order counts as delivered: once every shipment is, at the latest carrier time."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.shipping.status import TrackingStatus, last_arrival

EARLY = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
LATE = datetime(2026, 1, 7, 16, 0, tzinfo=UTC)


def test_the_last_shipment_to_arrive_sets_the_time():
    both = [(TrackingStatus.DELIVERED, LATE), (TrackingStatus.DELIVERED, EARLY)]
    assert last_arrival(both) == LATE


def test_nothing_until_every_shipment_has_arrived():
    assert last_arrival([(TrackingStatus.DELIVERED, EARLY), (TrackingStatus.IN_TRANSIT, None)]) is None
    assert last_arrival([(TrackingStatus.DELIVERED, EARLY), (TrackingStatus.EXCEPTION, None)]) is None
    assert last_arrival([]) is None
