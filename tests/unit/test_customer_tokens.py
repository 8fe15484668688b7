"""Customer access tokens: signed, short-lived, bound to one shop's secret."""

from __future__ import annotations

import time

from domain.customers import tokens

SECRET = "bcs_first"
NOW = 1_800_000_000.0


def test_a_token_signed_with_the_shops_secret_names_its_customer_until_it_expires():
    token = tokens.sign(SECRET, "Ada@Example.com", int(NOW) + 600)

    claims = tokens.verify(token, [SECRET], NOW)

    assert claims == tokens.Claims(email="ada@example.com", expires_at=int(NOW) + 600)
    assert tokens.verify(token, [SECRET], NOW + 600) is None


def test_a_token_signed_with_another_secret_is_refused_unless_that_secret_is_still_accepted():
    token = tokens.sign("bcs_old", "ada@example.com", int(NOW) + 600)

    assert tokens.verify(token, [SECRET], NOW) is None
    assert tokens.verify(token, [SECRET, "bcs_old"], NOW) is not None


def test_changing_any_part_of_a_token_breaks_its_signature():
    token = tokens.sign(SECRET, "ada@example.com", int(NOW) + 600)
    forged_body = tokens.sign("bcs_attacker", "eve@example.com", int(NOW) + 600).split(".")[1]
    version, _, signature = token.split(".")

    assert tokens.verify(f"{version}.{forged_body}.{signature}", [SECRET], NOW) is None
    assert tokens.verify(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), [SECRET], NOW) is None
    assert tokens.verify("bc2" + token[3:], [SECRET], NOW) is None


def test_a_token_valid_for_longer_than_the_maximum_is_refused():
    too_long = tokens.sign(SECRET, "ada@example.com", int(NOW) + tokens.MAX_TTL + 1)
    longest = tokens.sign(SECRET, "ada@example.com", int(NOW) + tokens.MAX_TTL)

    assert tokens.verify(too_long, [SECRET], NOW) is None
    assert tokens.verify(longest, [SECRET], NOW) is not None


def test_a_signed_token_without_an_email_or_a_whole_number_expiry_is_refused():
    import base64
    import hashlib
    import hmac
    import json

    def signed(claims: object) -> str:
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        mac = hmac.new(SECRET.encode(), f"bc1.{body}".encode(), hashlib.sha256).digest()
        return f"bc1.{body}." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    exp = int(NOW) + 60
    assert tokens.verify(signed({"email": "ada@example.com", "exp": exp}), [SECRET], NOW) is not None
    for claims in (
        {"exp": exp},
        {"email": "", "exp": exp},
        {"email": "a@b.c", "exp": "soon"},
        {"email": "a@b.c", "exp": float(exp)},
        {"email": "a@b.c", "exp": True},
        ["a@b.c", exp],
    ):
        assert tokens.verify(signed(claims), [SECRET], NOW) is None, claims


def test_garbage_is_no_token():
    for text in ("", "bc1.", "bc1..", "bc1.x.y", "baton_abc_def", "bc1." + "A" * 3000):
        assert tokens.verify(text, [SECRET], time.time()) is None


def test_no_secret_accepts_nothing():
    token = tokens.sign(SECRET, "ada@example.com", int(NOW) + 600)

    assert tokens.verify(token, [], NOW) is None
