"""Parsers of the official list files into ListEntry values. They take bytes and do no I/O.

XML is parsed with entity resolution, DTD loading and network access off (DESIGN.md §7); a document
that carries a DTD at all is refused, so an entity bomb or an external entity never gets a chance.
Every problem raises ListFormatError with a message that says where the file is wrong.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from lxml import etree

from aww_aml_workflow.screening.domain.model import ORGANISATION, PERSON, BirthDate, ListEntry

MAX_ENTRIES = 500_000
EU_NAMESPACE = "http://eu.europa.ec/fpi/fsd/export"
_NULL_VALUES = {"", "na", "n/a", "unknown", "none", "-"}


class ListFormatError(ValueError):
    """The file is not a valid list of the announced format; nothing of it is used."""


@dataclass(frozen=True)
class ParsedList:
    source: str
    list_date: str | None  # the date the publisher generated the file (ISO 8601)
    entries: list[ListEntry]


def parse_list(source: str, content: bytes) -> ParsedList:
    """Dispatch on the source: un, eu, be (XML) or pep (CSV or JSON)."""
    if source == "un":
        return parse_un(content)
    if source in ("eu", "be"):
        return parse_fsf(content, source)
    if source == "pep":
        return parse_pep(content)
    raise ListFormatError(f"unknown list source {source!r}")


# ---- XML safety -------------------------------------------------------------------------------


def safe_xml(content: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ListFormatError(f"the file is not well-formed XML: {exc}") from None
    if root.getroottree().docinfo.internalDTD is not None or root.getroottree().docinfo.doctype:
        raise ListFormatError("the file declares a DTD; list files never do, so it is refused")
    return root


def _text(element, path: str) -> str | None:
    found = element.find(path)
    if found is None or found.text is None:
        return None
    value = " ".join(found.text.split())
    return value or None


def _texts(element, path: str) -> list[str]:
    values = []
    for found in element.findall(path):
        if found.text and found.text.strip():
            values.append(" ".join(found.text.split()))
    return values


def country_code(value: str | None) -> str | None:
    """ISO-2 (upper case) of a country name or code as lists write them; None when unknown."""
    if not value or value.strip().lower() in _NULL_VALUES:
        return None
    value = value.strip()
    if len(value) == 2 and value.isalpha():
        return value.upper()
    from rigour.territories import lookup_territory

    territory = lookup_territory(value)
    if territory is None or len(territory.code) != 2:
        return None
    return territory.code.upper()


def _unique(values: Iterable) -> tuple:
    seen: dict = {}
    for value in values:
        if value and value not in seen:
            seen[value] = True
    return tuple(seen)


def _iso_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _year(value: str | None) -> int | None:
    if value and value.strip().isdigit() and 1800 <= int(value.strip()) <= 2100:
        return int(value.strip())
    return None


# ---- UN Security Council consolidated list ------------------------------------------------------


def parse_un(content: bytes) -> ParsedList:
    root = safe_xml(content)
    if root.tag != "CONSOLIDATED_LIST":
        raise ListFormatError(f"a UN consolidated list starts with <CONSOLIDATED_LIST>, this one with <{root.tag}>")
    individuals = root.find("INDIVIDUALS")
    entities = root.find("ENTITIES")
    if individuals is None and entities is None:
        raise ListFormatError("the UN list has neither <INDIVIDUALS> nor <ENTITIES>")
    entries: list[ListEntry] = []
    for element in individuals.findall("INDIVIDUAL") if individuals is not None else []:
        entries.append(_un_entry(element, PERSON))
    for element in entities.findall("ENTITY") if entities is not None else []:
        entries.append(_un_entry(element, ORGANISATION))
    _check_entries(entries)
    return ParsedList("un", root.get("dateGenerated"), entries)


def _un_entry(element, kind: str) -> ListEntry:
    reference = _text(element, "REFERENCE_NUMBER")
    data_id = _text(element, "DATAID")
    entry_id = reference or data_id
    if not entry_id:
        raise ListFormatError(f"a UN {kind} without REFERENCE_NUMBER or DATAID (line {element.sourceline})")
    parts = [_text(element, tag) for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
    primary = " ".join(p for p in parts if p)
    if not primary:
        raise ListFormatError(f"UN entry {entry_id} has no name (line {element.sourceline})")
    names = [primary]
    weak = []
    alias_tag = "INDIVIDUAL_ALIAS" if kind == PERSON else "ENTITY_ALIAS"
    for alias in element.findall(alias_tag):
        alias_name = _text(alias, "ALIAS_NAME")
        if not alias_name:
            continue
        (weak if (_text(alias, "QUALITY") or "").lower() == "low" else names).append(alias_name)
    names += _texts(element, "NAME_ORIGINAL_SCRIPT")
    births = []
    for birth in element.findall("INDIVIDUAL_DATE_OF_BIRTH"):
        kind_of_date = (_text(birth, "TYPE_OF_DATE") or "").upper()
        exact = _iso_date(_text(birth, "DATE"))
        year = _year(_text(birth, "YEAR"))
        if exact:
            births.append(
                BirthDate.exact(exact) if kind_of_date != "APPROXIMATELY" else BirthDate.year(exact.year, True)
            )
        elif year:
            births.append(BirthDate.year(year, approximate=kind_of_date == "APPROXIMATELY"))
        elif kind_of_date == "BETWEEN":
            start, end = _year(_text(birth, "FROM_YEAR")), _year(_text(birth, "TO_YEAR"))
            if start and end:
                births.append(BirthDate(min(start, end), max(start, end)))
    nationalities = [country_code(v) for v in _texts(element, "NATIONALITY/VALUE")]
    countries = [
        country_code(_text(a, "COUNTRY"))
        for a in element.findall(f"{'INDIVIDUAL' if kind == PERSON else 'ENTITY'}_ADDRESS")
    ]
    countries += [country_code(_text(p, "COUNTRY")) for p in element.findall("INDIVIDUAL_PLACE_OF_BIRTH")]
    identifiers = []
    for document in element.findall("INDIVIDUAL_DOCUMENT"):
        number = _text(document, "NUMBER")
        if number:
            identifiers.append(((_text(document, "TYPE_OF_DOCUMENT") or "document").strip(), number))
    return ListEntry(
        source="un",
        entry_id=entry_id,
        kind=kind,
        names=_unique(names),
        weak_names=tuple(n for n in _unique(weak) if n not in names),
        birth_dates=_unique(births),
        nationalities=_unique(nationalities),
        countries=_unique(countries),
        identifiers=_unique(identifiers),
        programme=_text(element, "UN_LIST_TYPE"),
        listed_on=_text(element, "LISTED_ON"),
        remarks=(_text(element, "COMMENTS1") or "")[:2000] or None,
    )


# ---- EU Financial Sanctions Files (and the Belgian national list in the same shape) ---------------


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_fsf(content: bytes, source: str) -> ParsedList:
    """The FSF export (`<export xmlns="http://eu.europa.ec/fpi/fsd/export">` of `sanctionEntity`).

    FPS Finance published the Belgian consolidated list as the same XML shape (its entries carry a
    `regulation programme="BE"` for the national ones), so one parser serves both sources.
    """
    root = safe_xml(content)
    if _local(root.tag) != "export":
        raise ListFormatError(f"an FSF sanctions file starts with <export>, this one with <{_local(root.tag)}>")
    entries = []
    for element in root:
        if _local(element.tag) == "sanctionEntity":
            entries.append(_fsf_entry(element, source))
    _check_entries(entries)
    return ParsedList(source, root.get("generationDate"), entries)


def _children(element, name: str) -> list:
    return [child for child in element if _local(child.tag) == name]


def _fsf_entry(element, source: str) -> ListEntry:
    entry_id = element.get("euReferenceNumber") or element.get("logicalId")
    if not entry_id:
        raise ListFormatError(f"a sanctionEntity without euReferenceNumber or logicalId (line {element.sourceline})")
    subject = _children(element, "subjectType")
    code = subject[0].get("code") if subject else None
    if code not in ("person", "enterprise"):
        raise ListFormatError(f"entry {entry_id}: subjectType must be person or enterprise, not {code!r}")
    kind = PERSON if code == "person" else ORGANISATION
    names, weak = [], []
    for alias in _children(element, "nameAlias"):
        whole = alias.get("wholeName") or " ".join(
            p for p in (alias.get("firstName"), alias.get("middleName"), alias.get("lastName")) if p
        )
        whole = " ".join((whole or "").split())
        if whole:
            (names if (alias.get("strong") or "true").lower() != "false" else weak).append(whole)
    if not names and not weak:
        raise ListFormatError(f"entry {entry_id} has no nameAlias with a name (line {element.sourceline})")
    births = []
    for birth in _children(element, "birthdate"):
        exact = _iso_date(birth.get("birthdate"))
        year = _year(birth.get("year"))
        circa = (birth.get("circa") or "").lower() == "true"
        if exact and not circa:
            births.append(BirthDate.exact(exact))
        elif exact or year:
            births.append(BirthDate.year(exact.year if exact else year, approximate=circa))
    nationalities = [
        country_code(c.get("countryIso2Code") or c.get("countryDescription")) for c in _children(element, "citizenship")
    ]
    countries = [
        country_code(node.get("countryIso2Code") or node.get("countryDescription"))
        for name in ("address", "birthdate")
        for node in _children(element, name)
    ]
    identifiers = []
    for node in _children(element, "identification"):
        number = node.get("number") or node.get("latinNumber")
        if number and number.strip():
            identifiers.append((node.get("identificationTypeCode") or "id", number.strip()))
    regulations = _children(element, "regulation")
    programme = next((r.get("programme") for r in regulations if r.get("programme")), None)
    remark = next((r.text for r in _children(element, "remark") if r.text), None)
    all_names = _unique(names)
    return ListEntry(
        source=source,
        entry_id=entry_id,
        kind=kind,
        names=all_names,
        weak_names=tuple(n for n in _unique(weak) if n not in all_names),
        birth_dates=_unique(births),
        nationalities=_unique(nationalities),
        countries=_unique(countries),
        identifiers=_unique(identifiers),
        programme=programme,
        listed_on=element.get("designationDate"),
        remarks=" ".join(remark.split())[:2000] if remark else None,
    )


# ---- PEP data (our own documented format) ---------------------------------------------------------

PEP_COLUMNS = (
    "id",
    "kind",
    "name",
    "aliases",
    "birth_date",
    "nationalities",
    "countries",
    "function",
    "category",
    "relation",
    "related_to",
    "start_date",
    "end_date",
)
PEP_CATEGORIES = frozenset(
    {
        "head_of_state",
        "head_of_government",
        "minister",
        "state_secretary",
        "member_of_parliament",
        "party_leadership",
        "supreme_court",
        "court_of_auditors",
        "central_bank",
        "ambassador",
        "military_officer",
        "state_enterprise",
        "international_organisation",
        "other",
    }
)
PEP_RELATIONS = frozenset({"self", "family", "close_associate"})


def parse_pep(content: bytes) -> ParsedList:
    """PEP data as JSON `{"generated": "...", "entries": [{...}]}` or as CSV with PEP_COLUMNS.

    Multi-valued fields (aliases, nationalities, countries) are lists in JSON and `|`-separated in
    CSV. See screening/README.md for the format.
    """
    text = _decode(content)
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ListFormatError(f"the PEP file is not valid JSON: {exc}") from None
        if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
            raise ListFormatError('a PEP JSON file is an object with a list "entries"')
        rows = document["entries"]
        generated = document.get("generated")
    else:
        reader = csv.DictReader(io.StringIO(text))
        missing = {"id", "name", "function"} - set(reader.fieldnames or ())
        if missing:
            raise ListFormatError(f"the PEP CSV lacks the column(s) {', '.join(sorted(missing))}")
        rows = list(reader)
        generated = None
    entries = [_pep_entry(row, number) for number, row in enumerate(rows, start=1)]
    _check_entries(entries)
    return ParsedList("pep", generated, entries)


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ListFormatError("the file is not UTF-8 text") from None


def _many(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value).split("|") if v.strip()]


def _pep_entry(row, number: int) -> ListEntry:
    if not isinstance(row, dict):
        raise ListFormatError(f"PEP entry {number} is not an object")
    entry_id = str(row.get("id") or "").strip()
    name = str(row.get("name") or "").strip()
    function = str(row.get("function") or "").strip()
    if not entry_id or not name or not function:
        raise ListFormatError(f"PEP entry {number}: id, name and function are required")
    kind = (row.get("kind") or PERSON).strip()
    if kind != PERSON:
        raise ListFormatError(f"PEP entry {entry_id}: kind must be person")
    category = (row.get("category") or "other").strip()
    if category not in PEP_CATEGORIES:
        raise ListFormatError(f"PEP entry {entry_id}: unknown category {category!r}")
    relation = (row.get("relation") or "self").strip()
    if relation not in PEP_RELATIONS:
        raise ListFormatError(f"PEP entry {entry_id}: relation must be self, family or close_associate")
    births = []
    raw_birth = str(row.get("birth_date") or "").strip()
    if raw_birth:
        exact = _iso_date(raw_birth) if len(raw_birth) >= 10 else None
        year = _year(raw_birth[:4])
        if exact:
            births.append(BirthDate.exact(exact))
        elif year and len(raw_birth) == 4:
            births.append(BirthDate.year(year))
        else:
            raise ListFormatError(f"PEP entry {entry_id}: birth_date must be YYYY-MM-DD or YYYY")
    related = str(row.get("related_to") or "").strip()
    remarks = f"related to {related}" if related and relation != "self" else None
    period = " – ".join(
        p for p in (str(row.get("start_date") or "").strip(), str(row.get("end_date") or "").strip()) if p
    )
    return ListEntry(
        source="pep",
        entry_id=entry_id,
        kind=PERSON,
        names=_unique([name, *_many(row.get("aliases"))]),
        birth_dates=tuple(births),
        nationalities=_unique(country_code(c) for c in _many(row.get("nationalities"))),
        countries=_unique(country_code(c) for c in _many(row.get("countries"))),
        pep_function=function + (f" ({period})" if period else ""),
        pep_category=category,
        pep_relation=relation,
        remarks=remarks,
    )


def _check_entries(entries: list[ListEntry]) -> None:
    if not entries:
        raise ListFormatError("the file holds no entries")
    if len(entries) > MAX_ENTRIES:
        raise ListFormatError(f"the file holds more than {MAX_ENTRIES} entries")
    seen: set[str] = set()
    for entry in entries:
        if entry.entry_id in seen:
            raise ListFormatError(f"entry id {entry.entry_id} appears twice")
        seen.add(entry.entry_id)
