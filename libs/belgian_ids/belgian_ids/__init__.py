"""Belgian identifiers and their check digits (DOMAIN.md §3), in one place for every service and
tool: pure functions, no I/O, no dependencies.

Validation returns canonical digits (or a parsed value) or raises `InvalidIdentifier` whose
`reason` names the rule that failed, so a service can word its own message; the default message
never repeats the number itself (national numbers must not reach logs or error messages).
"""

from belgian_ids.enterprise import (
    enterprise_check,
    format_enterprise_number,
    is_valid_enterprise_number,
    make_enterprise_number,
    normalise_enterprise_number,
)
from belgian_ids.errors import InvalidIdentifier
from belgian_ids.iban import valid_iban
from belgian_ids.ogm import format_ogm, normalise_ogm, ogm_check, ogm_digits, valid_ogm_digits
from belgian_ids.person import (
    PersonNumber,
    format_person_number,
    make_person_number,
    mask_person_number,
    parse_person_number,
    person_check,
    random_national_number,
)

__all__ = [
    "InvalidIdentifier",
    "PersonNumber",
    "enterprise_check",
    "format_enterprise_number",
    "format_ogm",
    "format_person_number",
    "is_valid_enterprise_number",
    "make_enterprise_number",
    "make_person_number",
    "mask_person_number",
    "normalise_enterprise_number",
    "normalise_ogm",
    "ogm_check",
    "ogm_digits",
    "parse_person_number",
    "person_check",
    "random_national_number",
    "valid_iban",
    "valid_ogm_digits",
]
