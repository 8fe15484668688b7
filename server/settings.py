"""Configuration from the environment; every setting has a default that works on a laptop."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    data_dir: Path
    host: str
    port: int
    environment: str
    log_level: str
    auth_cache_seconds: float
    # connections to Postgres (README: "Scaling out"; server/connections.py splits the budget)
    db_connections: int = 16  # every connection one process opens, all pools together
    db_wait_seconds: float = 10.0  # how long a request waits for a free connection, then 503
    database_direct_url: str | None = None  # straight to Postgres: LISTEN, migrations, workers
    pgbouncer: bool = False  # DATABASE_URL is a PgBouncer in transaction mode
    notes: tuple[str, ...] = ()  # deprecations to log at start-up
    # live updates (README: "Live updates")
    event_retention_days: float = 30.0
    audit_retention_days: float = 365.0  # audit entries older than this are pruned, oldest first
    relay_interval: float = 0.1  # seconds between relay polls when idle (a local write nudges it)
    live_poll_seconds: float = 5.0  # safety net in case a NOTIFY is lost
    max_subscriptions: int = 20  # per WebSocket connection
    ws_deflate: bool = False  # permessage-deflate on WebSocket connections
    workers_in_serve: bool = True  # run the relay and delivery loops inside `baton serve`
    reorder_interval: float = 300.0  # seconds between automatic reordering passes; 0: never
    webhook_allow_private: bool = False  # let endpoints resolve to loopback/private addresses
    retry_scale: float = 1.0  # multiplies the webhook and email retry schedules (tests shrink them)
    webhook_timeout: float = 10.0
    forecast_interval: float = 900.0  # seconds between demand forecast runs (0: off; README: forecasting)
    smtp_host: str | None = None  # customer emails are off while unset
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "orders@baton.invalid"
    compile_reads: bool = True  # answer plannable reads with one SQL statement (server/compiled_reads.py)
    secret_key: str | None = field(default=None, repr=False)  # Fernet keys for stored secrets, newest first
    smtp_starttls: bool = False
    max_body_bytes: int = 1_048_576  # larger request bodies are refused with 413
    statement_timeout: float = 15.0  # seconds one statement of a request may run
    idle_in_transaction_timeout: float = 30.0  # seconds a request's transaction may sit idle
    # rate limits (README: "Rate limits")
    cost_bucket: float = 10_000.0  # query cost an API key may spend at once (maximumAvailable)
    cost_restore_rate: float = 500.0  # cost restored per second (restoreRate)
    cost_sync_seconds: float = 1.0  # how often a process reconciles its buckets with the shared ones
    redis_url: str | None = None  # where the shared buckets live; None: in Postgres (rate_buckets)
    ip_auth_failure_burst: float = 30.0  # failed authentications an IP may make at once ...
    ip_auth_failure_rate: float = 0.5  # ... and per second after that
    ip_ws_connect_burst: float = 60.0  # WebSocket connects an IP may make at once ...
    ip_ws_connect_rate: float = 2.0  # ... and per second after that
    max_subscriptions_per_key: int = 500  # operations open at once over WebSocket, per API key, per process
    persisted_queries_per_tenant: int = 2_000  # automatic persisted queries a shop keeps, at most
    metrics_port: int = 0  # /metrics (Prometheus) on this port of its own; 0: off
    metrics_host: str = "127.0.0.1"
    log_format: str = "auto"  # json, console, or auto: console on a terminal, else JSON (server/logs.py)
    traces_exporter: str | None = None  # "otlp" or "console" when tracing is on (server/tracing.py)

    @property
    def development(self) -> bool:
        return self.environment == "development"

    @classmethod
    def from_env(cls) -> Settings:
        """The settings, each checked: a value that does not parse is named in a SettingsError, with
        every other one that does not, rather than surfacing later as a traceback."""
        env = _Env(os.environ)
        found = cls(
            database_url=env.get("DATABASE_URL") or None,
            data_dir=Path(env.text("BATON_DATA_DIR", ".baton")).resolve(),
            host=env.text("BATON_HOST", "127.0.0.1"),
            port=env.whole("BATON_PORT", "8000", 1, 65535),
            environment=env.choice("BATON_ENV", "development", ENVIRONMENTS),
            log_level=env.choice("BATON_LOG_LEVEL", "info", LOG_LEVELS).lower(),
            auth_cache_seconds=env.number("BATON_AUTH_CACHE_SECONDS", "10"),
            event_retention_days=env.number("BATON_EVENT_RETENTION_DAYS", "30"),
            audit_retention_days=env.number("BATON_AUDIT_RETENTION_DAYS", "365"),
            relay_interval=env.number("BATON_RELAY_INTERVAL", "0.1"),
            live_poll_seconds=env.number("BATON_LIVE_POLL_SECONDS", "5"),
            max_subscriptions=env.whole("BATON_MAX_SUBSCRIPTIONS", "20"),
            ws_deflate=env.flag("BATON_WS_DEFLATE", "0"),
            workers_in_serve=env.flag("BATON_WORKERS_IN_SERVE", "1"),
            reorder_interval=env.number("BATON_REORDER_INTERVAL", "300"),
            webhook_allow_private=env.flag("BATON_WEBHOOK_ALLOW_PRIVATE", "0"),
            retry_scale=env.number("BATON_RETRY_SCALE", "1"),
            webhook_timeout=env.number("BATON_WEBHOOK_TIMEOUT", "10"),
            forecast_interval=env.number("BATON_FORECAST_INTERVAL", "900"),
            smtp_host=env.get("BATON_SMTP_HOST") or None,
            smtp_port=env.whole("BATON_SMTP_PORT", "25", 1, 65535),
            smtp_user=env.get("BATON_SMTP_USER") or None,
            smtp_password=env.get("BATON_SMTP_PASSWORD") or None,
            smtp_from=env.text("BATON_SMTP_FROM", "orders@baton.invalid"),
            secret_key=env.get("BATON_SECRET_KEY") or None,
            compile_reads=env.flag("BATON_COMPILE_READS", "1"),
            smtp_starttls=env.flag("BATON_SMTP_STARTTLS", "0"),
            max_body_bytes=env.whole("BATON_MAX_BODY_BYTES", "1048576"),
            statement_timeout=env.number("BATON_STATEMENT_TIMEOUT", "15"),
            idle_in_transaction_timeout=env.number("BATON_IDLE_IN_TRANSACTION_TIMEOUT", "30"),
            cost_bucket=env.number("BATON_COST_BUCKET", "10000"),
            cost_restore_rate=env.number("BATON_COST_RESTORE_RATE", "500"),
            cost_sync_seconds=env.number("BATON_COST_SYNC_SECONDS", "1"),
            redis_url=env.get("BATON_REDIS_URL") or None,
            ip_auth_failure_burst=env.number("BATON_IP_AUTH_FAILURE_BURST", "30"),
            ip_auth_failure_rate=env.number("BATON_IP_AUTH_FAILURE_RATE", "0.5"),
            ip_ws_connect_burst=env.number("BATON_IP_WS_CONNECT_BURST", "60"),
            ip_ws_connect_rate=env.number("BATON_IP_WS_CONNECT_RATE", "2"),
            max_subscriptions_per_key=env.whole("BATON_MAX_SUBSCRIPTIONS_PER_KEY", "500"),
            persisted_queries_per_tenant=env.whole("BATON_PERSISTED_QUERIES_PER_TENANT", "2000"),
            metrics_port=env.whole("BATON_METRICS_PORT", "0", 0, 65535),
            metrics_host=env.text("BATON_METRICS_HOST", "127.0.0.1"),
            db_connections=_db_connections(env),
            db_wait_seconds=env.number("BATON_DB_WAIT_SECONDS", "10"),
            database_direct_url=env.get("BATON_DATABASE_DIRECT_URL") or None,
            pgbouncer=env.flag("BATON_PGBOUNCER", "0"),
            notes=_deprecations(env),
            log_format=env.choice("BATON_LOG_FORMAT", "auto", LOG_FORMATS),
            traces_exporter=_traces_exporter(env),
        )
        if found.pgbouncer and not (found.database_url and found.database_direct_url):
            env.problems.append(
                "BATON_PGBOUNCER=1 needs DATABASE_URL (the PgBouncer) and BATON_DATABASE_DIRECT_URL "
                "(Postgres itself): LISTEN, migrations and the background workers need a session of "
                "their own, which transaction pooling does not keep"
            )
        env.raise_if_any()
        return found


def _db_connections(env: _Env) -> int:
    """BATON_DB_CONNECTIONS; the deprecated BATON_DB_POOL_SIZE is read in its place while it alone is set."""
    if env.get("BATON_DB_POOL_SIZE") is not None and env.get("BATON_DB_CONNECTIONS") is None:
        return env.whole("BATON_DB_POOL_SIZE", "16", 1)
    return env.whole("BATON_DB_CONNECTIONS", "16", 1)


def _deprecations(env: _Env) -> tuple[str, ...]:
    if env.get("BATON_DB_POOL_SIZE") is None:
        return ()
    if env.get("BATON_DB_CONNECTIONS") is not None:
        return ("BATON_DB_POOL_SIZE is ignored: BATON_DB_CONNECTIONS is set",)
    return (
        "BATON_DB_POOL_SIZE is deprecated: it is read as BATON_DB_CONNECTIONS, every connection a "
        "process opens (it sized the read pool alone, and a process opened up to 26 more beside it); "
        "rename it to BATON_DB_CONNECTIONS",
    )


def _traces_exporter(env: _Env) -> str | None:
    """Tracing from OpenTelemetry's own variables: on when OTEL_TRACES_EXPORTER names an exporter, or
    an OTLP endpoint is set, unless OTEL_SDK_DISABLED. Off by default, unlike the SDK's own default
    ("otlp" to localhost), so that nothing is sent anywhere until someone says where. Only OTLP over
    HTTP (protobuf) is installed; the SDK reads the endpoint, headers, sampler and batching itself."""
    if env.flag("OTEL_SDK_DISABLED", "false"):
        return None
    endpoint = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    exporter = env.choice("OTEL_TRACES_EXPORTER", "otlp" if endpoint else "none", TRACES_EXPORTERS)
    if exporter == "otlp":
        for name in ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"):
            if env.get(name):
                env.choice(name, "http/protobuf", ("http/protobuf",))
                break
    return None if exporter == "none" else exporter


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")
LOG_FORMATS = ("auto", "json", "console")
TRACES_EXPORTERS = ("otlp", "console", "none")
ENVIRONMENTS = ("development", "production")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


class SettingsError(ValueError):
    """Settings that do not parse, one line each, named as they are set."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Env:
    """Reads settings from the environment, collecting what does not parse instead of raising."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.problems: list[str] = []

    def get(self, name: str) -> str | None:
        return self.environ.get(name)

    def text(self, name: str, default: str) -> str:
        return self.environ.get(name, default)

    def _bad(self, name: str, value: str, expected: str) -> None:
        self.problems.append(f"{name}={value!r} is not {expected}")

    def whole(self, name: str, default: str, low: int = 0, high: int | None = None) -> int:
        value = self.environ.get(name, default)
        try:
            found = int(value)
        except ValueError:
            found = None
        if found is None or found < low or (high is not None and found > high):
            self._bad(name, value, f"a whole number from {low}" + (f" to {high}" if high else " up"))
            return int(default)
        return found

    def number(self, name: str, default: str) -> float:
        value = self.environ.get(name, default)
        try:
            found = float(value)
        except ValueError:
            found = -1.0
        if not 0 <= found < float("inf"):
            self._bad(name, value, "a number, 0 or more")
            return float(default)
        return found

    def flag(self, name: str, default: str) -> bool:
        value = self.environ.get(name, default)
        if value.strip().lower() not in _TRUE + _FALSE:
            self._bad(name, value, "1 or 0 (true/false, yes/no, on/off)")
        return _flag(value)

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.environ.get(name, default)
        if value.strip().lower() not in choices:
            self._bad(name, value, "one of " + ", ".join(choices))
            return default
        return value.strip().lower()

    def raise_if_any(self) -> None:
        if self.problems:
            raise SettingsError(self.problems)
