"""GraphiQL's page comes from Baton with everything it loads: no script or style from another host,
each file as pinned in server/graphiql/VERSIONS, cacheable for good; none of it in production.
tests/api/test_graphiql_offline.py opens the page in a real browser."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from urllib.parse import unquote

import httpx
import pytest

from server.app import create_app
from server.graphiql import PREFIX, link, pinned
from server.settings import Settings


class _Loads(HTMLParser):
    """Every URL in a src or href attribute: what the browser fetches for the page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


async def _loads(client: httpx.AsyncClient) -> list[str]:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'id="graphiql"' in response.text
    parser = _Loads()
    parser.feed(response.text)
    return parser.urls


async def test_the_graphiql_page_loads_nothing_from_another_host(api):
    urls = await _loads(api.client)

    fetched = [url for url in urls if not url.startswith("data:")]  # the icon is inline
    assert len(fetched) == 6
    assert all(url.startswith(PREFIX + "/") for url in fetched), fetched


async def test_each_file_the_page_loads_is_served_as_pinned_with_its_type_and_cached_for_good(api):
    digests = pinned()

    for url in await _loads(api.client):
        if url.startswith("data:"):
            continue
        name = url.rsplit("/", 1)[1]
        response = await api.client.get(url)  # httpx asks for gzip and undoes it
        plain = await api.client.get(url, headers={"Accept-Encoding": "identity"})

        assert response.status_code == plain.status_code == 200
        assert response.headers["content-encoding"] == "gzip"
        assert "content-encoding" not in plain.headers
        assert hashlib.sha256(response.content).hexdigest() == digests[name]
        assert hashlib.sha256(plain.content).hexdigest() == digests[name]
        kind = "text/javascript" if name.endswith(".js") else "text/css"
        assert response.headers["content-type"] == f"{kind}; charset=utf-8"
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_a_file_under_another_digest_or_not_served_is_not_found(api):
    react = next(url for url in await _loads(api.client) if url.endswith("/react.production.min.js"))
    digest = react.split("/")[-2]

    for url in (
        f"{PREFIX}/{'0' * 16}/react.production.min.js",
        f"{PREFIX}/{digest}/LICENSE.react",
        f"{PREFIX}/{digest}/VERSIONS",
        f"{PREFIX}/{digest}/..%2F__init__.py",
    ):
        assert (await api.client.get(url)).status_code == 404, url


@pytest.fixture
async def production(db, database_url: str, app_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(**{**app_settings.__dict__, "environment": "production"}), database_url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://baton.test") as c:
        yield c
    await app.state.reads.close()
    await app.state.engine.dispose()


async def test_production_serves_neither_the_page_nor_its_files(api, production):
    react = next(url for url in await _loads(api.client) if url.endswith("/react.production.min.js"))

    page = await production.get("/graphql", headers={"Accept": "text/html"})

    assert page.status_code == 404
    assert (await production.get(react)).status_code == 404


def test_the_demo_link_fills_in_the_key_as_the_page_reads_it():
    url = link("http://127.0.0.1:8000/graphql", "bk_demo", "{ shop { name } }")

    base, _, search = url.partition("?")
    # The page splits on "&" and the first "=", then decodeURIComponent, which leaves "+" as it is.
    parameters = {unquote(k): unquote(v) for k, _, v in (entry.partition("=") for entry in search.split("&"))}
    assert base == "http://127.0.0.1:8000/graphql"
    assert json.loads(parameters["headers"]) == {"Authorization": "Bearer bk_demo"}
    assert parameters["q"] == "{ shop { name } }"
    assert "+" not in search
