"""OpenTelemetry tracing, when the standard OTEL_* variables ask for it (server/settings.py): a span for
each HTTP request (the ASGI instrumentation), one for its GraphQL operation (strawberry's extension, and
the read compiler's answer here) and one for each SQL statement (the asyncpg instrumentation, under
both the read pool and SQLAlchemy's writes). Only server/app.py imports this module, and only when
tracing is on: off, no instrumentation is installed and nothing of it runs per request.

What spans never carry: variables, statement parameters, the query string (GET /graphql sends the
variables there) and headers. Statements that run outside any request (the relay, webhook delivery,
the LISTEN connection, /metrics sampling: several a second) start no trace of their own."""

from __future__ import annotations

import logging
import os
from collections.abc import Generator, Sequence
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.context import Context as OtelContext
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult, _get_from_env_or_default
from opentelemetry.trace import Link, Span, SpanKind
from opentelemetry.util.types import Attributes
from starlette.middleware import Middleware
from strawberry.extensions import SchemaExtension
from strawberry.extensions.base_extension import LifecycleStep
from strawberry.extensions.tracing import OpenTelemetryExtension

from resolvers.context import Context
from schema.schema import schema
from server import logs
from server.compiled_reads import CompiledReads
from server.settings import Settings

if TYPE_CHECKING:
    from server.app import BatonGraphQL

log = logging.getLogger("baton.tracing")
# Probes that ask every few seconds; OTEL_PYTHON_ASGI_EXCLUDED_URLS replaces this list.
EXCLUDED_URLS = "/healthz,/readyz"

_provider: TracerProvider | None = None


def start(settings: Settings, view: BatonGraphQL) -> Middleware:
    """Tracing for this process (once; a second app in the same process shares it), the view's read
    compiler traced, and the ASGI middleware that opens each request's span: to be the outermost, so
    that the access log's line has the trace's id."""
    global _provider
    if _provider is None:
        # _get_from_env_or_default: the SDK's own reading of OTEL_TRACES_SAMPLER (private; pinned).
        _provider = TracerProvider(resource=_resource(), sampler=RequestsOnly(_get_from_env_or_default()))
        _provider.add_span_processor(BatchSpanProcessor(_exporter(settings.traces_exporter)))
        trace.set_tracer_provider(_provider)
        AsyncPGInstrumentor().instrument(tracer_provider=_provider)  # no parameters: capture is off
        # First, so that the operation's span encloses what the other extensions do.
        schema.extensions = (GraphQLSpans, *schema.extensions)
        logs.use_span_ids(_span_ids)
        log.info("tracing on: spans go to %s", settings.traces_exporter)
    if view.compiled is not None:
        view.compiled = TracedCompiledReads(view.compiled.schema)
    excluded = os.environ.get("OTEL_PYTHON_ASGI_EXCLUDED_URLS", EXCLUDED_URLS)
    return Middleware(
        OpenTelemetryMiddleware,
        excluded_urls=excluded,
        tracer_provider=_provider,
        server_request_hook=_without_query,
        exclude_spans=["receive", "send"],  # a span per ASGI message is noise
    )


def _resource() -> Resource:
    """OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES as the SDK reads them; "baton" without them."""
    found = Resource.create()
    if str(found.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        found = found.merge(Resource({SERVICE_NAME: "baton"}))
    return found


def _exporter(name: str | None) -> SpanExporter:
    if name == "console":
        return ConsoleSpanExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()  # endpoint, headers, timeout and compression from OTEL_EXPORTER_OTLP_*


class RequestsOnly(Sampler):
    """A trace starts only at a request (a SERVER span); inside one, the sampler OTEL_TRACES_SAMPLER
    chooses (by default, every request, and everything under it)."""

    def __init__(self, inner: Sampler) -> None:
        self.inner = inner

    def should_sample(
        self,
        parent_context: OtelContext | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: Any = None,
    ) -> SamplingResult:
        parent = trace.get_current_span(parent_context).get_span_context()
        if not parent.is_valid and kind != SpanKind.SERVER:
            return SamplingResult(Decision.DROP)
        return self.inner.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return f"RequestsOnly{{{self.inner.get_description()}}}"


def _without_query(span: Span, scope: dict[str, Any]) -> None:
    """The request's span keeps the URL's path: GET /graphql carries the variables in its query."""
    attributes = getattr(span, "attributes", None)
    if not scope.get("query_string") or not span.is_recording() or attributes is None:
        return
    for key in ("http.url", "url.full"):
        if isinstance(url := attributes.get(key), str):
            span.set_attribute(key, url.split("?", 1)[0])
    if "url.query" in attributes:
        span.set_attribute("url.query", "")


def _span_ids() -> tuple[str, str] | None:
    context = trace.get_current_span().get_span_context()
    if not context.is_valid or not context.trace_flags.sampled:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


def _name(span: Span, kind: str | None, name: str | None) -> None:
    """As OpenTelemetry's GraphQL conventions name it: "query OrderScreen", or "query"."""
    if kind is None:
        return
    span.update_name(f"{kind} {name}" if name else kind)
    span.set_attribute("graphql.operation.type", kind)
    if name:
        span.set_attribute("graphql.operation.name", name)


class GraphQLSpans(OpenTelemetryExtension):
    """strawberry's spans for the operation, its parsing and its validation, with the operation's span
    current while it runs, so the statements' spans hang from it. Not the document (it may hold
    customers' details written inline), nor a span per resolver: most fields are plain attributes, and
    a span each would cost more than answering them."""

    resolve = SchemaExtension.resolve  # type: ignore[assignment]  # none per field: see above

    def on_operation(self) -> Generator[None, None, None]:
        span = self._tracer.start_span("GraphQL operation", kind=SpanKind.INTERNAL)
        self._span_holder[LifecycleStep.OPERATION] = span
        with trace.use_span(span, end_on_exit=True):
            yield
            try:  # from this operation's document: a WebSocket's operations share one context
                kind: str | None = self.execution_context.operation_type.value
            except Exception:  # no document, or no such operation
                kind = None
            _name(span, kind, self.execution_context.operation_name)


class TracedCompiledReads(CompiledReads):
    """The read compiler's statement answers the whole operation: its span is the operation's, named
    the same way. Documents it leaves to strawberry get theirs from GraphQLSpans."""

    tracer = trace.get_tracer("baton.compiled")

    async def run(self, context: Context, sql: str, params: list[Any]) -> str:
        with self.tracer.start_as_current_span("GraphQL operation") as span:
            _name(span, context.operation_type, context.operation_name)
            span.set_attribute("baton.compiled", True)
            return await super().run(context, sql, params)
