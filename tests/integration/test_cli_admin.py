"""The operator's commands: list tenants and keys, revoke a key, name a tenant by its Shop ID."""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid

from domain.db import make_engine
from domain.ids import parse_global, to_global
from domain.tenancy import service as tenancy
from server.cli import main, parser


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


def test_documents_take_a_shop_id_too(db, database_url, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["tenant", "create", "Initrode", "--json"]) == 0
    shop_id = to_global("Shop", uuid.UUID(_json(capsys)["tenant"]["id"]))
    document = tmp_path / "viewer.graphql"
    document.write_text("query Viewer { viewer { role } }")

    assert main(["documents", "register", "--tenant", shop_id, "--json", str(document)]) == 0
    registered = _json(capsys)["documents"]
    assert [d["name"] for d in registered] == ["viewer.graphql"]
    assert main(["documents", "list", "--tenant", shop_id, "--json"]) == 0
    assert [d["sha256Hash"] for d in _json(capsys)["documents"]] == [d["sha256Hash"] for d in registered]


def test_every_flag_of_every_command_says_what_it_is_for():
    def unexplained(p: argparse.ArgumentParser, path: str) -> list[str]:
        found = []
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found += unexplained(sub, f"{path} {name}")
            elif not action.help:
                found.append(f"{path}: {action.dest}")
        return found

    assert unexplained(parser(), "baton") == []
