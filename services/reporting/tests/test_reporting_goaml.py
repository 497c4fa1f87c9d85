"""goAML renderer: every generated file validates against the goAML XSD (DOMAIN.md §4); a report
with missing mandatory data is refused with every missing item named."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from lxml import etree

from aww_contracts.errors import DomainError
from aww_reporting.documents import goaml_report, renderer

XSD = Path("../shared/specs/goaml/goAMLSchema.xsd")
if not XSD.exists():  # tests run from the repository root; this keeps a run from the package folder working
    XSD = Path(__file__).resolve().parents[3].parent / "shared" / "specs" / "goaml" / "goAMLSchema.xsd"

SETTINGS = {
    "rentity_id": 4321,
    "rentity_branch": "Antwerpen",
    "report_code": "STR",
    "reporting_user_code": "OFFICER01",
    "location": {"street": "Meir", "number": "10", "postcode": "2000", "city": "Antwerpen", "country": "BE"},
    "transmode_code": "-",
    "party_role_codes": {"seller": "-", "buyer": "-", "subject": "-"},
    "address_type_code": "-",
    "id_type_code": "-",
    "ubo_role_code": "UBO",
    "representative_role_code": "-",
}
PERSON = {
    "role": "subject",
    "contact_id": "6a4c1a51-1c43-4a55-8d3c-1f3c5d7f1a01",
    "version_no": 2,
    "kind": "person",
    "data": {
        "first_names": "Jan",
        "last_name": "Peeters",
        "birth_date": "1985-07-30",
        "birth_place": "Gent",
        "sex": "M",
        "nationalities": ["BE"],
        "address": {"street": "Kerkstraat", "number": "1", "postcode": "9000", "city": "Gent", "country": "BE"},
        "person_number": "85073003328",
        "id_document": {"type": "id_card", "number": "591123456789", "expiry": "2030-01-01", "issuing_country": "BE"},
        "profession": "Trader",
        "pep": {"self": True, "function": "member_of_parliament"},
    },
    "ubos": [],
    "screening_hits": [
        {
            "list_kind": "sanctions",
            "source": "un",
            "source_title": "UN consolidated list",
            "list_version": "2026-01-15",
            "matched_name": "Jan Peters",
            "subject_id": "contact",
            "score": 0.91,
            "decision": "true_match",
            "programme": "Test programme",
        },
        {
            "list_kind": "pep",
            "source": "pep",
            "source_title": "PEP data",
            "matched_name": "Jan Peeters",
            "subject_id": "contact",
            "score": 0.99,
            "decision": None,
            "pep_function": "member of parliament",
        },
        {
            "list_kind": "sanctions",
            "source": "eu",
            "matched_name": "X",
            "subject_id": "contact",
            "score": 0.8,
            "decision": "false_positive",
        },
    ],
}
COMPANY = {
    "role": "buyer",
    "contact_id": "6a4c1a51-1c43-4a55-8d3c-1f3c5d7f1a02",
    "version_no": 1,
    "kind": "organisation",
    "data": {
        "name": "Immo Test BV",
        "legal_form": "srl_bv",
        "enterprise_number": "0403019261",
        "seat": {"street": "Markt", "number": "5", "postcode": "1000", "city": "Brussel", "country": "BE"},
        "activity": "Holding",
        "directors": [{"name": "An Jacobs"}],
        "representatives": [{"first_names": "An", "last_name": "Jacobs", "capacity": "director"}],
    },
    "ubos": [
        {
            "role": "ubo",
            "first_names": "Piet",
            "last_name": "Claes",
            "birth_date": "1970-01-02",
            "nationalities": ["NL"],
            "residence_country": "NL",
            "percent": "27.00",
            "pep": False,
        }
    ],
    "screening_hits": [
        {
            "list_kind": "sanctions",
            "source": "un",
            "matched_name": "Piet Klaas",
            "subject_id": "ubo:e1",
            "score": 0.82,
            "decision": None,
        }
    ],
}
REPORT = {
    "id": "r-1",
    "revision": 1,
    "reason": "Unusual cash payment",
    "indicators": ["-"],
    "report_date": "2026-11-26T10:00:00",
}


def activity_data():
    facts = {
        "subject": "contact",
        "reference": "Peeters, Jan v2",
        "level": "enhanced",
        "factors": [{"id": "pep_self", "text": "Declares being a PEP"}],
        "parties": [PERSON, COMPANY | {"role": "subject"}],
    }
    return {"settings": dict(SETTINGS, report_code="SAR"), "report": dict(REPORT), "facts": copy.deepcopy(facts)}


def transaction_data():
    facts = {
        "subject": "transaction",
        "reference": "T-2026-0042",
        "level": "enhanced",
        "factors": [],
        "parties": [PERSON | {"role": "seller"}, COMPANY],
        "transaction": {
            "reference": "T-2026-0042",
            "type": "sale",
            "date": "2026-03-01",
            "description": "Sale of a house",
            "price_cents": 35000000,
            "currency": "EUR",
            "cash_cents": 1500000,
            "payment_terms": "transfer and cash",
            "property_address": {
                "street": "Dorp",
                "number": "3",
                "postcode": "2000",
                "city": "Antwerpen",
                "country": "BE",
            },
        },
    }
    return {"settings": dict(SETTINGS), "report": dict(REPORT), "facts": copy.deepcopy(facts)}


@pytest.fixture(autouse=True)
def _xsd(monkeypatch):
    monkeypatch.setenv(goaml_report.XSD_ENV, str(XSD))


def _parse(content: bytes):
    return etree.fromstring(content)


def test_activity_report_validates_against_the_goaml_xsd():
    rendered = renderer("goaml_report").render(activity_data(), "nl")
    assert rendered.media_type == "application/xml"
    assert goaml_report.xsd_errors(rendered.content, str(XSD)) == []
    root = _parse(rendered.content)
    assert root.findtext("report_code") == "SAR"
    assert root.findtext("rentity_id") == "4321"
    assert root.findtext("reason") == "Unusual cash payment"
    person = root.find("activity/report_parties/report_party/person")
    assert person.findtext("ssn") == "85073003328"
    assert person.findtext("addresses/address/city") == "Gent"
    assert person.find("sanctions/sanction_list") is not None
    assert len(person.findall("sanctions/sanction_list")) == 1  # the false positive is left out
    assert person.findtext("peps/pep/pep_country") == "BE"
    entity = root.find("activity/report_parties/report_party[2]/entity")
    assert entity.findtext("incorporation_number") == "0403019261"
    ubo = entity.find("related_persons/entity_related_person[role='UBO']")
    assert ubo.findtext("person/last_name") == "Claes" and ubo.findtext("share_percentage") == "27.00"
    assert "Piet Klaas" in entity.findtext("comments")
    assert [i.text for i in root.findall("report_indicators/indicator")] == ["-"]


def test_transaction_report_validates_and_reports_cash():
    rendered = goaml_report.render(transaction_data(), "en")
    assert goaml_report.xsd_errors(rendered.content, str(XSD)) == []
    root = _parse(rendered.content)
    deal = root.find("transaction")
    assert deal.findtext("transactionnumber") == "T-2026-0042"
    assert deal.findtext("amount_local") == "350000.00"
    assert deal.findtext("date_transaction") == "2026-03-01T00:00:00"
    assert "Cash paid in the sale price: EUR 15000.00" in deal.findtext("comments")
    parties = deal.findall("involved_parties/party")
    assert [p.find("person") is not None for p in parties] == [True, False]
    assert parties[1].findtext("entity/name") == "Immo Test BV"


def test_every_generated_variant_validates():
    """Minimal parties (no optional data), foreign parties, several indicators, every language."""
    minimal = {"role": "subject", "kind": "person", "data": {"first_names": "A", "last_name": "B"}}
    foreign_company = {
        "role": "subject",
        "kind": "organisation",
        "data": {
            "name": "Foreign Ltd",
            "seat": {"street": "High St", "city": "London", "country": "GB"},
            "registration": {"country": "GB", "number": "123"},
        },
    }
    for parties in ([minimal], [foreign_company], [minimal, foreign_company, PERSON, COMPANY]):
        for language in ("nl", "fr", "en"):
            data = activity_data()
            data["facts"]["parties"] = copy.deepcopy(parties)
            data["report"]["indicators"] = ["-", "-"]
            content = goaml_report.render(data, language).content
            assert goaml_report.xsd_errors(content, str(XSD)) == [], (parties, language)


def test_missing_mandatory_data_is_named_item_by_item():
    data = transaction_data()
    data["settings"].pop("rentity_id")
    data["settings"]["reporting_user_code"] = ""
    data["settings"]["party_role_codes"] = {"seller": "-"}
    data["report"]["reason"] = " "
    data["report"]["indicators"] = []
    data["facts"]["parties"][0]["data"].pop("person_number")
    data["facts"]["parties"][1]["data"].pop("enterprise_number")
    data["facts"]["parties"][1]["ubos"][0].pop("last_name")
    data["facts"]["transaction"].pop("date")
    with pytest.raises(DomainError) as raised:
        goaml_report.render(data, "en")
    assert raised.value.code == "goaml_incomplete"
    fields = {item["field"] for item in raised.value.details["missing"]}
    assert fields == {
        "settings.rentity_id",
        "settings.reporting_user_code",
        "settings.party_role_codes.buyer",
        "report.reason",
        "report.indicators",
        "facts.parties.0.data.person_number",
        "facts.parties.1.data.enterprise_number",
        "facts.parties.1.ubos.0.last_name",
        "facts.transaction.date",
    }


def test_a_code_the_schema_does_not_know_is_refused_with_the_schema_message():
    data = activity_data()
    data["report"]["indicators"] = ["NOT-A-CODE"]
    with pytest.raises(DomainError) as raised:
        goaml_report.render(data, "en")
    assert raised.value.code == "goaml_invalid"
    assert any("indicator" in e["message"] for e in raised.value.details["errors"])


def test_no_configured_schema_means_no_file(monkeypatch):
    monkeypatch.delenv(goaml_report.XSD_ENV)
    with pytest.raises(DomainError) as raised:
        goaml_report.render(activity_data(), "en")
    assert raised.value.code == "service_unavailable"


def test_xml_special_characters_are_escaped_and_still_valid():
    data = activity_data()
    data["report"]["reason"] = "<script>&\"'</script> ]]>"
    data["facts"]["parties"][0]["data"]["last_name"] = "O'Brien & <Zoë>"
    content = goaml_report.render(data, "fr").content
    assert goaml_report.xsd_errors(content, str(XSD)) == []
    assert _parse(content).findtext("reason") == "<script>&\"'</script> ]]>"
