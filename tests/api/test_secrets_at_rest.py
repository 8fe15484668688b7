"""Webhook, carrier and customer-token secrets are stored encrypted, still work, rotate to a new key,
and a secret stored in plain text before encryption keeps working until `baton secrets rotate` seals it.
The stored columns are read as a superuser, which row-level security does not hide anything from."""

from __future__ import annotations

import asyncio
import os
import stat

import asyncpg
import pytest

from domain import secrets
from server.cli import main
from server.secret_key import keys_for
from server.settings import Settings
from tests.api.customer_documents import CUSTOMER_TOKEN_CREATE, SECRET_ROTATE
from tests.api.documents import WEBHOOK_CREATE, ok
from tests.api.fulfillment_documents import CARRIER_SECRET
from tests.api.test_carrier_webhook_api import SHOP_ID, _post

PUBLIC_URL = "https://93.184.216.34/hooks"  # an address literal: no DNS lookup, not a private address
STORED = """
SELECT (SELECT secret FROM webhook_endpoints) AS webhook,
       (SELECT secret FROM carrier_accounts) AS carrier,
       (SELECT customer_secret FROM tenants WHERE customer_secret IS NOT NULL) AS customer
"""


async def _stored(superuser_url: str) -> dict[str, str]:
    conn = await asyncpg.connect(superuser_url)
    try:
        return dict(await conn.fetchrow(STORED))
    finally:
        await conn.close()


async def _store_all_three(api, shop) -> dict[str, str]:
    webhook = ok(await api(shop.admin, WEBHOOK_CREATE, url=PUBLIC_URL), "webhookEndpointCreate")["secret"]
    carrier = ok(await api(shop.admin, CARRIER_SECRET, carrier="generic"), "carrierSecretCreate")["secret"]
    customer = ok(await api(shop.admin, SECRET_ROTATE, keep=False), "customerTokenSecretRotate")["secret"]
    return {"webhook": webhook, "carrier": carrier, "customer": customer}


async def test_stored_secrets_are_encrypted_and_still_work(api, shop, superuser_url):
    shown = await _store_all_three(api, shop)
    stored = await _stored(superuser_url)
    token = await api(shop.admin, CUSTOMER_TOKEN_CREATE, input={"email": "ada@example.org"})

    for name, value in stored.items():
        assert value.startswith(secrets.PREFIX), name
        assert shown[name] not in value
        assert secrets.reveal(value) == shown[name]
    assert ok(token, "customerAccessTokenCreate")["token"].startswith("bc1.")


async def test_baton_secrets_rotate_reseals_everything_under_the_new_key(
    api, shop, database_url, superuser_url, monkeypatch, capsys
):
    shown = await _store_all_three(api, shop)
    before = await _stored(superuser_url)
    old, new = os.environ["BATON_SECRET_KEY"], secrets.new_key()
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("BATON_SECRET_KEY", f"{new},{old}")
    try:
        assert await asyncio.to_thread(main, ["secrets", "rotate"]) == 0  # it runs its own event loop
        after = await _stored(superuser_url)
        secrets.install([new])  # the old key dropped: everything must open with the new one alone
        opened = {name: secrets.reveal(value) for name, value in after.items()}
        secrets.install([old])
        with pytest.raises(secrets.SecretKeyError):
            secrets.reveal(after["webhook"])
    finally:
        secrets.install([old])

    assert "webhook_endpoints.secret: 1 re-encrypted" in capsys.readouterr().out
    assert opened == shown
    assert all(after[name] != before[name] for name in after)
    audited = await api(
        shop.admin, '{ auditLog(first: 5, operation: "cli:secrets rotate") { nodes { outcome } } }'
    )
    assert audited["data"]["auditLog"]["nodes"] == [{"outcome": "OK"}]


async def test_a_secret_stored_in_plain_text_before_encryption_still_signs_until_rotate_seals_it(
    api, shop, superuser_url, database_url, monkeypatch
):
    ok(await api(shop.admin, CARRIER_SECRET, carrier="generic"), "carrierSecretCreate")
    conn = await asyncpg.connect(superuser_url)
    try:
        await conn.execute("UPDATE carrier_accounts SET secret = 'cs_from_before'")
    finally:
        await conn.close()
    shop_id = (await api(shop.admin, SHOP_ID))["data"]["viewer"]["shop"]["id"]
    event = {"eventId": "evt-1", "trackingNumber": "NONE-1", "status": "delivered"}

    signed = await _post(api, shop_id, "cs_from_before", event)
    forged = await _post(api, shop_id, "cs_something_else", event)
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert await asyncio.to_thread(main, ["secrets", "rotate"]) == 0
    stored = (await _stored(superuser_url))["carrier"]

    assert forged.status_code == 401
    assert signed.status_code != 401  # the signature checked out against the plain secret
    assert stored.startswith(secrets.PREFIX) and secrets.reveal(stored) == "cs_from_before"


def test_serving_in_production_without_a_key_is_refused(database_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("BATON_ENV", "production")
    monkeypatch.delenv("BATON_SECRET_KEY")

    status = main(["serve"])

    assert status == 1
    assert "BATON_SECRET_KEY is not set" in capsys.readouterr().err


def test_development_keeps_one_key_beside_its_data_readable_by_its_owner_only(tmp_path):
    settings = Settings(**{**Settings.from_env().__dict__, "data_dir": tmp_path, "secret_key": None})

    first, again = keys_for(settings), keys_for(settings)

    assert first == again and first is not None and len(first) == 1
    assert stat.S_IMODE((tmp_path / "secret.key").stat().st_mode) == 0o600
