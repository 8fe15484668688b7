"""GraphiQL from Baton itself, so the page works without internet: strawberry's page with its scripts
and styles served from pinned copies here (README.md, VERSIONS) instead of a public CDN. Development
only, like the page."""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

HERE = Path(__file__).resolve().parent
PREFIX = "/graphiql/assets"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# A URL names its file's digest, so what it answers never changes: browsers may keep it for good.
FOREVER = "public, max-age=31536000, immutable"


@dataclass
class Asset:
    name: str
    body: bytes
    digest: str

    @property
    def url(self) -> str:
        return f"{PREFIX}/{self.digest[:16]}/{self.name}"

    @cached_property
    def gzipped(self) -> bytes:
        # Made on first request, not at start-up: graphiql.min.js is 3.5 MB, 0.7 MB gzipped.
        return gzip.compress(self.body, mtime=0)


def pinned() -> dict[str, str]:
    """Every file VERSIONS names, with its sha256."""
    rows = (line.split() for line in (HERE / "VERSIONS").read_text().splitlines())
    return {row[0]: row[4] for row in rows if row and not row[0].startswith("#")}


class GraphiQL:
    def __init__(self) -> None:
        self.assets: dict[str, Asset] = {}
        for name, digest in pinned().items():
            if Path(name).suffix not in TYPES:
                continue  # a licence text
            body = (HERE / name).read_bytes()
            # Served under a URL that promises it never changes: a file edited by hand is refused.
            if hashlib.sha256(body).hexdigest() != digest:
                raise RuntimeError(f"server/graphiql/{name} differs from its sha256 in VERSIONS")
            self.assets[name] = Asset(name, body, digest)
        html = (HERE / "graphiql.html").read_text(encoding="utf-8")
        for asset in self.assets.values():
            html = html.replace("{{ " + asset.name + " }}", asset.url)
        assert "{{" not in html, "graphiql.html names a file VERSIONS does not"
        self.html = html

    def route(self) -> Route:
        return Route(PREFIX + "/{digest}/{name}", self.serve, methods=["GET", "HEAD"])

    async def serve(self, request: Request) -> Response:
        asset = self.assets.get(request.path_params["name"])
        if asset is None or request.path_params["digest"] != asset.digest[:16]:
            return PlainTextResponse("Not Found", status_code=404)
        headers = {"cache-control": FOREVER, "vary": "accept-encoding", "x-content-type-options": "nosniff"}
        body = asset.body
        if "gzip" in request.headers.get("accept-encoding", ""):
            body, headers["content-encoding"] = asset.gzipped, "gzip"
        return Response(body, media_type=TYPES[Path(asset.name).suffix], headers=headers)


def link(graphql_url: str, key: str, query: str) -> str:
    """GraphiQL at `graphql_url` with the key in its headers editor and `query` in its editor. The
    page reads ?headers= and ?q= with decodeURIComponent, which leaves "+" alone: spaces go as %20."""
    headers = json.dumps({"Authorization": f"Bearer {key}"})
    return f"{graphql_url}?headers={quote(headers, safe='')}&q={quote(query, safe='')}"
