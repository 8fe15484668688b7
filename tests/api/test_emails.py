"""Customer emails end to end: a real uvicorn server running the email loop and a real SMTP server
(aiosmtpd) receiving them; each email once, even when the log is read again; templates; failures."""

from __future__ import annotations

import asyncio
import email
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

from domain.tenancy.models import Role
from server.app import create_app
from server.settings import Settings
from tests.api.conftest import open_shop
from tests.api.documents import ORDER_CANCEL, ORDER_CONFIRM, ok, place_order
from tests.api.fulfillment_documents import fulfillment_of, ship, track
from tests.api.live import free_port, serving
from tests.db_helpers import as_system

SETTINGS_UPDATE = """
mutation($input: NotificationSettingsUpdateInput!) {
  notificationSettingsUpdate(input: $input) {
    notificationSettings { senderName templates { template subject body isDefault } }
    userErrors { field message code }
  }
}"""
NOTIFICATIONS = """
query($id: ID!) { notifications(orderId: $id) { nodes { template to subject status attempts sentAt error } } }"""


class Mailbox:
    """An aiosmtpd handler: keeps every message; refuses the first `refuse` with a 451."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse:
            self.refuse -= 1
            return "451 Try again later"
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    async def wait_for(self, count: int, within: float = 20) -> None:
        async def until() -> None:
            while len(self.messages) < count:  # noqa: ASYNC110 - the SMTP server runs in its own thread
                await asyncio.sleep(0.02)

        await asyncio.wait_for(until(), within)


@pytest.fixture
async def mailbox():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


@pytest.fixture
async def live(db, database_url, live_settings, mailbox):
    _, port = mailbox
    settings = Settings(
        **{
            **live_settings.__dict__,
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_from": "orders@acme.test",
            "retry_scale": 0.0001,
        }
    )
    async with serving(create_app(settings, database_url)) as server:
        yield server


async def test_confirming_and_cancelling_orders_emails_the_customer_once_each(live, tenant, mailbox):
    box, _ = mailbox
    shop = await open_shop(live.api, tenant)
    confirmed = await place_order(live.api, shop.admin, [("TEE", 1)], email="grace@example.com")
    cancelled = await place_order(live.api, shop.admin, [("MUG", 1)], email="linus@example.com")
    ok(await live.api(shop.admin, ORDER_CONFIRM, id=confirmed["id"]), "orderConfirm")
    ok(await live.api(shop.admin, ORDER_CANCEL, id=cancelled["id"], reason="Out of stock"), "orderCancel")

    await box.wait_for(2)
    await asyncio.sleep(0.5)
    by_recipient = {m["To"]: m for m in box.messages}
    assert len(box.messages) == 2 and set(by_recipient) == {"grace@example.com", "linus@example.com"}
    grace = by_recipient["grace@example.com"]
    assert grace["Subject"] == "Your order #1001 is confirmed"
    assert grace["From"] == "Acme <orders@acme.test>"
    assert "we have confirmed your order #1001 (27.49 USD)" in grace.get_payload()
    linus = by_recipient["linus@example.com"]
    assert linus["Subject"] == "Your order #1002 was cancelled"
    assert "Out of stock" in linus.get_payload()

    shown = (await live.api(shop.admin, NOTIFICATIONS, id=confirmed["id"]))["data"]["notifications"]["nodes"]
    assert [(n["template"], n["to"], n["status"], n["attempts"]) for n in shown] == [
        ("ORDER_CONFIRMED", "grace@example.com", "SENT", 1)
    ]
    assert shown[0]["sentAt"]


async def test_shipping_and_delivering_an_order_emails_the_customer(live, tenant, mailbox):
    box, _ = mailbox
    shop = await open_shop(live.api, tenant)
    order = await place_order(live.api, shop.admin, [("TEE", 1)], email="grace@example.com")
    ok(await live.api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")
    (fo,) = (await fulfillment_of(live.api, shop.admin, order["id"]))["fulfillmentOrders"]
    shipment = await ship(live.api, shop.admin, fo["id"], "1Z-MAIL")
    await track(live.api, shop.admin, shipment["id"], "DELIVERED")

    await box.wait_for(3)
    await asyncio.sleep(0.5)
    assert [m["Subject"] for m in box.messages] == [
        "Your order #1001 is confirmed",
        "Your order #1001 is on its way",
        "Your order #1001 was delivered",
    ]
    assert "Tracking number 1Z-MAIL (generic)" in box.messages[1].get_payload()
    shown = (await live.api(shop.admin, NOTIFICATIONS, id=order["id"]))["data"]["notifications"]["nodes"]
    assert [n["template"] for n in shown] == ["ORDER_CONFIRMED", "ORDER_SHIPPED", "ORDER_DELIVERED"]


async def test_reading_the_log_again_never_sends_an_email_twice(live, tenant, mailbox, db):
    box, _ = mailbox
    shop = await open_shop(live.api, tenant)
    order = await place_order(live.api, shop.admin, [("TEE", 1)])
    ok(await live.api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")
    await box.wait_for(1)

    async with as_system(db) as conn:  # as if the cursor's last move had been lost
        await conn.execute(text("UPDATE consumer_cursors SET position = 0"))
    ok(await live.api(shop.admin, ORDER_CANCEL, id=order["id"]), "orderCancel")
    await box.wait_for(2)
    await asyncio.sleep(0.5)

    assert [m["Subject"] for m in box.messages] == [
        "Your order #1001 is confirmed",
        "Your order #1001 was cancelled",
    ]
    assert len({m["X-Baton-Dedupe-Key"] for m in box.messages}) == 2


async def test_a_refused_email_is_retried_until_the_mail_server_takes_it(live, tenant, mailbox):
    box, _ = mailbox
    box.refuse = 2
    shop = await open_shop(live.api, tenant)
    order = await place_order(live.api, shop.admin, [("TEE", 1)])
    ok(await live.api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")

    await box.wait_for(1)
    await asyncio.sleep(0.3)
    assert len(box.messages) == 1
    [shown] = (await live.api(shop.admin, NOTIFICATIONS, id=order["id"]))["data"]["notifications"]["nodes"]
    assert (shown["status"], shown["attempts"]) == ("SENT", 3)


async def test_a_shop_sets_its_sender_name_and_templates(live, tenant, mailbox):
    box, _ = mailbox
    shop = await open_shop(live.api, tenant)
    body = await live.api(
        shop.admin,
        SETTINGS_UPDATE,
        input={
            "senderName": "Acme Store",
            "templates": [{"template": "ORDER_CONFIRMED", "subject": "Yay {customerName}: {orderNumber}!"}],
        },
    )
    settings = ok(body, "notificationSettingsUpdate")["notificationSettings"]
    assert settings["senderName"] == "Acme Store"
    confirmed_template = next(t for t in settings["templates"] if t["template"] == "ORDER_CONFIRMED")
    assert (confirmed_template["subject"], confirmed_template["isDefault"]) == (
        "Yay {customerName}: {orderNumber}!",
        False,
    )
    order = await place_order(live.api, shop.admin, [("TEE", 1)])
    ok(await live.api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")

    await box.wait_for(1)
    [sent] = box.messages
    assert sent["Subject"] == "Yay Grace Hopper: #1001!"
    assert sent["From"] == "Acme Store <orders@acme.test>"


async def test_bad_templates_come_back_as_coded_user_errors_and_change_nothing(live, tenant):
    body = await live.api(
        tenant.admin,
        SETTINGS_UPDATE,
        input={
            "senderName": "x" * 201,
            "templates": [
                {"template": "ORDER_SHIPPED", "subject": "Hi {firstName}", "body": "{orderNumber} {oops}"}
            ],
        },
    )
    errors = body["data"]["notificationSettingsUpdate"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("TOO_LONG", ["senderName"]),
        ("UNKNOWN_PLACEHOLDER", ["templates", "0", "subject"]),
        ("UNKNOWN_PLACEHOLDER", ["templates", "0", "body"]),
    ]
    current = await live.api(tenant.admin, "{ notificationSettings { senderName templates { isDefault } } }")
    assert current["data"]["notificationSettings"]["senderName"] is None
    assert all(t["isDefault"] for t in current["data"]["notificationSettings"]["templates"])


async def test_only_admins_set_templates_and_only_managers_read_what_was_sent(live, tenant, other_tenant):
    shop = await open_shop(live.api, tenant)
    order = await place_order(live.api, shop.admin, [("TEE", 1)])
    update = {"input": {"senderName": "Mine"}}
    for role in (Role.STAFF, Role.STOREFRONT, Role.PARTNER):
        key = await tenant.key(role)
        body = await live.api(key, SETTINGS_UPDATE, **update)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", role
        read = await live.api(key, NOTIFICATIONS, id=order["id"])
        assert ("errors" in read) == (role != Role.STAFF), role
    # another tenant sees nothing of this order's emails
    theirs = await live.api(other_tenant.admin, NOTIFICATIONS, id=order["id"])
    assert theirs["data"]["notifications"]["nodes"] == []


async def test_a_return_emails_the_customer_when_approved_received_and_refunded(live, tenant, mailbox):
    from tests.api.return_documents import (
        RETURN_APPROVE,
        RETURN_RECEIVE,
        delivered_order,
        line_id,
        refund,
        request_return,
    )

    box, _ = mailbox
    shop = await open_shop(live.api, tenant)
    order = await delivered_order(live.api, shop, [("TEE", 1)])
    line = {"orderLineId": line_id(order, "TEE"), "quantity": 1, "reason": "DEFECTIVE"}
    ret = await request_return(live.api, shop.admin, order, [line])
    ok(await live.api(shop.admin, RETURN_APPROVE, id=ret["id"]), "returnApprove")
    receipt = [{"returnLineId": ret["lines"][0]["id"], "quantity": 1, "condition": "DEFECTIVE"}]
    body = await live.api(
        shop.admin, RETURN_RECEIVE, id=ret["id"], locationId=shop.location_id, lines=receipt
    )
    ok(body, "returnReceive")
    assert (await refund(live.api, shop.admin, order["id"], "mail-1", returnId=ret["id"]))["userErrors"] == []

    await box.wait_for(6)
    await asyncio.sleep(0.5)
    assert [m["Subject"] for m in box.messages][3:] == [
        "Your return RMA-1001 is approved",
        "We received your return RMA-1001",
        "A refund for your order #1001",
    ]
    approved, _, refunded = (m.get_payload(decode=True).decode() for m in box.messages[3:])
    assert "Please write RMA-1001 on the parcel" in approved  # quoted-printable, decoded
    assert "we have refunded 21.99 USD for your order #1001" in refunded
    shown = (await live.api(shop.admin, NOTIFICATIONS, id=order["id"]))["data"]["notifications"]["nodes"]
    assert [n["template"] for n in shown][3:] == ["RETURN_APPROVED", "RETURN_RECEIVED", "REFUND_ISSUED"]


async def test_cancelling_what_has_not_shipped_tells_the_customer(live, tenant, mailbox):
    from tests.api.test_cancel_remaining_api import CANCEL_REMAINING, _partly_shipped

    box, _ = mailbox
    shop = await open_shop(live.api, tenant)
    order, _ = await _partly_shipped(live.api, shop)
    ok(
        await live.api(shop.admin, CANCEL_REMAINING, id=order["id"], reason="The mugs are sold out."),
        "orderCancelRemaining",
    )

    await box.wait_for(4)
    await asyncio.sleep(0.5)
    subjects = [m["Subject"] for m in box.messages]
    assert "Part of your order #1001 was cancelled" in subjects
    part = box.messages[subjects.index("Part of your order #1001 was cancelled")]
    assert "The mugs are sold out." in part.get_payload(decode=True).decode()
    assert "A refund for your order #1001" in subjects


async def test_an_order_edit_emails_the_customer_only_when_staff_ask(live, tenant, mailbox):
    from tests.api.test_order_edits_api import BEGIN, COMMIT, SET_QUANTITY

    box, _ = mailbox
    shop = await open_shop(live.api, tenant)
    order = await place_order(live.api, shop.admin, [("TEE", 2)], email="grace@example.com")
    for notify, quantity in ((False, 3), (True, 1)):
        edit = ok(await live.api(shop.admin, BEGIN, id=order["id"]), "orderEditBegin")["orderEdit"]
        line = edit["lines"][0]["id"]
        ok(
            await live.api(shop.admin, SET_QUANTITY, id=edit["id"], line=line, quantity=quantity),
            "orderEditSetQuantity",
        )
        ok(
            await live.api(shop.admin, COMMIT, input={"editId": edit["id"], "notifyCustomer": notify}),
            "orderEditCommit",
        )

    await box.wait_for(1)
    await asyncio.sleep(0.5)
    assert [m["Subject"] for m in box.messages] == ["Your order #1001 was changed"]
    assert "Its total is now 27.49 USD" in box.messages[0].get_payload(decode=True).decode()
    shown = (await live.api(shop.admin, NOTIFICATIONS, id=order["id"]))["data"]["notifications"]["nodes"]
    assert [n["template"] for n in shown] == ["ORDER_EDITED"]
