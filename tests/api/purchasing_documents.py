"""GraphQL documents for purchasing: suppliers, purchase orders, reordering."""

from __future__ import annotations

from typing import Any

from tests.api.documents import USER_ERRORS, global_id, ok

SUPPLIER_FIELDS = "id name contactEmail leadTimeDays minimumOrderQuantity packSize active"
PO_FIELDS = """
id number name status currencyCode automatic submittedAt expectedAt
supplier { name }
lines { sku quantity received outstanding unitCost { amount currencyCode } location { id } }
total { amount currencyCode }
"""

SUPPLIER_CREATE = f"""
mutation($input: SupplierCreateInput!) {{
  supplierCreate(input: $input) {{ supplier {{ {SUPPLIER_FIELDS} }} {USER_ERRORS} }}
}}"""
SUPPLIER_UPDATE = f"""
mutation($input: SupplierUpdateInput!) {{
  supplierUpdate(input: $input) {{ supplier {{ {SUPPLIER_FIELDS} }} {USER_ERRORS} }}
}}"""
SUPPLIER_PRODUCT_SET = f"""
mutation($input: SupplierProductSetInput!) {{
  supplierProductSet(input: $input) {{
    supplier {{ id products {{ sku supplierSku unitCost {{ amount currencyCode }} preferred }} }}
    {USER_ERRORS}
  }}
}}"""
PO_CREATE = f"""
mutation($input: PurchaseOrderCreateInput!) {{
  purchaseOrderCreate(input: $input) {{ created purchaseOrder {{ {PO_FIELDS} }} {USER_ERRORS} }}
}}"""
PO_SUBMIT = f"""
mutation($id: ID!) {{
  purchaseOrderSubmit(input: {{id: $id}}) {{ purchaseOrder {{ {PO_FIELDS} }} {USER_ERRORS} }}
}}"""
PO_RECEIVE = f"""
mutation($input: PurchaseOrderReceiveInput!) {{
  purchaseOrderReceive(input: $input) {{ purchaseOrder {{ {PO_FIELDS} }} {USER_ERRORS} }}
}}"""
PO_CANCEL = f"""
mutation($id: ID!) {{
  purchaseOrderCancel(input: {{id: $id}}) {{ purchaseOrder {{ {PO_FIELDS} }} {USER_ERRORS} }}
}}"""
POLICY_UPDATE = f"""
mutation($input: ReorderPolicyUpdateInput!) {{
  reorderPolicyUpdate(input: $input) {{ policy {{ serviceLevel reviewPeriodDays historyDays autoMode }} {USER_ERRORS} }}
}}"""
SUPPLIERS = f"{{ suppliers(first: 10) {{ nodes {{ {SUPPLIER_FIELDS} products {{ sku }} }} }} }}"
SUPPLIER = f"query($id: ID!) {{ supplier(id: $id) {{ {SUPPLIER_FIELDS} }} }}"
PURCHASE_ORDERS = f"""
query($status: [PurchaseOrderStatus!]) {{
  purchaseOrders(first: 10, status: $status) {{ nodes {{ {PO_FIELDS} }} pageInfo {{ hasNextPage }} }}
}}"""
PURCHASE_ORDER = f"query($id: ID!) {{ purchaseOrder(id: $id) {{ {PO_FIELDS} }} }}"
POLICY = "{ reorderPolicy { serviceLevel reviewPeriodDays historyDays autoMode } }"
SUGGESTIONS = """
query($onlyDue: Boolean) {
  replenishmentSuggestions(onlyDue: $onlyDue) {
    sku available incoming onOrder position averageDailyDemand reorderPoint orderUpTo needsReorder quantity
    leadTimeDays unitCost { amount } cost { amount } supplier { name } location { id }
  }
}"""

# Every purchasing mutation, sent with IDs of nothing: only a role check answers it with FORBIDDEN.
PURCHASING_MUTATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "supplierCreate": (SUPPLIER_CREATE, {"input": {"name": "Acme Textiles", "leadTimeDays": 5}}),
    "supplierUpdate": (SUPPLIER_UPDATE, {"input": {"id": global_id("Supplier"), "leadTimeDays": 6}}),
    "supplierProductSet": (
        SUPPLIER_PRODUCT_SET,
        {"input": {"supplierId": global_id("Supplier"), "sku": "TEE", "unitCost": "4.50"}},
    ),
    "purchaseOrderCreate": (
        PO_CREATE,
        {
            "input": {
                "supplierId": global_id("Supplier"),
                "lines": [{"sku": "TEE", "locationId": global_id("Location"), "quantity": 1}],
            }
        },
    ),
    "purchaseOrderSubmit": (PO_SUBMIT, {"id": global_id("PurchaseOrder")}),
    "purchaseOrderReceive": (
        PO_RECEIVE,
        {"input": {"id": global_id("PurchaseOrder"), "lines": [{"sku": "TEE", "quantity": 1}]}},
    ),
    "purchaseOrderCancel": (PO_CANCEL, {"id": global_id("PurchaseOrder")}),
    "reorderPolicyUpdate": (POLICY_UPDATE, {"input": {"autoMode": "OFF"}}),
}


async def create_supplier(api: Any, key: str, prices: dict[str, str], **fields: Any) -> str:
    body = await api(key, SUPPLIER_CREATE, input={"name": "Acme Textiles", "leadTimeDays": 5, **fields})
    supplier_id = ok(body, "supplierCreate")["supplier"]["id"]
    for sku, cost in prices.items():
        ok(
            await api(
                key, SUPPLIER_PRODUCT_SET, input={"supplierId": supplier_id, "sku": sku, "unitCost": cost}
            ),
            "supplierProductSet",
        )
    return supplier_id
