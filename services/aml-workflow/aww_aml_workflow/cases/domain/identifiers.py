"""Belgian identifiers and their check digits (DOMAIN.md §3): the rules live in `belgian_ids`;
this module names the ones case handling uses. InvalidIdentifier's message never repeats the
number itself (national numbers must not reach logs or error messages)."""

from __future__ import annotations

from belgian_ids import (
    InvalidIdentifier,
    format_enterprise_number,
    format_person_number,
    make_enterprise_number,
    make_person_number,
    normalise_enterprise_number,
    parse_person_number,
)

__all__ = [
    "InvalidIdentifier",
    "format_enterprise_number",
    "format_person_number",
    "make_enterprise_number",
    "make_person_number",
    "normalise_enterprise_number",
    "parse_person_number",
]
