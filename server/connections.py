"""How many connections one process opens to Postgres, and what for. One budget per process
(BATON_DB_CONNECTIONS) is split here, so that replicas times the budget is what a server's max_connections
must hold, and nothing opens a connection outside it (README: "Scaling out").

`baton serve`, in order of need:

- the LISTEN connection (1), straight to Postgres: the wake-up pings of live updates;
- the rate-limit buckets' sync (1, none with BATON_REDIS_URL), straight to Postgres, in system scope;
- the /metrics sampler (1, only with BATON_METRICS_PORT), straight to Postgres, in system scope;
- the background loops (2, none with BATON_WORKERS_IN_SERVE=0), straight to Postgres, in system
  scope: the relay keeps one, webhooks, emails and pruning share the other (none holds a connection
  while it waits on the network);
- what is left, half for writes (the unit of work's engine) and half for reads (the read pool), reads
  taking the odd one: a read is one short round trip, a write several and sometimes a lock wait.

`baton worker` runs only the background loops: one connection per loop, at most the budget.
Start-up (the role check, migrations) uses one connection at a time and closes it before the pools
open. Pools never open more than their share: a request that finds none free waits
BATON_DB_WAIT_SECONDS, then gets DATABASE_UNAVAILABLE (server/unavailable.py)."""

from __future__ import annotations

from dataclasses import dataclass

from server.settings import Settings, SettingsError

SERVE_WORKERS = 2


@dataclass(frozen=True)
class Connections:
    listen: int = 0
    rate_limits: int = 0
    metrics: int = 0
    workers: int = 0
    writes: int = 0
    reads: int = 0

    @property
    def direct(self) -> int:
        """Connections that need a session of their own: past PgBouncer, straight to Postgres."""
        return self.listen + self.rate_limits + self.metrics + self.workers

    @property
    def total(self) -> int:
        return self.direct + self.writes + self.reads


def for_serve(settings: Settings) -> Connections:
    """The split for `baton serve`; a budget too small for one write and one read is refused."""
    fixed = Connections(
        listen=1,
        rate_limits=0 if settings.redis_url else 1,
        metrics=1 if settings.metrics_port else 0,
        workers=SERVE_WORKERS if settings.workers_in_serve else 0,
    )
    rest = settings.db_connections - fixed.direct
    if rest < 2:
        raise SettingsError(
            [
                f"BATON_DB_CONNECTIONS={settings.db_connections} is too few for `baton serve`: it needs "
                f"at least {fixed.direct + 2} here (LISTEN {fixed.listen}, rate limits "
                f"{fixed.rate_limits}, metrics {fixed.metrics}, background workers {fixed.workers}, "
                "1 for writes, 1 for reads)"
            ]
        )
    writes = rest // 2
    return Connections(fixed.listen, fixed.rate_limits, fixed.metrics, fixed.workers, writes, rest - writes)


def for_worker(settings: Settings, loops: int) -> Connections:
    """The split for `baton worker`: its loops' pool, one connection each, within the budget."""
    return Connections(workers=max(1, min(loops, settings.db_connections)))
