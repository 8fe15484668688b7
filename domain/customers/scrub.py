"""Removing one person's strings from text and JSON: their email becomes a pseudonym, their names,
phone and address lines become "Erased", wherever they appear, in any letter case. Pure functions, so
the rules are unit-tested without a database (tests/unit/test_scrub.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

ERASED = "Erased"
MIN_LENGTH = 3  # shorter strings (an initial) are replaced only where they are a whole value


@dataclass(frozen=True)
class Scrubber:
    email: str
    pseudonym: str
    strings: frozenset[str]  # names, phone, address lines: lower-cased

    @classmethod
    def of(cls, email: str, pseudonym: str, *strings: str | None) -> Scrubber:
        kept = {s.strip().lower() for s in strings if s and s.strip()}
        kept.discard(email.lower())
        return cls(email.lower(), pseudonym, frozenset(kept))

    def _pattern(self) -> re.Pattern[str]:
        parts = sorted((s for s in self.strings if len(s) >= MIN_LENGTH), key=len, reverse=True)
        alternatives = [re.escape(self.email), *(re.escape(p) for p in parts)]
        return re.compile("|".join(alternatives), re.IGNORECASE)

    def text(self, value: str) -> str:
        """The text with every occurrence of the person's strings replaced."""
        if value.strip().lower() in self.strings:
            return ERASED
        return self._pattern().sub(
            lambda m: self.pseudonym if m.group(0).lower() == self.email else ERASED, value
        )

    def json(self, value: Any) -> Any:
        """The same JSON with every string scrubbed (keys are the API's field names, left alone)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, dict):
            return {k: self.json(v) for k, v in value.items()}
        return value
