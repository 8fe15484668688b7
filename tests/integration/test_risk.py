"""Fraud risk against Postgres: the history the placement read gathers (velocity by IP, email, phone
and address, the customer's own orders, a SKU's usual quantity), within one tenant only; the assessment
written with the order; a HIGH order's fulfillment held on the lean path and on the ORM path."""

from __future__ import annotations

import asyncio
import dataclasses
import importlib

from sqlalchemy import select, text

from domain.catalog.models import BackorderPolicy
from domain.orders.inputs import AddressInput, CustomerInput
from domain.orders.service import record_payment
from domain.orders.status import ShippingMethod
from domain.risk.models import RiskAssessment
from domain.risk.rules import RiskLevel
from domain.risk.service import AssessmentInput
from domain.workflows.confirming import confirm_order
from domain.workflows.placing import place_order
from domain.workflows.risk_assessing import record_assessment
from tests.db_helpers import as_system
from tests.integration.builders import location, order_input, outbox, product, rows, uow
from tests.integration.fulfillment_builders import fulfillment_orders, holds

IP = "203.0.113.7"


async def facts_of(db, order_id):
    (row,) = await rows(db, select(RiskAssessment).where(RiskAssessment.order_id == order_id))
    return row


def elsewhere(data, n):
    """The same request from another customer, to another address."""
    address = dataclasses.replace(data.shipping_address, line1=f"{n} Other Street")
    customer = CustomerInput(email=f"buyer{n}@example.com", first_name="B", last_name="Uyer")
    return dataclasses.replace(data, customer=customer, shipping_address=address)


async def shop(db, tenant_id, units=500):
    here = await location(db, tenant_id, "HERE")
    await product(db, tenant_id, "MUG", stock={here.id: units})


async def test_orders_from_one_ip_in_the_last_hour_make_velocity_in_that_tenant_only(
    db, tenant, other_tenant
):
    await shop(db, tenant.id)
    await shop(db, other_tenant.id)
    for n in range(4):
        await place_order(uow(db, tenant.id), elsewhere(order_input(("MUG", 1)), n), IP)
    for n in range(3):  # another shop's orders from the same address never count here
        await place_order(uow(db, other_tenant.id), elsewhere(order_input(("MUG", 1)), n), IP)

    fifth = (await place_order(uow(db, tenant.id), elsewhere(order_input(("MUG", 1)), 9), IP)).order
    sixth = (await place_order(uow(db, tenant.id), elsewhere(order_input(("MUG", 1)), 10), IP)).order

    assert (fifth.client_ip, fifth.risk_score) == (IP, 0)
    assert (sixth.risk_level, sixth.risk_score) == ("MEDIUM", 25)
    assessment = await facts_of(db, sixth.id)
    assert assessment.source == "BATON" and assessment.actor == "test"
    assert {
        "description": "5 other orders from this IP address in the last hour",
        "sentiment": "NEGATIVE",
    } in (assessment.facts)
    (event,) = await outbox(db, tenant.id, aggregate_id=sixth.id, type="ORDER_RISK_ASSESSED")
    assert event.payload == {
        "number": "#1006",
        "source": "BATON",
        "level": "MEDIUM",
        "score": 25,
        "orderLevel": "MEDIUM",
    }


async def test_email_phone_and_address_velocity_are_counted_from_the_orders_rows(db, tenant):
    await shop(db, tenant.id)
    base = order_input(("MUG", 1))
    phone = dataclasses.replace(base.customer, phone="+1 202 555 0100")
    for n in range(5):
        other = elsewhere(base, n)
        await place_order(
            uow(db, tenant.id),
            dataclasses.replace(other, customer=dataclasses.replace(phone, email=f"p{n}@example.com")),
        )
    for _ in range(5):
        await place_order(uow(db, tenant.id), base)

    by_phone = elsewhere(base, 99)
    by_phone = dataclasses.replace(by_phone, customer=dataclasses.replace(phone, email="new@example.com"))
    rules = {
        f["description"].split(" in ")[0]
        for f in (await facts_of(db, (await place_order(uow(db, tenant.id), by_phone)).order.id)).facts
    }
    assert "5 other orders from this phone number" in rules
    again = (await place_order(uow(db, tenant.id), base)).order
    descriptions = {f["description"] for f in (await facts_of(db, again.id)).facts}
    assert "5 other orders with this email in the last hour" in descriptions
    assert "5 other orders to this shipping address in the last hour" in descriptions


async def test_an_order_far_above_the_customers_paid_history_and_its_usual_quantities_is_risky(db, tenant):
    await shop(db, tenant.id)
    for _ in range(3):
        first = (await place_order(uow(db, tenant.id), order_input(("MUG", 1)))).order
        await record_payment(uow(db, tenant.id), first.id, f"pay-{first.number}", None)

    big = (await place_order(uow(db, tenant.id), order_input(("MUG", 12)))).order

    descriptions = {f["description"]: f["sentiment"] for f in (await facts_of(db, big.id)).facts}
    assert descriptions == {
        "Total is 8.3x this customer's average over 3 orders": "NEGATIVE",
        "Unusual quantities: 12 x MUG (usually 1.0)": "NEGATIVE",
        "Returning customer with 3 paid orders, to an address used before": "POSITIVE",
    }
    assert (big.risk_score, big.risk_level) == (25, "MEDIUM")


def risky(data):
    billing = AddressInput(
        name="X", line1="1 Far Road", city="Lagos", postal_code="100001", country_code="NG"
    )
    customer = dataclasses.replace(data.customer, email="quick@mailinator.com")
    return dataclasses.replace(
        data, customer=customer, billing_address=billing, shipping_method=ShippingMethod.EXPRESS
    )


async def test_a_high_risk_order_is_held_when_confirmed_and_its_backorder_keeps_its_own_hold(db, tenant):
    here = await location(db, tenant.id, "HERE")
    await product(db, tenant.id, "MUG", stock={here.id: 1}, backorder=BackorderPolicy.ALLOW)
    order = (await place_order(uow(db, tenant.id), risky(order_input(("MUG", 3))))).order
    assert order.risk_level == "HIGH"

    await confirm_order(uow(db, tenant.id), order.id)

    fos = await fulfillment_orders(db, order.id)
    assert [fo.status for fo in fos] == ["ON_HOLD", "ON_HOLD"]
    reasons = sorted([tuple(sorted(h.reason for h in await holds(db, fo.id))) for fo in fos])
    assert reasons == [
        ("HIGH_RISK_OF_FRAUD",),
        ("HIGH_RISK_OF_FRAUD", "INVENTORY_OUT_OF_STOCK"),
    ]


async def test_migration_0016_keys_old_orders_addresses_as_placement_does(db, tenant):
    await shop(db, tenant.id)
    data = order_input(("MUG", 1))
    data = dataclasses.replace(
        data, shipping_address=dataclasses.replace(data.shipping_address, line1="  9 Elm St ")
    )
    order = (await place_order(uow(db, tenant.id), data)).order
    migration = importlib.import_module("migrations.versions.0016_fraud_risk")

    async with as_system(db) as conn:
        key = (
            await conn.execute(
                text(f"SELECT {migration.ADDRESS_KEY} FROM orders WHERE id = :id"), {"id": order.id}
            )
        ).scalar_one()

    assert key == order.address_key


async def test_a_fraud_services_high_verdict_racing_confirmation_always_ends_held(db, tenant):
    await shop(db, tenant.id)
    for n in range(6):
        order = (await place_order(uow(db, tenant.id), elsewhere(order_input(("MUG", 1)), n))).order
        verdict = AssessmentInput(order.id, "Sift", RiskLevel.HIGH, 95, [])

        await asyncio.gather(
            confirm_order(uow(db, tenant.id), order.id),
            record_assessment(uow(db, tenant.id), verdict),
        )

        (fo,) = await fulfillment_orders(db, order.id)
        assert fo.status == "ON_HOLD", n
        assert [h.reason for h in await holds(db, fo.id)] == ["HIGH_RISK_OF_FRAUD"], n
