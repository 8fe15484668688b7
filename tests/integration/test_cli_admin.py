"""The operator's commands: list tenants and keys, revoke a key, name a tenant by its Shop ID."""

from __future__ import annotations

import asyncio
import json
import uuid

from domain.db import make_engine
from domain.ids import parse_global
from domain.tenancy import service as tenancy
from server.cli import main


def _json(capsys) -> object:
    return json.loads(capsys.readouterr().out)


def test_an_operator_finds_a_shop_lists_its_keys_and_revokes_a_leaked_one(
    db, database_url, monkeypatch, capsys
):
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["tenant", "create", "Initech", "--json"]) == 0
    created = _json(capsys)
    admin_key = created["apiKey"]

    assert main(["tenant", "list", "--json"]) == 0
    [shop] = [t for t in _json(capsys) if t["id"] == created["tenant"]["id"]]
    assert shop["name"] == "Initech"
    assert parse_global(shop["shopId"]) == ("Shop", uuid.UUID(shop["id"]))  # the API's Shop ID

    assert main(["apikey", "create", "--tenant", shop["shopId"], "--role", "PARTNER", "--json"]) == 0
    leaked = _json(capsys)
    assert main(["apikey", "list", "--tenant", shop["shopId"], "--json"]) == 0
    listed = _json(capsys)
    assert {k["role"] for k in listed} == {"ADMIN", "PARTNER"}
    assert all("apiKey" not in k and k["revokedAt"] is None for k in listed)  # never a secret
    partner = next(k for k in listed if k["role"] == "PARTNER")

    assert main(["apikey", "revoke", partner["id"], "--tenant", shop["id"], "--json"]) == 0
    assert _json(capsys)[0]["revokedAt"]

    async def live(secret: str) -> bool:
        engine = make_engine(database_url, pool_size=1)
        try:
            return await tenancy.authenticate(engine, secret) is not None
        finally:
            await engine.dispose()

    assert asyncio.run(live(leaked["apiKey"])) is False  # the leaked key no longer opens anything
    assert asyncio.run(live(admin_key)) is True
    assert main(["apikey", "list", "--tenant", shop["id"], "--json"]) == 0
    assert [k["revokedAt"] is not None for k in _json(capsys) if k["role"] == "PARTNER"] == [True]


def test_a_tenant_that_is_neither_a_uuid_nor_a_shop_id_is_refused(db, database_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["apikey", "list", "--tenant", "Initech"]) == 2
    assert "Shop ID" in capsys.readouterr().err
