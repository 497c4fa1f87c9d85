"""Country lists (EU high-risk third countries, FATF lists, sanctioned countries) as versioned data.

The files in screening/data/countries are the versions shipped with the code; a platform
administrator imports a newer version (the same JSON shape) without a release, and the newest
imported version of each list is the one in force. DOMAIN.md §2 marks these lists *(verify)*: they
are data with a date, never code.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from datetime import date
from importlib.resources import files

LIST_NAMES = ("eu_high_risk", "fatf", "sanctioned_countries")
_ISO2 = re.compile(r"^[A-Z]{2}$")


class CountryListError(ValueError):
    pass


@dataclass(frozen=True)
class CountryList:
    name: str
    version: str
    in_force_from: date | None
    title: str
    categories: dict[str, frozenset[str]]

    def category_of(self, iso2: str) -> str | None:
        for category, codes in self.categories.items():
            if iso2 in codes:
                return category
        return None

    def summary(self) -> dict:
        return {
            "list": self.name,
            "version": self.version,
            "in_force_from": self.in_force_from.isoformat() if self.in_force_from else None,
        }


def parse_country_list(document: dict) -> CountryList:
    if not isinstance(document, dict):
        raise CountryListError("a country list is a JSON object")
    name = document.get("list")
    if name not in LIST_NAMES:
        raise CountryListError(f"list must be one of {', '.join(LIST_NAMES)}")
    version = document.get("version")
    if not isinstance(version, str) or not version.strip():
        raise CountryListError("version is required (e.g. the date of the legal text)")
    in_force = document.get("in_force_from")
    try:
        in_force_date = date.fromisoformat(in_force) if in_force else None
    except (TypeError, ValueError):
        raise CountryListError("in_force_from must be a date YYYY-MM-DD") from None
    categories = document.get("categories")
    if not isinstance(categories, dict) or not categories:
        raise CountryListError("categories must map a category name to a list of ISO-2 country codes")
    parsed: dict[str, frozenset[str]] = {}
    for category, codes in categories.items():
        if not isinstance(codes, list) or not all(isinstance(c, str) and _ISO2.match(c) for c in codes):
            raise CountryListError(f"category {category!r} must be a list of upper-case ISO-2 codes")
        parsed[str(category)] = frozenset(codes)
    return CountryList(name, version.strip(), in_force_date, str(document.get("title") or name), parsed)


def load_country_list_bytes(content: bytes) -> tuple[CountryList, dict]:
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CountryListError(f"the file is not a JSON document: {exc}") from None
    return parse_country_list(document), document


def shipped_country_lists() -> dict[str, tuple[CountryList, dict]]:
    """The versions that come with the code, used until a newer one is imported."""
    found = {}
    for resource in files("aww_aml_workflow.screening.data.countries").iterdir():
        if resource.name.endswith(".json"):
            document = json.loads(resource.read_text(encoding="utf-8"))
            parsed = parse_country_list(document)
            found[parsed.name] = (parsed, document)
    return found


@functools.cache
def shipped_lists() -> dict[str, CountryList]:
    """The parsed shipped versions, read from the package once per process (they are part of the
    code and never change while it runs; CountryList is frozen). Callers copy before adding to it."""
    return {name: parsed for name, (parsed, _) in shipped_country_lists().items()}


def country_risk(iso2: str, lists: dict[str, CountryList]) -> dict:
    code = (iso2 or "").strip().upper()
    eu = lists.get("eu_high_risk")
    fatf = lists.get("fatf")
    sanctioned = lists.get("sanctioned_countries")
    fatf_category = fatf.category_of(code) if fatf else None
    return {
        "country": code,
        "eu_high_risk": bool(eu and eu.category_of(code)),
        "eu_category": eu.category_of(code) if eu else None,
        "fatf_call_for_action": fatf_category == "call_for_action",
        "fatf_increased_monitoring": fatf_category == "increased_monitoring",
        "sanctioned": bool(sanctioned and sanctioned.category_of(code)),
        "list_versions": [lists[name].summary() for name in LIST_NAMES if name in lists],
    }
