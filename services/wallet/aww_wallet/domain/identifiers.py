"""Belgian identifiers with their check digits (DOMAIN.md §3): the rules live in `belgian_ids`;
this module names the ones the wallet uses."""

from __future__ import annotations

from belgian_ids import format_ogm, normalise_ogm, ogm_digits, valid_iban, valid_ogm_digits
from belgian_ids import is_valid_enterprise_number as valid_enterprise_number

__all__ = [
    "format_ogm",
    "normalise_ogm",
    "ogm_digits",
    "valid_enterprise_number",
    "valid_iban",
    "valid_ogm_digits",
]
