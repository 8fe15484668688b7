"""Persisted queries as Apollo Client's link speaks them (hash first, the text when the server does not know
it), over POST and GET, and allow-list mode: keys that run only their shop's registered documents."""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from domain.documents import store
from domain.documents.models import PersistedDocument
from server.cli import main
from server.persisted import CACHE_CHARS, LRU
from tests.api.documents import error_codes, ok
from tests.api.live import Socket
from tests.api.query_counting import counting
from tests.db_helpers import as_system

VIEWER = "query Viewer { viewer { role shop { name } } }"
SHOP_UPDATE = 'mutation { shopUpdate(input: {name: "Renamed"}) { shop { name } userErrors { code } } }'
KEY_CREATE = """
mutation($name: String!) {
  apiKeyCreate(input: {name: $name, role: STOREFRONT, registeredDocumentsOnly: true}) {
    apiKey { registeredDocumentsOnly } secret userErrors { code }
  }
}
"""


def sha(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def persisted(query: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(query)}}


async def post(api, key: str, body: dict[str, Any]) -> Any:
    return await api.client.post("/graphql", json=body, headers={"Authorization": f"Bearer {key}"})


async def get(api, key: str, **params: Any) -> Any:
    encoded = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
    headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
    return await api.client.get("/graphql", params=encoded, headers=headers)


async def allow_listed_key(api, tenant) -> str:
    payload = ok(await api(tenant.admin, KEY_CREATE, name="mobile app"), "apiKeyCreate")
    assert payload["apiKey"]["registeredDocumentsOnly"] is True
    return payload["secret"]


async def test_apollos_flow_a_hash_alone_is_not_found_then_hash_and_query_run_and_then_the_hash_alone_runs(
    api, tenant
):
    first = await post(api, tenant.admin, {"extensions": persisted(VIEWER)})
    assert first.status_code == 200
    assert first.json()["errors"] == [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ]

    second = await post(api, tenant.admin, {"query": VIEWER, "extensions": persisted(VIEWER)})
    assert second.status_code == 200
    assert second.json()["data"]["viewer"]["shop"]["name"] == "Acme"

    third = await post(api, tenant.admin, {"extensions": persisted(VIEWER), "operationName": "Viewer"})
    assert third.status_code == 200
    assert third.json()["data"] == second.json()["data"]


async def kept_documents(api) -> list[tuple[Any, str]]:
    async with as_system(api.engine) as conn:
        d = PersistedDocument
        rows = await conn.execute(select(d.tenant_id, d.query).order_by(d.created_at))
        return [(r.tenant_id, r.query) for r in rows]


async def test_a_persisted_query_is_kept_in_the_database_for_its_tenant_and_found_by_a_fresh_process(
    api, tenant
):
    await post(api, tenant.admin, {"query": VIEWER, "extensions": persisted(VIEWER)})
    assert await kept_documents(api) == [(tenant.id, VIEWER)]

    api.app.state.view.documents.stored = LRU(CACHE_CHARS)  # as a new replica would start
    answer = await post(api, tenant.admin, {"extensions": persisted(VIEWER)})
    assert answer.json()["data"]["viewer"]["shop"]["name"] == "Acme"


async def test_a_document_persisted_through_one_shop_is_not_found_through_another(api, tenant, other_tenant):
    await post(api, tenant.admin, {"query": VIEWER, "extensions": persisted(VIEWER)})

    warm = await post(api, other_tenant.admin, {"extensions": persisted(VIEWER)})
    api.app.state.view.documents.stored = LRU(CACHE_CHARS)  # as a new replica would start
    cold = await post(api, other_tenant.admin, {"extensions": persisted(VIEWER)})

    for answer in (warm, cold):
        assert answer.json()["errors"] == [
            {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
        ]
    # ...until that shop's own client sends the text: then it is kept for it too, and each runs as itself
    await post(api, other_tenant.admin, {"query": VIEWER, "extensions": persisted(VIEWER)})
    ours = await post(api, tenant.admin, {"extensions": persisted(VIEWER)})
    theirs = await post(api, other_tenant.admin, {"extensions": persisted(VIEWER)})
    assert ours.json()["data"]["viewer"]["shop"]["name"] == "Acme"
    assert theirs.json()["data"]["viewer"]["shop"]["name"] == "Globex"
    assert sorted(await kept_documents(api)) == sorted([(tenant.id, VIEWER), (other_tenant.id, VIEWER)])


async def test_a_shop_keeps_at_most_its_limit_of_persisted_queries_and_a_full_store_still_runs_them(
    api, tenant, other_tenant
):
    api.app.state.view.documents.limit = 2
    queries = [f"query Q{n} {{ viewer {{ role }} }}" for n in range(3)]
    answers = [await post(api, tenant.admin, {"query": q, "extensions": persisted(q)}) for q in queries]

    assert [a.json()["data"] for a in answers] == [{"viewer": {"role": "ADMIN"}}] * 3
    assert [a.json().get("extensions", {}).get("persistedQuery") for a in answers[:2]] == [None, None]
    assert answers[2].json()["extensions"]["persistedQuery"]["code"] == "PERSISTED_QUERY_STORE_FULL"
    assert "errors" not in answers[2].json()
    assert [q for _, q in await kept_documents(api)] == queries[:2]
    again = await post(api, tenant.admin, {"extensions": persisted(queries[2])})
    assert error_codes(again.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    # a document already kept is sent again without complaint, and another shop has its own room
    kept = await post(api, tenant.admin, {"query": queries[0], "extensions": persisted(queries[0])})
    assert "persistedQuery" not in kept.json().get("extensions", {})
    theirs = await post(api, other_tenant.admin, {"query": queries[2], "extensions": persisted(queries[2])})
    assert "persistedQuery" not in theirs.json().get("extensions", {})
    assert (other_tenant.id, queries[2]) in await kept_documents(api)


async def test_once_warm_a_query_by_hash_sends_no_sql_for_the_document(api, tenant):
    await post(api, tenant.admin, {"query": VIEWER, "extensions": persisted(VIEWER)})
    with counting(api) as plain:
        await post(api, tenant.admin, {"query": VIEWER})
        await asyncio.sleep(0)  # asyncpg hands records to its loggers on the next loop turn
    with counting(api) as by_hash:
        await post(api, tenant.admin, {"extensions": persisted(VIEWER)})
        await asyncio.sleep(0)
    assert len(by_hash) == len(plain)
    assert not any("persisted_documents" in s for s in by_hash.seen)


async def test_a_hash_that_is_not_the_querys_sha256_is_refused_and_nothing_is_kept(api, tenant):
    answer = await post(api, tenant.admin, {"query": VIEWER, "extensions": persisted("{ viewer { role } }")})

    assert answer.status_code == 400
    assert error_codes(answer.json()) == ["PERSISTED_QUERY_HASH_MISMATCH"]
    async with as_system(api.engine) as conn:  # every tenant's rows
        assert (await conn.execute(select(func.count()).select_from(PersistedDocument))).scalar() == 0


@pytest.mark.parametrize(
    "extension",
    [
        {"version": 2, "sha256Hash": "0" * 64},
        {"version": 1, "sha256Hash": "not hex"},
        {"version": 1},
        "a string",
    ],
)
async def test_a_persisted_query_extension_that_is_not_version_1_with_a_sha256_is_refused(
    api, tenant, extension
):
    answer = await post(api, tenant.admin, {"extensions": {"persistedQuery": extension}})

    assert answer.status_code == 400
    assert error_codes(answer.json()) == ["BAD_REQUEST"]


async def test_a_document_that_does_not_validate_is_not_kept(api, tenant):
    bad = "{ viewer { noSuchField } }"
    answer = await post(api, tenant.admin, {"query": bad, "extensions": persisted(bad)})

    assert error_codes(answer.json()) == ["GRAPHQL_VALIDATION_FAILED"]
    again = await post(api, tenant.admin, {"extensions": persisted(bad)})
    assert error_codes(again.json()) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_a_get_by_hash_runs_a_query_whose_answer_only_the_client_may_keep(api, tenant):
    await post(api, tenant.admin, {"query": VIEWER, "extensions": persisted(VIEWER)})

    answer = await get(api, tenant.admin, extensions=persisted(VIEWER), operationName="Viewer", variables={})

    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["viewer"]["role"] == "ADMIN"
    assert answer.headers["cache-control"] == "private, no-store"
    assert "Authorization" in answer.headers["vary"]


async def test_a_get_by_an_unknown_hash_answers_not_found_rather_than_the_graphql_ide(api, tenant):
    answer = await api.client.get(
        "/graphql",
        params={"extensions": json.dumps(persisted(VIEWER))},
        headers={"Authorization": f"Bearer {tenant.admin}", "Accept": "*/*"},
    )

    assert answer.status_code == 200
    assert error_codes(answer.json()) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_a_mutation_over_get_is_refused_even_by_hash(api, tenant):
    await post(api, tenant.admin, {"query": SHOP_UPDATE, "extensions": persisted(SHOP_UPDATE)})

    answer = await get(api, tenant.admin, extensions=persisted(SHOP_UPDATE))

    assert answer.status_code == 400
    assert "mutation" in answer.text.lower()
    shop = await api(tenant.admin, "{ shop { name } }")
    assert shop["data"]["shop"]["name"] == "Renamed"  # renamed once, by the POST only


async def test_an_allow_listed_key_is_refused_a_document_its_shop_did_not_register(api, tenant):
    mobile = await allow_listed_key(api, tenant)

    by_text = await post(api, mobile, {"query": VIEWER})
    await post(
        api, tenant.admin, {"query": VIEWER, "extensions": persisted(VIEWER)}
    )  # persisted, not registered
    by_hash = await post(api, mobile, {"extensions": persisted(VIEWER)})

    for answer in (by_text, by_hash):
        assert answer.status_code == 200
        assert answer.json() == {
            "data": None,
            "errors": [
                {
                    "message": "This API key runs only documents its shop registered, and this one is not",
                    "extensions": {"code": "DOCUMENT_NOT_REGISTERED"},
                }
            ],
        }


async def test_an_allow_listed_key_runs_a_registered_document_by_hash_and_by_text(api, tenant):
    mobile = await allow_listed_key(api, tenant)
    await store.register(api.engine, tenant.id, [("viewer.graphql", VIEWER)])

    by_hash = await post(api, mobile, {"extensions": persisted(VIEWER)})
    by_text = await post(api, mobile, {"query": VIEWER})
    by_both = await post(api, mobile, {"query": VIEWER, "extensions": persisted(VIEWER)})

    for answer in (by_hash, by_text, by_both):
        assert answer.json()["data"]["viewer"] == {"role": "STOREFRONT", "shop": {"name": "Acme"}}


async def test_other_keys_of_the_shop_run_any_document(api, tenant):
    await allow_listed_key(api, tenant)
    await store.register(api.engine, tenant.id, [("viewer.graphql", VIEWER)])

    answer = await api(tenant.admin, "{ shop { name } }")

    assert answer["data"]["shop"]["name"] == "Acme"


async def test_a_document_registered_by_one_shop_is_not_registered_for_another(api, tenant, other_tenant):
    await store.register(api.engine, tenant.id, [("viewer.graphql", VIEWER)])
    theirs = await allow_listed_key(api, other_tenant)

    by_hash = await post(api, theirs, {"extensions": persisted(VIEWER)})
    by_text = await post(api, theirs, {"query": VIEWER})

    assert error_codes(by_hash.json()) == ["PERSISTED_QUERY_NOT_FOUND"]  # its text is not shown either
    assert error_codes(by_text.json()) == ["DOCUMENT_NOT_REGISTERED"]
    assert [d.name for d in await store.listed(api.engine, other_tenant.id)] == []


async def test_baton_documents_register_registers_each_file_and_prints_the_hashes(
    api, tenant, database_url, monkeypatch, capsys, tmp_path
):
    several = "query Viewer { viewer { role } }\n\nquery Shop { shop { name } }\n"
    (tmp_path / "app.graphql").write_text(several)
    (tmp_path / "viewer.graphql").write_text(VIEWER)
    monkeypatch.setenv("DATABASE_URL", database_url)
    args = ["documents", "register", "--tenant", str(tenant.id), "--json"]

    status = await asyncio.to_thread(
        main, [*args, str(tmp_path / "app.graphql"), str(tmp_path / "viewer.graphql")]
    )
    printed = json.loads(capsys.readouterr().out)
    again = await asyncio.to_thread(main, [*args, str(tmp_path / "viewer.graphql")])
    repeated = json.loads(capsys.readouterr().out)
    listed = await asyncio.to_thread(main, ["documents", "list", "--tenant", str(tenant.id)])

    assert status == again == listed == 0
    assert printed == {
        "documents": [
            {"name": "app.graphql", "sha256Hash": sha(several), "new": True},
            {"name": "viewer.graphql", "sha256Hash": sha(VIEWER), "new": True},
        ]
    }
    assert repeated["documents"][0]["new"] is False
    assert f"{sha(several)}  app.graphql" in capsys.readouterr().out
    mobile = await allow_listed_key(api, tenant)
    shop = await post(api, mobile, {"query": several, "operationName": "Shop"})
    assert shop.json()["data"] == {"shop": {"name": "Acme"}}
    audited = await api(
        tenant.admin, '{ auditLog(first: 5, operation: "cli:documents register") { nodes { outcome } } }'
    )
    assert [n["outcome"] for n in audited["data"]["auditLog"]["nodes"]] == ["OK", "OK"]


async def test_baton_documents_register_refuses_a_file_that_does_not_validate_and_registers_none(
    tenant, database_url, monkeypatch, capsys, tmp_path
):
    (tmp_path / "good.graphql").write_text(VIEWER)
    (tmp_path / "bad.graphql").write_text("{ viewer { noSuchField } }")
    monkeypatch.setenv("DATABASE_URL", database_url)

    status = await asyncio.to_thread(
        main,
        [
            "documents",
            "register",
            "--tenant",
            str(tenant.id),
            str(tmp_path / "good.graphql"),
            str(tmp_path / "bad.graphql"),
        ],
    )

    assert status == 2
    assert "noSuchField" in capsys.readouterr().err
    assert await store.listed(tenant.engine, tenant.id) == []


async def test_over_a_socket_an_allow_listed_key_runs_only_registered_documents_and_may_name_them_by_hash(
    live, api, tenant
):
    mobile = await allow_listed_key(api, tenant)
    await store.register(api.engine, tenant.id, [("viewer.graphql", VIEWER)])

    async with Socket.open(live.ws_url, mobile) as sock:
        refused = await sock.subscribe("{ shop { name } }")
        message = await sock.message(refused)
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "DOCUMENT_NOT_REGISTERED"

        await sock.ws.send(
            json.dumps({"id": "h", "type": "subscribe", "payload": {"extensions": persisted(VIEWER)}})
        )
        assert (await sock.next("h"))["viewer"]["role"] == "STOREFRONT"
        by_text = await sock.subscribe(VIEWER)
        assert (await sock.next(by_text))["viewer"]["shop"] == {"name": "Acme"}
