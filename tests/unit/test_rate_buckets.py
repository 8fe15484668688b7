"""Leaky-bucket arithmetic for the rate limits, on a clock the tests move by hand."""

from __future__ import annotations

import math
import uuid

from domain.limits.bucket import Bucket, retry_after
from domain.limits.budgets import Budgets
from server.throttle import OpenOperations, PerAddress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_refuses_more_than_it_holds_and_takes_nothing_then():
    bucket = Bucket.full(100, 10, now=0)

    assert bucket.take(60, 0)
    assert not bucket.take(60, 0)
    assert bucket.available(0) == 40


def test_a_bucket_restores_at_its_rate_up_to_its_capacity():
    bucket = Bucket.full(100, 10, now=0)
    bucket.take(100, 0)

    assert bucket.available(3) == 30
    assert bucket.available(60) == 100


def test_the_wait_is_what_is_missing_divided_by_the_rate():
    bucket = Bucket.full(100, 10, now=0)
    bucket.take(80, 0)

    assert bucket.wait(50, 0) == 3.0
    assert bucket.wait(20, 0) == 0.0
    assert bucket.wait(101, 0) == math.inf


def test_a_debt_is_paid_back_before_anything_is_available():
    bucket = Bucket.full(100, 10, now=0)
    bucket.reset(-50, 0)

    assert bucket.available(5) == 0
    assert bucket.wait(10, 5) == 1.0


def test_retry_after_rounds_up_to_whole_seconds_and_is_at_least_one():
    assert retry_after(0.2) == 1
    assert retry_after(2.01) == 3
    assert retry_after(math.inf) == 3600


def test_budgets_charge_per_key_and_give_back_refunds():
    clock = Clock()
    budgets = Budgets(capacity=1000, rate=100, clock=clock)
    key, other, tenant = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    assert budgets.charge(key, tenant, 700).allowed
    refused = budgets.charge(key, tenant, 700)
    budgets.refund(key, 600)

    assert not refused.allowed and refused.retry_after == 4.0
    assert budgets.available(key) == 900
    assert budgets.available(other) == 1000


def test_an_address_is_refused_once_its_burst_is_spent_and_again_allowed_as_it_restores():
    clock = Clock()
    limit = PerAddress(burst=2, rate=0.5, clock=clock)

    assert limit.take("10.0.0.1") == 0 and limit.take("10.0.0.1") == 0
    assert limit.take("10.0.0.1") == 2.0
    assert limit.exhausted("10.0.0.1") == 2.0 and limit.exhausted("10.0.0.2") == 0
    clock.now += 2
    assert limit.exhausted("10.0.0.1") == 0


def test_open_operations_are_capped_per_key_and_freed_on_release():
    open_operations = OpenOperations(limit=2)
    key = uuid.uuid4()

    assert open_operations.claim(key) and open_operations.claim(key)
    assert not open_operations.claim(key)
    open_operations.release(key)
    assert open_operations.claim(key)
    assert open_operations.claim(uuid.uuid4())
