from __future__ import annotations

import re


class InvalidIdentifier(ValueError):
    """`reason`: `length` (wrong number of digits or not digits), `prefix` (an enterprise number
    starts with 0 or 1), `check_digits`, `birth_date` (a person number's date part)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


SEPARATORS = re.compile(r"[\s.\-/]")


def without_separators(value: str) -> str:
    """What people type between digit groups: spaces, dots, dashes, slashes."""
    return SEPARATORS.sub("", value)
