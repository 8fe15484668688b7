"""Debian's PgBouncer, started by a test in front of the test database, in transaction pooling mode:
consecutive transactions of one client may run on different server connections, so nothing a client
leaves on a session (a setting, a prepared statement, a LISTEN) is there for its next transaction."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.api.live import free_port

SKIP_REASON = (
    "pgbouncer is not installed: `make test` installs Debian's package (apt-get install pgbouncer) "
    "when it runs as root; otherwise install it to run the scale-out test"
)


def _runs_as(host: str) -> str | None:
    """PgBouncer refuses to run as root: as root, run it as the owner of the server's socket
    directory (the embedded server's), else as postgres or nobody. None: as whoever we are."""
    if os.geteuid() != 0:
        return None
    if host.startswith("/"):
        return pwd.getpwuid(Path(host).stat().st_uid).pw_name
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name).pw_name
    return None


def _configure(database_url: str, users: list[str], pool_size: int) -> tuple[list[str], Path, str]:
    """The command line, its working directory and the URL clients use; the ini and userlist written."""
    binary = shutil.which("pgbouncer") or next(
        (p for p in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer") if os.access(p, os.X_OK)), None
    )
    if binary is None:
        pytest.skip(SKIP_REASON)
    url = make_url(database_url)
    host = url.host or str(url.query.get("host") or "127.0.0.1")
    port, listen = url.port or 5432, free_port()
    user = _runs_as(host)
    workdir = Path(tempfile.mkdtemp(prefix="baton-pgbouncer-"))
    (workdir / "userlist.txt").write_text("".join(f'"{name}" ""\n' for name in users))
    (workdir / "pgbouncer.ini").write_text(
        f"[databases]\n{url.database} = host={host} port={port} dbname={url.database}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {listen}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {workdir}/userlist.txt\n"
        "pool_mode = transaction\n"
        f"default_pool_size = {pool_size}\nmax_db_connections = {pool_size}\nmax_client_conn = 500\n"
        f"logfile = {workdir}/pgbouncer.log\n"
    )
    if user is not None:
        for each in (workdir, *workdir.iterdir()):
            shutil.chown(each, user)
    command = [binary, "-q", *(["-u", user] if user else []), str(workdir / "pgbouncer.ini")]
    through = url.set(host="127.0.0.1", port=listen, query={}).render_as_string(hide_password=False)
    return command, workdir, through


def _log(workdir: Path) -> str:
    log = workdir / "pgbouncer.log"
    return log.read_text() if log.exists() else "(no log)"


@contextlib.asynccontextmanager
async def pgbouncer(database_url: str, users: list[str], pool_size: int) -> AsyncIterator[str]:
    """PgBouncer in front of `database_url`'s database, for `users`, at most `pool_size` server
    connections; yields the URL of that database through PgBouncer (the user of `database_url`)."""
    command, workdir, through = _configure(database_url, users, pool_size)
    listen = make_url(through).port
    proc = await asyncio.create_subprocess_exec(*command)
    try:
        for _ in range(200):
            assert proc.returncode is None, f"pgbouncer exited:\n{_log(workdir)}"
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", listen)
                writer.close()
                break
            await asyncio.sleep(0.05)
        yield through
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)
