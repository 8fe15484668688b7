"""A leaky bucket, as pure arithmetic on a clock the caller passes: `capacity` points when full, refilled
at `rate` points a second. Used for query cost per API key and for per-IP limits."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class Bucket:
    capacity: float
    rate: float  # points restored per second
    level: float  # available at time `at`; below zero while a debt is being paid back
    at: float

    @classmethod
    def full(cls, capacity: float, rate: float, now: float) -> Bucket:
        return cls(capacity, rate, capacity, now)

    def available(self, now: float) -> float:
        return min(self.capacity, self.level + max(0.0, now - self.at) * self.rate)

    def take(self, cost: float, now: float) -> bool:
        """Takes `cost` if that much is available now; takes nothing otherwise."""
        available = self.available(now)
        if cost > available:
            return False
        self.level, self.at = available - cost, now
        return True

    def give_back(self, amount: float, now: float) -> None:
        self.level, self.at = min(self.capacity, self.available(now) + amount), now

    def reset(self, level: float, now: float) -> None:
        """What another source (the shared level) says is available now."""
        self.level, self.at = min(self.capacity, level), now

    def wait(self, cost: float, now: float) -> float:
        """Seconds until `cost` is available; infinite for more than the bucket holds when full."""
        if cost > self.capacity:
            return math.inf
        missing = cost - self.available(now)
        if missing <= 0:
            return 0.0
        return missing / self.rate if self.rate > 0 else math.inf


def retry_after(seconds: float) -> int:
    """Whole seconds for a Retry-After header: rounded up, at least 1."""
    return max(1, math.ceil(seconds)) if math.isfinite(seconds) else 3600
