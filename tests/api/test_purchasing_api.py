"""Purchasing over GraphQL: a buyer's day (supplier, purchase order, submit, receipts, cancel), the
userErrors of each refusal, who may buy, and that one shop never sees another's suppliers or orders."""

from __future__ import annotations

from domain.tenancy.models import Role
from tests.api.customer_documents import KEY_CREATE
from tests.api.documents import INVENTORY_SET, NODE, codes, error_codes, global_id, ok, place_order, stock_of
from tests.api.purchasing_documents import (
    PO_CANCEL,
    PO_CREATE,
    PO_RECEIVE,
    PO_SUBMIT,
    POLICY,
    POLICY_UPDATE,
    PURCHASE_ORDER,
    PURCHASE_ORDERS,
    PURCHASING_MUTATIONS,
    SUGGESTIONS,
    SUPPLIER,
    SUPPLIER_CREATE,
    SUPPLIER_PRODUCT_SET,
    SUPPLIERS,
    create_supplier,
)
from tests.api.query_counting import statements_for


def _order(supplier_id: str, location_id: str, quantity: int, key: str | None = None) -> dict:
    return {
        "supplierId": supplier_id,
        "lines": [{"sku": "TEE", "locationId": location_id, "quantity": quantity}],
        "idempotencyKey": key,
    }


async def test_a_buyer_orders_submits_receives_in_parts_and_the_stock_follows(api, shop, database_url):
    admin = shop.admin
    supplier_id = await create_supplier(api, admin, {"TEE": "4.50"}, contactEmail="Sales@Acme.example")

    created = ok(
        await api(admin, PO_CREATE, input=_order(supplier_id, shop.location_id, 10, "po-1")),
        "purchaseOrderCreate",
    )
    po = created["purchaseOrder"]
    assert created["created"] and (po["name"], po["status"]) == ("PO-1001", "DRAFT")
    assert (
        po["total"] == {"amount": "45.00", "currencyCode": "USD"}
        and po["supplier"]["name"] == "Acme Textiles"
    )
    repeat = ok(
        await api(admin, PO_CREATE, input=_order(supplier_id, shop.location_id, 10, "po-1")),
        "purchaseOrderCreate",
    )
    assert not repeat["created"] and repeat["purchaseOrder"]["id"] == po["id"]

    submitted = ok(await api(admin, PO_SUBMIT, id=po["id"]), "purchaseOrderSubmit")["purchaseOrder"]
    assert submitted["status"] == "SUBMITTED" and submitted["expectedAt"]
    assert (await stock_of(api, admin, "TEE"))["incoming"] == 10

    receipt = {"id": po["id"], "lines": [{"sku": "TEE", "quantity": 4}], "idempotencyKey": "dock-1"}
    for _ in range(2):  # a retried receipt receives nothing more
        got = ok(await api(admin, PO_RECEIVE, input=receipt), "purchaseOrderReceive")["purchaseOrder"]
    assert got["status"] == "PARTIALLY_RECEIVED"
    assert [(line["received"], line["outstanding"]) for line in got["lines"]] == [(4, 6)]
    stock = await stock_of(api, admin, "TEE")
    assert (stock["onHand"], stock["incoming"]) == (14, 6)

    too_many = {"id": po["id"], "lines": [{"sku": "TEE", "quantity": 7}, {"sku": "MUG", "quantity": 1}]}
    refused = (await api(admin, PO_RECEIVE, input=too_many))["data"]["purchaseOrderReceive"]
    assert refused["purchaseOrder"] is None
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("EXCEEDS_OUTSTANDING", ["lines", "0", "quantity"]),
        ("UNKNOWN_SKU", ["lines", "1", "sku"]),
    ]

    cancelled = ok(await api(admin, PO_CANCEL, id=po["id"]), "purchaseOrderCancel")["purchaseOrder"]
    assert cancelled["status"] == "CANCELLED" and cancelled["lines"][0]["outstanding"] == 0
    stock = await stock_of(api, admin, "TEE")
    assert (stock["onHand"], stock["incoming"]) == (14, 0)
    again = (await api(admin, PO_SUBMIT, id=po["id"]))["data"]["purchaseOrderSubmit"]
    assert codes(again) == ["INVALID_TRANSITION"]

    listed = (await api(admin, PURCHASE_ORDERS, status=["CANCELLED"]))["data"]["purchaseOrders"]["nodes"]
    assert [p["number"] for p in listed] == [1001]
    assert (await api(admin, PURCHASE_ORDERS, status=["DRAFT"]))["data"]["purchaseOrders"]["nodes"] == []
    node = (await api(admin, NODE, id=po["id"]))["data"]["node"]
    assert node["id"] == po["id"]
    suppliers = (await api(admin, SUPPLIERS))["data"]["suppliers"]["nodes"]
    assert [(s["contactEmail"], s["products"]) for s in suppliers] == [
        ("sales@acme.example", [{"sku": "TEE"}])
    ]


async def test_each_refusal_is_a_coded_user_error(api, shop):
    admin = shop.admin
    bad = (await api(admin, SUPPLIER_CREATE, input={"name": " ", "leadTimeDays": -1, "packSize": 0}))["data"]
    assert [(e["code"], e["field"]) for e in bad["supplierCreate"]["userErrors"]] == [
        ("REQUIRED", ["name"]),
        ("INVALID", ["leadTimeDays"]),
        ("INVALID_QUANTITY", ["packSize"]),
    ]
    supplier_id = await create_supplier(api, admin, {"TEE": "4.50"}, minimumOrderQuantity=12, packSize=6)
    duplicate = await api(admin, SUPPLIER_CREATE, input={"name": "Acme Textiles", "leadTimeDays": 5})
    assert codes(duplicate["data"]["supplierCreate"]) == ["DUPLICATE"]
    unknown = await api(
        admin, SUPPLIER_PRODUCT_SET, input={"supplierId": supplier_id, "sku": "NOPE", "unitCost": "1"}
    )
    assert codes(unknown["data"]["supplierProductSet"]) == ["UNKNOWN_SKU"]

    short = (await api(admin, PO_CREATE, input=_order(supplier_id, shop.location_id, 8)))["data"]
    assert codes(short["purchaseOrderCreate"]) == ["BELOW_MINIMUM_ORDER"]
    nowhere = (await api(admin, PO_CREATE, input=_order(supplier_id, global_id("Location"), 12)))["data"]
    assert [e["field"] for e in nowhere["purchaseOrderCreate"]["userErrors"]] == [
        ["lines", "0", "locationId"]
    ]
    nobody = (await api(admin, PO_CREATE, input=_order(global_id("Supplier"), shop.location_id, 12)))["data"]
    assert codes(nobody["purchaseOrderCreate"]) == ["NOT_FOUND"]
    draft = ok(
        await api(admin, PO_CREATE, input=_order(supplier_id, shop.location_id, 12)), "purchaseOrderCreate"
    )
    early = {"id": draft["purchaseOrder"]["id"], "lines": [{"sku": "TEE", "quantity": 1}]}
    assert codes((await api(admin, PO_RECEIVE, input=early))["data"]["purchaseOrderReceive"]) == [
        "INVALID_TRANSITION"
    ]

    policy = (await api(admin, POLICY_UPDATE, input={"serviceLevel": "0.9999", "historyDays": 3}))["data"]
    assert [e["field"] for e in policy["reorderPolicyUpdate"]["userErrors"]] == [
        ["serviceLevel"],
        ["historyDays"],
    ]
    assert (await api(admin, POLICY))["data"]["reorderPolicy"] == {
        "serviceLevel": "0.950",
        "reviewPeriodDays": 7,
        "historyDays": 56,
        "autoMode": "OFF",
    }


async def test_suggestions_say_what_to_buy_from_whom_in_the_suppliers_packs(api, shop):
    admin = shop.admin
    await create_supplier(api, admin, {"TEE": "4.50", "MUG": "2.00"}, packSize=12)
    await place_order(api, admin, [("TEE", 8)])  # 2 of 10 left, under TEE's reorder point of 5
    ok(
        await api(admin, POLICY_UPDATE, input={"serviceLevel": "0.9", "historyDays": 7}),
        "reorderPolicyUpdate",
    )
    ok(
        await api(admin, INVENTORY_SET, sku="TEE", locationId=shop.location_id, onHand=10, reorderPoint=5),
        "inventorySet",
    )

    due = (await api(admin, SUGGESTIONS))["data"]["replenishmentSuggestions"]
    every = (await api(admin, SUGGESTIONS, onlyDue=False))["data"]["replenishmentSuggestions"]

    [tee] = due
    assert (tee["sku"], tee["available"], tee["needsReorder"], tee["supplier"]["name"]) == (
        "TEE",
        2,
        True,
        "Acme Textiles",
    )
    assert tee["reorderPoint"] >= 5 and tee["quantity"] % 12 == 0 and tee["quantity"] >= tee["orderUpTo"] - 2
    assert tee["cost"]["amount"] == f"{tee['quantity'] * 4.5:.2f}"
    assert {s["sku"] for s in every} == {"TEE", "MUG"}


async def test_staff_read_purchasing_and_buy_only_with_a_key_issued_for_it(api, shop):
    staff = await shop.tenant.key(Role.STAFF)
    assert "errors" not in await api(staff, SUPPLIERS)
    assert "errors" not in await api(staff, SUGGESTIONS)
    for name, (document, variables) in PURCHASING_MUTATIONS.items():
        body = await api(staff, document, **variables)
        assert error_codes(body) == ["FORBIDDEN"] and "purchasing:write" in body["errors"][0]["message"], name

    issued = await api(
        shop.admin,
        KEY_CREATE,
        input={
            "name": "buyer",
            "role": "STAFF",
            "scopes": ["purchasing:read", "purchasing:write", "catalog:read"],
        },
    )
    buyer = ok(issued, "apiKeyCreate")["secret"]
    supplier_id = await create_supplier(api, buyer, {"TEE": "4.50"})
    assert (await api(buyer, SUPPLIER, id=supplier_id))["data"]["supplier"]["name"] == "Acme Textiles"
    assert error_codes(await api(buyer, "{ orders { nodes { id } } }")) == ["FORBIDDEN"]


async def test_another_shops_suppliers_and_purchase_orders_read_as_missing(api, shop, other_shop):
    theirs = await create_supplier(api, other_shop.admin, {"TEE": "4.50"})
    po = ok(
        await api(other_shop.admin, PO_CREATE, input=_order(theirs, other_shop.location_id, 3)),
        "purchaseOrderCreate",
    )["purchaseOrder"]

    assert (await api(shop.admin, SUPPLIER, id=theirs))["data"]["supplier"] is None
    assert (await api(shop.admin, PURCHASE_ORDER, id=po["id"]))["data"]["purchaseOrder"] is None
    assert (await api(shop.admin, SUPPLIERS))["data"]["suppliers"]["nodes"] == []
    submit = (await api(shop.admin, PO_SUBMIT, id=po["id"]))["data"]["purchaseOrderSubmit"]
    assert codes(submit) == ["NOT_FOUND"]
    mine = await api(shop.admin, PO_CREATE, input=_order(theirs, shop.location_id, 3))
    assert codes(mine["data"]["purchaseOrderCreate"]) == ["NOT_FOUND"]


PURCHASE_ORDERS_DEEP = """
query($first: Int!) {
  purchaseOrders(first: $first) {
    nodes { name status total { amount } supplier { name products { sku } } lines { sku location { code } } }
  }
}
"""
# The key lookup, then one batched read each: purchase orders, suppliers, supplier products, lines,
# locations.
PURCHASE_ORDER_STATEMENTS = 3 + 5 * 3


async def test_listing_purchase_orders_with_lines_and_suppliers_does_not_grow_with_the_page(api, shop):
    supplier_id = await create_supplier(api, shop.admin, {"TEE": "4.50", "MUG": "2.00"})
    for i in range(12):
        order = _order(supplier_id, shop.location_id, i + 1)
        order["lines"].append({"sku": "MUG", "locationId": shop.location_id, "quantity": 1})
        ok(await api(shop.admin, PO_CREATE, input=order), "purchaseOrderCreate")

    three = await statements_for(api, shop.admin, PURCHASE_ORDERS_DEEP, first=3)
    twelve = await statements_for(api, shop.admin, PURCHASE_ORDERS_DEEP, first=12)

    assert twelve == three
    assert three <= PURCHASE_ORDER_STATEMENTS
    nodes = (await api(shop.admin, PURCHASE_ORDERS_DEEP, first=12))["data"]["purchaseOrders"]["nodes"]
    assert [n["name"] for n in nodes[:2]] == ["PO-1012", "PO-1011"]  # newest number first
    assert all([line["sku"] for line in n["lines"]] == ["MUG", "TEE"] for n in nodes)


async def test_one_preferred_supplier_per_product_and_a_price_change_keeps_what_it_leaves_out(api, shop):
    admin = shop.admin
    first = await create_supplier(api, admin, {})
    second = await create_supplier(api, admin, {}, name="Globex Mills")

    def price(supplier_id: str, **fields) -> dict:
        return {"supplierId": supplier_id, "sku": "TEE", "unitCost": "4.50", **fields}

    ok(
        await api(admin, SUPPLIER_PRODUCT_SET, input=price(first, supplierSku="AC-1", preferred=True)),
        "supplierProductSet",
    )
    ok(await api(admin, SUPPLIER_PRODUCT_SET, input=price(second, preferred=True)), "supplierProductSet")
    changed = ok(
        await api(admin, SUPPLIER_PRODUCT_SET, input=price(first, unitCost="4.75")), "supplierProductSet"
    )

    assert changed["supplier"]["products"] == [
        {
            "sku": "TEE",
            "supplierSku": "AC-1",
            "unitCost": {"amount": "4.75", "currencyCode": "USD"},
            "preferred": False,
        }
    ]
    theirs = (await api(admin, SUPPLIERS))["data"]["suppliers"]["nodes"]
    assert [s["name"] for s in theirs] == ["Acme Textiles", "Globex Mills"]
