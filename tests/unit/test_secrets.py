"""Sealing stored secrets: what goes in comes out, under any installed key, and nothing opens without one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain import secrets

OLD, NEW = secrets.new_key(), secrets.new_key()


@pytest.fixture(autouse=True)
def keys_restored() -> Iterator[None]:
    before = secrets._fernet
    yield
    secrets._fernet = before


def test_a_sealed_secret_opens_to_itself_and_does_not_show_it():
    secrets.install([NEW])
    stored = secrets.seal("whsec_abc")

    assert stored.startswith("enc1:") and "whsec_abc" not in stored
    assert secrets.reveal(stored) == "whsec_abc"
    assert secrets.seal("whsec_abc") != stored  # a fresh IV each time


def test_during_a_rotation_both_keys_open_and_the_first_seals():
    secrets.install([OLD])
    under_old = secrets.seal("cs_1")
    secrets.install([NEW, OLD])
    resealed = secrets.reseal(under_old)
    secrets.install([NEW])

    assert secrets.reveal(resealed) == "cs_1"
    with pytest.raises(secrets.SecretKeyError, match="does not open"):
        secrets.reveal(under_old)


def test_a_plain_value_from_before_encryption_reads_as_it_is_and_reseals():
    secrets.install([NEW])

    assert secrets.reveal("whsec_plain") == "whsec_plain"
    assert secrets.reveal(secrets.reseal("whsec_plain")) == "whsec_plain"


def test_without_a_key_nothing_is_sealed_or_opened():
    secrets.install([NEW])
    stored = secrets.seal("x")
    secrets._fernet = None

    with pytest.raises(secrets.SecretKeyError, match="BATON_SECRET_KEY"):
        secrets.seal("x")
    with pytest.raises(secrets.SecretKeyError):
        secrets.reveal(stored)


def test_a_key_that_is_not_a_fernet_key_is_refused_with_the_way_to_make_one():
    with pytest.raises(secrets.SecretKeyError, match="baton secrets new-key"):
        secrets.install(["not-a-key"])
