"""OpenTelemetry tracing, end to end: a real `baton serve` with the standard OTEL_* variables sends its
spans over OTLP/HTTP to a receiver here. Each request is one trace: its HTTP span, the GraphQL
operation's span under it and the SQL statements' spans under that, whether the read compiler or
strawberry answered; statements outside requests start no traces; the access log names the trace."""

from __future__ import annotations

import asyncio
import gzip
import json
import sys
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import asyncpg
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from schema.schema import schema
from server.access import AccessLog
from server.compiled_reads import CompiledReads
from server.settings import Settings, SettingsError
from tests.api.processes import baton_serve

SERVER, INTERNAL, CLIENT = Span.SPAN_KIND_SERVER, Span.SPAN_KIND_INTERNAL, Span.SPAN_KIND_CLIENT


class Receiver:
    """An OTLP/HTTP collector's one endpoint, POST /v1/traces, keeping every span it is sent."""

    def __init__(self) -> None:
        self.spans: list[tuple[dict[str, Any], Span]] = []  # (the resource's attributes, the span)
        self.paths: list[str] = []
        received = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                received.take(self.path, body)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.end_headers()
                self.wfile.write(b"")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def take(self, path: str, body: bytes) -> None:
        self.paths.append(path)
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                self.spans += [(resource, span) for span in scope_spans.spans]

    def trace(self, trace_id: bytes) -> list[Span]:
        return [span for _, span in self.spans if span.trace_id == trace_id]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    thread = threading.Thread(target=found.server.serve_forever, daemon=True)
    thread.start()
    yield found
    found.server.shutdown()
    thread.join(5)


def _attributes(span: Span) -> dict[str, Any]:
    return {a.key: a.value.string_value or a.value.int_value or a.value.bool_value for a in span.attributes}


def _named(spans: list[Span], name: str) -> Span:
    [span] = [s for s in spans if s.name == name]
    return span


async def test_a_request_is_one_trace_of_http_operation_and_sql_spans(db, database_url, tenant, receiver):
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
        "OTEL_BSP_SCHEDULE_DELAY": "50",
        "BATON_LOG_LEVEL": "info",
    }
    documents = {
        "Recent": "query Recent { orders(first: 1) { nodes { id number } } }",  # the read compiler's
        "Who": "query Who { viewer { role shop { name } } }",  # strawberry's
    }
    client_trace = "4bf92f3577b34da6a3ce929d0e0e4736"  # Who's caller is in a trace already
    with tempfile.TemporaryFile("w+") as stderr:
        async with baton_serve(database_url, stderr=stderr, **env) as server:
            for name, document in documents.items():
                headers = {"Authorization": f"Bearer {tenant.admin}", "X-Request-Id": f"req-{name}"}
                if name == "Who":
                    headers["traceparent"] = f"00-{client_trace}-00f067aa0ba902b7-01"
                response = await server.api.client.post(
                    "/graphql?secret=hunter2",
                    json={"query": document, "variables": {"secret": "hunter2"}},
                    headers=headers,
                )
                assert response.status_code == 200 and "errors" not in response.json(), response.text
            for _ in range(200):
                if {"query Recent", "query Who"} <= {span.name for _, span in receiver.spans}:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # the statements after the last operation's span ended
        stderr.seek(0)
        log = [json.loads(line) for line in stderr.read().splitlines()]

    assert set(receiver.paths) == {"/v1/traces"}
    assert {resource["service.name"] for resource, _ in receiver.spans} == {"baton"}
    for name in documents:
        operation = _named([s for _, s in receiver.spans], f"query {name}")
        spans = receiver.trace(operation.trace_id)
        [http] = [s for s in spans if s.kind == SERVER]
        if name == "Who":  # the client's trace goes on
            assert (
                operation.trace_id.hex() == client_trace and http.parent_span_id.hex() == "00f067aa0ba902b7"
            )
        else:
            assert http.parent_span_id == b""  # the trace's root
        assert operation.parent_span_id == http.span_id and operation.kind == INTERNAL
        assert _attributes(operation)["graphql.operation.name"] == name
        assert _attributes(operation)["graphql.operation.type"] == "query"
        sql = [s for s in spans if s.kind == CLIENT and _attributes(s).get("db.system") == "postgresql"]
        # The key's lookup comes before the operation; the operation's own statements hang from it.
        assert [s for s in sql if s.parent_span_id == operation.span_id]
        assert all(s.parent_span_id in (operation.span_id, http.span_id) for s in sql)
        attributes = json.dumps([_attributes(s) for s in spans])
        assert "hunter2" not in attributes  # neither the query string nor the variables
        [access] = [
            line
            for line in log
            if line.get("request_id") == f"req-{name}" and line["logger"] == "baton.access"
        ]
        assert access["trace_id"] == operation.trace_id.hex()
    assert "GraphQL operation" not in {span.name for _, span in receiver.spans}  # every one named
    # The relay, the listener and the workers ran statements all along: none of them began a trace.
    roots = [
        span for _, span in receiver.spans if span.parent_span_id in (b"", bytes.fromhex("00f067aa0ba902b7"))
    ]
    assert len(roots) == 2 and all(span.kind == SERVER for span in roots)


async def test_off_nothing_of_opentelemetry_is_installed(api):
    assert api.app.state.view.compiled.__class__ is CompiledReads
    assert api.app.user_middleware[0].cls is AccessLog  # no tracing middleware before it
    assert not hasattr(asyncpg.Connection.fetch, "__wrapped__")  # the driver's methods as they are
    assert "GraphQLSpans" not in [getattr(e, "__name__", "") for e in schema.extensions]
    assert "server.tracing" not in sys.modules


def test_tracing_is_off_unless_the_otel_variables_ask_for_it(monkeypatch):
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TRACES_EXPORTER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("OTEL_SDK_DISABLED", raising=False)
    assert Settings.from_env().traces_exporter is None
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
    assert Settings.from_env().traces_exporter == "otlp"
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "none")
    assert Settings.from_env().traces_exporter is None
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    assert Settings.from_env().traces_exporter == "console"
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert Settings.from_env().traces_exporter is None


def test_an_exporter_or_protocol_that_is_not_installed_is_named_before_anything_starts(monkeypatch):
    monkeypatch.delenv("OTEL_SDK_DISABLED", raising=False)
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "zipkin")
    with pytest.raises(SettingsError) as refused:
        Settings.from_env()
    assert refused.value.problems == ["OTEL_TRACES_EXPORTER='zipkin' is not one of otlp, console, none"]
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    with pytest.raises(SettingsError) as refused:
        Settings.from_env()
    assert refused.value.problems == ["OTEL_EXPORTER_OTLP_PROTOCOL='grpc' is not one of http/protobuf"]
