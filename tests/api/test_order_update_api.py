"""orderUpdate: an open order's note, tags and addresses change before fulfillment, and say so."""

from __future__ import annotations

from tests.api.documents import ORDER_CANCEL, ORDER_UPDATE, address, codes, ok, place_order

TIMELINE = "query($id: ID!) { order(id: $id) { note tags events { type data } } }"


async def test_staff_change_the_note_tags_and_address_of_an_open_order(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 1)])
    new_address = address(line1="2 New Street", postalCode="10001")

    body = await api(
        shop.admin,
        ORDER_UPDATE,
        input={
            "id": order["id"],
            "note": " Gift wrap ",
            "tags": ["vip", "gift", "vip"],
            "shippingAddress": new_address,
        },
    )

    updated = ok(body, "orderUpdate")["order"]
    assert (updated["note"], updated["tags"], updated["version"]) == ("Gift wrap", ["gift", "vip"], 2)
    assert updated["shippingAddress"] == {"line1": "2 New Street", "postalCode": "10001", "countryCode": "US"}
    events = (await api(shop.admin, TIMELINE, id=order["id"]))["data"]["order"]["events"]
    (change,) = [e for e in events if e["type"] == "ORDER_UPDATED"]
    assert change["data"]["fields"] == ["note", "shippingAddress", "tags"]


async def test_an_empty_note_clears_it_and_an_edit_that_changes_nothing_records_nothing(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 1)])
    ok(await api(shop.admin, ORDER_UPDATE, input={"id": order["id"], "note": "call first"}), "orderUpdate")

    cleared = ok(await api(shop.admin, ORDER_UPDATE, input={"id": order["id"], "note": ""}), "orderUpdate")
    again = ok(await api(shop.admin, ORDER_UPDATE, input={"id": order["id"], "note": ""}), "orderUpdate")

    assert cleared["order"]["note"] is None
    assert again["order"]["version"] == cleared["order"]["version"]
    events = (await api(shop.admin, TIMELINE, id=order["id"]))["data"]["order"]["events"]
    assert [e["type"] for e in events].count("ORDER_UPDATED") == 2


async def test_a_bad_address_is_refused_with_its_field_and_nothing_changes(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 1)])

    body = await api(
        shop.admin,
        ORDER_UPDATE,
        input={"id": order["id"], "note": "x", "shippingAddress": address(postalCode="ABC", name=" ")},
    )

    payload = body["data"]["orderUpdate"]
    assert payload["order"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_POSTAL_CODE", ["shippingAddress", "postalCode"]),
        ("REQUIRED", ["shippingAddress", "name"]),
    ]
    assert (await api(shop.admin, TIMELINE, id=order["id"]))["data"]["order"]["note"] is None


async def test_a_cancelled_order_can_no_longer_be_edited(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 1)])
    ok(await api(shop.admin, ORDER_CANCEL, id=order["id"]), "orderCancel")

    body = await api(shop.admin, ORDER_UPDATE, input={"id": order["id"], "note": "too late"})

    assert codes(body["data"]["orderUpdate"]) == ["ORDER_NOT_EDITABLE"]


async def test_an_edit_naming_nothing_to_change_is_refused(api, shop):
    order = await place_order(api, shop.admin, [("TEE", 1)])

    body = await api(shop.admin, ORDER_UPDATE, input={"id": order["id"]})

    assert codes(body["data"]["orderUpdate"]) == ["REQUIRED"]
