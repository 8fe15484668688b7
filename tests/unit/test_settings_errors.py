"""Settings that do not parse are named, one line each, before anything starts; so are a taken port
and a database that cannot be reached (server/cli.py)."""

from __future__ import annotations

import socket

import pytest

from server.cli import main
from server.settings import Settings, SettingsError


def test_every_setting_that_does_not_parse_is_named(monkeypatch):
    monkeypatch.setenv("BATON_PORT", "abc")
    monkeypatch.setenv("BATON_LOG_LEVEL", "loud")
    monkeypatch.setenv("BATON_WS_DEFLATE", "maybe")
    monkeypatch.setenv("BATON_STATEMENT_TIMEOUT", "-3")
    monkeypatch.setenv("BATON_LOG_FORMAT", "xml")
    with pytest.raises(SettingsError) as refused:
        Settings.from_env()
    assert [p.split("=")[0] for p in refused.value.problems] == [
        "BATON_PORT",
        "BATON_LOG_LEVEL",
        "BATON_WS_DEFLATE",
        "BATON_STATEMENT_TIMEOUT",
        "BATON_LOG_FORMAT",
    ]


def test_good_settings_read_as_before(monkeypatch):
    monkeypatch.setenv("BATON_PORT", "9001")
    monkeypatch.setenv("BATON_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("BATON_COMPILE_READS", "off")
    monkeypatch.setenv("BATON_LOG_FORMAT", "Console")
    found = Settings.from_env()
    assert (found.port, found.log_level, found.compile_reads) == (9001, "warning", False)
    assert found.log_format == "console"


def test_the_command_says_what_is_wrong_in_one_line_each(monkeypatch, capsys):
    monkeypatch.setenv("BATON_PORT", "abc")
    assert main(["serve"]) == 2
    assert capsys.readouterr().err == "error: BATON_PORT='abc' is not a whole number from 1 to 65535\n"


def test_a_taken_port_is_named_before_anything_starts(monkeypatch, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/never-reached")
        assert main(["serve", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: port {port} is in use") and "set BATON_PORT" in err


def test_a_database_that_cannot_be_reached_is_one_line(monkeypatch, capsys):
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody:hunter2@127.0.0.1:1/shop")
    assert main(["serve", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot connect to the database at postgresql://nobody:***@127.0.0.1:1/shop")
    assert "hunter2" not in err and err.count("\n") == 1
