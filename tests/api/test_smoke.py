from __future__ import annotations

LOCATION = "mutation($name: String!) { locationCreate(input: {name: $name}) { location { id code } userErrors { field message code } } }"


async def test_a_request_without_a_key_is_unauthenticated(api):
    response = await api.post(None, "{ orders { nodes { id } } }")
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_admin_creates_a_location(api, tenant):
    body = await api(tenant.admin, LOCATION, name="Main Warehouse")
    payload = body["data"]["locationCreate"]
    assert payload["userErrors"] == []
    assert payload["location"]["code"] == "main-warehouse"
