import uuid

from domain.inventory.allocation import Allocation, Need, allocate

A, B = uuid.uuid4(), uuid.uuid4()  # products
NEAR, FAR = uuid.uuid4(), uuid.uuid4()  # locations, NEAR has the higher priority
LOCATIONS = [NEAR, FAR]


def test_one_location_that_can_ship_everything_is_chosen_over_a_split():
    stock = {(A, NEAR): 5, (B, NEAR): 0, (A, FAR): 5, (B, FAR): 5}
    plan = allocate([Need(0, A, 2, False), Need(1, B, 1, False)], LOCATIONS, stock)
    assert plan.shortages == []
    assert sorted(plan.allocations, key=lambda a: a.index) == [Allocation(0, FAR, 2), Allocation(1, FAR, 1)]


def test_the_first_location_by_priority_wins_when_several_can_ship_everything():
    stock = {(A, NEAR): 5, (A, FAR): 5}
    plan = allocate([Need(0, A, 3, False)], LOCATIONS, stock)
    assert plan.allocations == [Allocation(0, NEAR, 3)]


def test_a_line_is_split_across_locations_in_priority_order_when_no_single_one_suffices():
    stock = {(A, NEAR): 2, (A, FAR): 3}
    plan = allocate([Need(0, A, 4, False)], LOCATIONS, stock)
    assert plan.allocations == [Allocation(0, NEAR, 2), Allocation(0, FAR, 2)]


def test_every_short_line_is_reported_with_what_is_available():
    stock = {(A, NEAR): 1, (B, FAR): 2}
    plan = allocate([Need(0, A, 3, False), Need(1, B, 2, False), Need(2, B, 1, False)], LOCATIONS, stock)
    assert plan.allocations == []
    assert [(s.index, s.requested, s.available) for s in plan.shortages] == [(0, 3, 1), (2, 1, 0)]


def test_two_lines_of_the_same_product_share_its_stock():
    stock = {(A, NEAR): 3}
    plan = allocate([Need(0, A, 2, False), Need(1, A, 2, False)], LOCATIONS, stock)
    assert [(s.index, s.available) for s in plan.shortages] == [(1, 1)]


def test_a_backorderable_line_takes_what_exists_and_waits_for_the_rest_where_it_is_stocked():
    stock = {(A, FAR): 1}
    plan = allocate([Need(0, A, 3, True)], LOCATIONS, stock)
    assert plan.shortages == []
    assert plan.allocations == [Allocation(0, FAR, 1), Allocation(0, FAR, 2, backordered=True)]


def test_negative_sellable_stock_counts_as_none():
    stock = {(A, NEAR): -2, (A, FAR): 1}
    plan = allocate([Need(0, A, 1, False)], LOCATIONS, stock)
    assert plan.allocations == [Allocation(0, FAR, 1)]
