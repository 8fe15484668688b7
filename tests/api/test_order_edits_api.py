"""Order editing through the API: stage, preview, commit; the refusals as coded userErrors that change
nothing; the edited order as every read shows it."""

from __future__ import annotations

from sqlalchemy import text

from domain.tenancy.models import Role
from tests.api.documents import ORDER_CONFIRM, ORDER_MARK_PAID, codes, ok, place_order, stock_of
from tests.db_helpers import as_system

EDIT = """
  id status changes expiresAt baseVersion
  lines { id sku quantity originalQuantity quantityShipped added unitPrice { amount } subtotal { amount }
    customizations { name value } }
  shippingMethod shippingAddress { city }
  adjustments { amount { amount } reason }
  subtotal { amount } shipping { amount } tax { amount } adjustmentTotal { amount } total { amount }
  totalOutstanding { amount currencyCode }
  stockChanges { sku quantity available }
"""
ERRORS = "userErrors { field message code }"
BEGIN = (
    f"mutation($id: ID!) {{ orderEditBegin(input: {{orderId: $id}}) {{ orderEdit {{ {EDIT} }} {ERRORS} }} }}"
)
ADD_LINE = f"""mutation($input: OrderEditAddLineInput!) {{
  orderEditAddLine(input: $input) {{ orderEdit {{ {EDIT} }} {ERRORS} }} }}"""
SET_QUANTITY = f"""mutation($id: ID!, $line: ID!, $quantity: Int!) {{
  orderEditSetQuantity(input: {{editId: $id, lineId: $line, quantity: $quantity}}) {{
    orderEdit {{ {EDIT} }} {ERRORS} }} }}"""
ADJUST = f"""mutation($input: OrderEditAddAdjustmentInput!) {{
  orderEditAddAdjustment(input: $input) {{ orderEdit {{ {EDIT} }} {ERRORS} }} }}"""
SET_SHIPPING = f"""mutation($input: OrderEditSetShippingInput!) {{
  orderEditSetShipping(input: $input) {{ orderEdit {{ {EDIT} }} {ERRORS} }} }}"""
DISCARD = (
    f"mutation($id: ID!) {{ orderEditDiscard(input: {{editId: $id}}) {{ orderEdit {{ status }} {ERRORS} }} }}"
)
COMMIT = f"""mutation($input: OrderEditCommitInput!) {{
  orderEditCommit(input: $input) {{
    order {{ id version total {{ amount }} balanceDue {{ amount }} paymentStatus shippingMethod
      adjustmentTotal {{ amount }} adjustments {{ amount {{ amount }} reason }}
      lines {{ sku quantity subtotal {{ amount }} customizations {{ name value }} }}
      fulfillmentOrders {{ status }} events {{ type data }} }}
    orderEdit {{ status }}
    refund {{ amount {{ amount }} reason }}
    {ERRORS}
  }}
}}"""
OPTIONS_SET = f"""mutation($input: ProductCustomizationOptionsSetInput!) {{
  productCustomizationOptionsSet(input: $input) {{ product {{ sku }} {ERRORS} }} }}"""
ENGRAVING = {"name": "Engraving", "kind": "TEXT", "priceDelta": "5", "maxLength": 8}


async def _paid_confirmed(api, shop, lines):
    order = await place_order(api, shop.admin, lines)
    ok(await api(shop.admin, ORDER_MARK_PAID, id=order["id"], reference="pay-1"), "orderMarkPaid")
    ok(await api(shop.admin, ORDER_CONFIRM, id=order["id"]), "orderConfirm")
    return (await api(shop.admin, "query($id: ID!) { order(id: $id) { id version } }", id=order["id"]))[
        "data"
    ]["order"]


async def _begin(api, key, order_id):
    return ok(await api(key, BEGIN, id=order_id), "orderEditBegin")["orderEdit"]


async def test_staff_stage_preview_and_commit_an_edit_and_every_read_shows_it(api, shop):
    ok(
        await api(shop.admin, OPTIONS_SET, input={"id": shop.mug_id, "options": [ENGRAVING]}),
        "productCustomizationOptionsSet",
    )
    order = await _paid_confirmed(api, shop, [("TEE", 2)])  # 39.98 + 4.00 tax + 5.00 + 0.50 = 49.48
    staff = await shop.tenant.key(Role.STAFF)
    edit = await _begin(api, staff, order["id"])
    assert (edit["status"], edit["baseVersion"], edit["total"]["amount"]) == (
        "OPEN",
        order["version"],
        "49.48",
    )
    (tee,) = edit["lines"]

    line = {
        "editId": edit["id"],
        "sku": "MUG",
        "quantity": 1,
        "customizations": [{"name": "Engraving", "value": "ADA"}],
    }
    added = ok(await api(staff, ADD_LINE, input=line), "orderEditAddLine")["orderEdit"]
    assert added["lines"][1] == {
        "id": added["lines"][1]["id"],
        "sku": "MUG",
        "quantity": 1,
        "originalQuantity": 0,
        "quantityShipped": 0,
        "added": True,
        "unitPrice": {"amount": "13.50"},
        "subtotal": {"amount": "13.50"},
        "customizations": [{"name": "Engraving", "value": "ADA"}],
    }
    assert added["stockChanges"] == [{"sku": "MUG", "quantity": 1, "available": 5}]
    ok(await api(staff, SET_QUANTITY, id=edit["id"], line=tee["id"], quantity=1), "orderEditSetQuantity")
    discount = {"editId": edit["id"], "kind": "DISCOUNT", "amount": "2.00", "reason": "Late delivery"}
    ok(await api(staff, ADJUST, input=discount), "orderEditAddAdjustment")
    preview = ok(
        await api(staff, SET_SHIPPING, input={"editId": edit["id"], "shippingMethod": "EXPRESS"}),
        "orderEditSetShipping",
    )["orderEdit"]
    # 19.99 + 13.50; tax 2.00 + 1.35 + 1.50 on EXPRESS 15.00; less 2.00
    assert (preview["subtotal"], preview["shipping"], preview["tax"]) == (
        {"amount": "33.49"},
        {"amount": "15.00"},
        {"amount": "4.85"},
    )
    assert (preview["adjustmentTotal"], preview["total"]) == ({"amount": "-2.00"}, {"amount": "51.34"})
    assert preview["totalOutstanding"] == {"amount": "1.86", "currencyCode": "USD"}
    assert preview["changes"] == 4 and preview["shippingMethod"] == "EXPRESS"
    assert (await stock_of(api, shop.admin, "MUG"))["committed"] == 0  # nothing reserved yet

    body = await api(
        staff,
        COMMIT,
        input={
            "editId": edit["id"],
            "notifyCustomer": True,
            "staffNote": "Phoned",
            "expectedVersion": order["version"],
        },
    )

    done = ok(body, "orderEditCommit")
    edited = done["order"]
    assert (edited["version"], edited["total"], edited["balanceDue"]) == (
        order["version"] + 1,
        {"amount": "51.34"},
        {"amount": "1.86"},
    )
    assert (edited["paymentStatus"], edited["shippingMethod"], done["refund"]) == (
        "PARTIALLY_PAID",
        "EXPRESS",
        None,
    )
    assert edited["adjustments"] == [{"amount": {"amount": "-2.00"}, "reason": "Late delivery"}]
    assert [(x["sku"], x["quantity"]) for x in edited["lines"]] == [("TEE", 1), ("MUG", 1)]
    assert [fo["status"] for fo in edited["fulfillmentOrders"]] == ["OPEN"]
    (event,) = [e for e in edited["events"] if e["type"] == "ORDER_EDITED"]
    assert [c["kind"] for c in event["data"]["changes"]] == [
        "ADD_LINE",
        "SET_QUANTITY",
        "ADJUST",
        "SET_SHIPPING",
    ]
    assert event["data"]["notifyCustomer"] is True
    assert done["orderEdit"]["status"] == "COMMITTED"
    assert (
        (await stock_of(api, shop.admin, "TEE"))["committed"],
        (await stock_of(api, shop.admin, "MUG"))["committed"],
    ) == (1, 1)
    read = await api(
        shop.admin,
        "query($id: ID!) { order(id: $id) { adjustmentTotal { amount } balanceDue { amount } } }",
        id=order["id"],
    )
    assert read["data"]["order"] == {"adjustmentTotal": {"amount": "-2.00"}, "balanceDue": {"amount": "1.86"}}


async def test_an_order_made_cheaper_refunds_what_was_paid_beyond_it(api, shop):
    order = await _paid_confirmed(api, shop, [("MUG", 3)])  # 25.50 + 2.55 + 5.50 = 33.55
    edit = await _begin(api, shop.admin, order["id"])
    (mug,) = edit["lines"]
    ok(await api(shop.admin, SET_QUANTITY, id=edit["id"], line=mug["id"], quantity=1), "orderEditSetQuantity")

    done = ok(await api(shop.admin, COMMIT, input={"editId": edit["id"]}), "orderEditCommit")

    assert done["refund"]["amount"] == {"amount": "18.70"}
    assert (done["order"]["total"], done["order"]["balanceDue"], done["order"]["paymentStatus"]) == (
        {"amount": "14.85"},
        {"amount": "0.00"},
        "PAID",
    )
    assert (await stock_of(api, shop.admin, "MUG"))["committed"] == 1


async def test_refusals_are_coded_and_change_nothing(api, shop, db):
    ok(
        await api(shop.admin, OPTIONS_SET, input={"id": shop.mug_id, "options": [ENGRAVING]}),
        "productCustomizationOptionsSet",
    )
    order = await _paid_confirmed(api, shop, [("TEE", 1)])
    first = await _begin(api, shop.admin, order["id"])
    second = await _begin(api, shop.admin, order["id"])

    bad = {
        "editId": first["id"],
        "sku": "MUG",
        "quantity": 1,
        "customizations": [{"name": "Engraving", "value": "TOO LONG TEXT"}],
    }
    body = await api(shop.admin, ADD_LINE, input=bad)
    assert body["data"]["orderEditAddLine"]["userErrors"] == [
        {
            "field": ["customizations", "0", "value"],
            "message": "'Engraving' takes at most 8 characters",
            "code": "INVALID_OPTION_VALUE",
        }
    ]
    short = {"editId": first["id"], "sku": "TEE", "quantity": 50}
    ok(await api(shop.admin, ADD_LINE, input=short), "orderEditAddLine")  # staging reserves nothing
    body = await api(shop.admin, COMMIT, input={"editId": first["id"]})
    assert body["data"]["orderEditCommit"]["userErrors"] == [
        {
            "field": ["lines", "1", "quantity"],
            "message": "Only 9 of 50 units are available",
            "code": "INSUFFICIENT_STOCK",
        }
    ]
    nothing = await api(shop.admin, COMMIT, input={"editId": second["id"]})
    assert codes(nothing["data"]["orderEditCommit"]) == ["NOTHING_TO_COMMIT"]

    (tee,) = first["lines"]
    ok(
        await api(shop.admin, SET_QUANTITY, id=second["id"], line=tee["id"], quantity=2),
        "orderEditSetQuantity",
    )
    ok(await api(shop.admin, DISCARD, id=first["id"]), "orderEditDiscard")
    assert codes((await api(shop.admin, DISCARD, id=first["id"]))["data"]["orderEditDiscard"]) == [
        "EDIT_CLOSED"
    ]
    stale = await _begin(api, shop.admin, order["id"])
    ok(
        await api(shop.admin, SET_QUANTITY, id=stale["id"], line=tee["id"], quantity=3),
        "orderEditSetQuantity",
    )
    ok(
        await api(shop.admin, COMMIT, input={"editId": second["id"], "expectedVersion": order["version"]}),
        "orderEditCommit",
    )
    assert codes(
        (await api(shop.admin, COMMIT, input={"editId": stale["id"]}))["data"]["orderEditCommit"]
    ) == ["STALE_VERSION"]

    late = await _begin(api, shop.admin, order["id"])
    async with as_system(db) as conn:
        await conn.execute(text("UPDATE order_edits SET expires_at = now() - interval '1 minute'"))
    body = await api(shop.admin, SET_QUANTITY, id=late["id"], line=tee["id"], quantity=1)
    assert codes(body["data"]["orderEditSetQuantity"]) == ["EDIT_EXPIRED"]
    assert (await stock_of(api, shop.admin, "TEE"))["committed"] == 2


async def test_staff_read_a_session_back_priced_on_the_order_as_it_is_now(api, shop, other_shop):
    order = await _paid_confirmed(api, shop, [("TEE", 1)])
    edit = await _begin(api, shop.admin, order["id"])
    ok(
        await api(shop.admin, ADD_LINE, input={"editId": edit["id"], "sku": "MUG", "quantity": 2}),
        "orderEditAddLine",
    )
    read = f"query($id: ID!) {{ orderEdit(id: $id) {{ {EDIT} }} }}"

    found = (await api(shop.admin, read, id=edit["id"]))["data"]["orderEdit"]

    assert (found["status"], found["changes"], found["stockChanges"]) == (
        "OPEN",
        1,
        [{"sku": "MUG", "quantity": 2, "available": 5}],
    )
    assert (await api(other_shop.admin, read, id=edit["id"]))["data"]["orderEdit"] is None
    ok(await api(shop.admin, DISCARD, id=edit["id"]), "orderEditDiscard")
    closed = (await api(shop.admin, read, id=edit["id"]))["data"]["orderEdit"]
    assert (closed["status"], [x["sku"] for x in closed["lines"]]) == ("DISCARDED", ["TEE"])
