"""One budget of connections per process (BATON_DB_CONNECTIONS), split between the pools, so that
replicas times the budget is all a Postgres must hold (server/connections.py)."""

from __future__ import annotations

import dataclasses
import socket

import pytest

from server import connections
from server.cli import main
from server.settings import Settings, SettingsError


@pytest.fixture
def settings(monkeypatch) -> Settings:
    for name in ("BATON_DB_CONNECTIONS", "BATON_DB_POOL_SIZE", "BATON_REDIS_URL", "BATON_METRICS_PORT"):
        monkeypatch.delenv(name, raising=False)
    return Settings.from_env()


def test_serve_keeps_four_for_sessions_and_splits_the_rest_between_writes_and_reads(settings):
    budget = connections.for_serve(settings)
    assert settings.db_connections == 16
    assert (budget.listen, budget.rate_limits, budget.metrics, budget.workers) == (1, 1, 0, 2)
    assert (budget.writes, budget.reads) == (6, 6)
    assert budget.total == 16


def test_whatever_runs_elsewhere_leaves_its_share_to_the_requests(settings):
    elsewhere = dataclasses.replace(
        settings, db_connections=12, workers_in_serve=False, redis_url="redis://r", metrics_port=9100
    )
    budget = connections.for_serve(elsewhere)
    assert (budget.direct, budget.writes, budget.reads) == (2, 5, 5)
    assert budget.total == 12


def test_a_budget_without_room_for_a_write_and_a_read_is_refused_by_name(settings):
    with pytest.raises(SettingsError) as refused:
        connections.for_serve(dataclasses.replace(settings, db_connections=5))
    assert str(refused.value).startswith("BATON_DB_CONNECTIONS=5 is too few for `baton serve`")
    assert "at least 6" in str(refused.value)


def test_a_worker_opens_one_connection_per_loop_within_the_budget(settings):
    assert connections.for_worker(settings, 3).total == 3
    assert connections.for_worker(dataclasses.replace(settings, db_connections=2), 4).total == 2


def test_the_old_pool_size_is_read_as_the_budget_and_said_to_be_deprecated(monkeypatch):
    monkeypatch.delenv("BATON_DB_CONNECTIONS", raising=False)
    monkeypatch.setenv("BATON_DB_POOL_SIZE", "30")
    found = Settings.from_env()
    assert found.db_connections == 30
    assert found.notes and "BATON_DB_POOL_SIZE is deprecated" in found.notes[0]
    monkeypatch.setenv("BATON_DB_CONNECTIONS", "12")
    found = Settings.from_env()
    assert found.db_connections == 12 and found.notes == (
        "BATON_DB_POOL_SIZE is ignored: BATON_DB_CONNECTIONS is set",
    )


def test_serve_refuses_a_budget_too_small_in_one_line(monkeypatch, capsys):
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/never-reached")
    monkeypatch.setenv("BATON_DB_CONNECTIONS", "3")
    monkeypatch.setattr("server.cli._role_refused", lambda *args: False)  # no database here
    assert main(["serve", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert (
        err.startswith("error: BATON_DB_CONNECTIONS=3 is too few for `baton serve`") and err.count("\n") == 1
    )


def test_pgbouncer_without_a_direct_url_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://baton@pgbouncer:6432/baton")
    monkeypatch.delenv("BATON_DATABASE_DIRECT_URL", raising=False)
    monkeypatch.setenv("BATON_PGBOUNCER", "1")
    with pytest.raises(SettingsError) as refused:
        Settings.from_env()
    assert refused.value.problems[0].startswith("BATON_PGBOUNCER=1 needs DATABASE_URL (the PgBouncer) and")
    monkeypatch.setenv("BATON_DATABASE_DIRECT_URL", "postgresql://baton@db:5432/baton")
    assert Settings.from_env().pgbouncer
