"""The goAML facts contract (officer/README.md) between the case adapters and reporting's goAML
renderer: facts built by the transactions package's own builder, turned into the renderer's data
by officer.domain.goaml_data, render into a file that validates against the goAML XSD."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from lxml import etree
from test_cases_service_support import XSD

from aww_aml_workflow.officer import domain

SETTINGS = domain.clean_settings(
    {
        "rentity_id": 99,
        "rentity_branch": "Leuven",
        "report_code_transaction": "STR",
        "transmode_code": "-",
        "party_role_codes": {"seller": "-", "buyer": "-"},
        "indicators": [{"code": "-", "label": "test"}],
        "location": {"street": "Bondgenotenlaan", "number": "1", "postcode": "3000", "city": "Leuven", "country": "BE"},
    }
)
SELLER = {
    "role": "seller",
    "contact_id": "00000000-0000-4000-8000-000000000001",
    "version_no": 1,
    "kind": "person",
    "data": {
        "first_names": "Els",
        "last_name": "Maes",
        "nationalities": ["BE"],
        "person_number": "85073003328",
        "address": {"street": "Naamsestraat", "number": "5", "postcode": "3000", "city": "Leuven", "country": "BE"},
    },
    "ubos": [],
    "screening_hits": [],
}
BUYER = {
    "role": "buyer",
    "contact_id": "00000000-0000-4000-8000-000000000002",
    "version_no": 1,
    "kind": "organisation",
    "data": {
        "name": "Holding NV",
        "enterprise_number": "0428759497",
        "seat": {"street": "Markt", "postcode": "3000", "city": "Leuven", "country": "BE"},
    },
    "ubos": [{"role": "ubo", "first_names": "Jan", "last_name": "Claes", "percent": "60", "pep": False}],
    "screening_hits": [
        {
            "list_kind": "sanctions",
            "source": "un",
            "matched_name": "Jan Klaas",
            "subject_id": "ubo:p1",
            "score": 0.81,
            "decision": "open",
        }
    ],
}


@pytest.fixture(autouse=True)
def _schema(monkeypatch):
    monkeypatch.setenv("GOAML_XSD_PATH", str(XSD))


def test_a_transaction_report_from_the_transactions_facts_validates():
    from aww_aml_workflow.transactions.domain import report
    from aww_reporting.documents import goaml_report

    row = {
        "reference": "T-2026-7",
        "type": "sale",
        "agreed_on": None,
        "created_at": datetime(2026, 3, 1, tzinfo=UTC),
        "description": None,
        "price_cents": 31000000,
        "currency": "EUR",
        "payment": {
            "parts": [{"method": "transfer", "amount_cents": 30000000}, {"method": "cash", "amount_cents": 1000000}]
        },
        "property": {"street": "Tiensestraat", "number": "9", "postcode": "3000", "city": "Leuven", "country": "BE"},
        "level": "enhanced",
    }
    facts = report.transaction_report_facts(row, [SELLER, BUYER], {"level": "enhanced", "factors": []})
    data = domain.goaml_data(
        kind="transaction",
        facts=facts,
        settings=SETTINGS,
        user_code="USER-1",
        report={"id": "r-7", "revision": 1, "reason": "Cash in a sale", "indicators": ["-"]},
        at=datetime(2026, 3, 2, tzinfo=UTC),
    )
    content = goaml_report.render(data, "nl").content
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    root = etree.fromstring(content)
    assert schema.validate(root), schema.error_log
    assert root.findtext("report_code") == "STR" and root.findtext("transaction/amount_local") == "310000.00"
    assert "10000.00" in root.findtext("transaction/comments")


def test_missing_settings_are_named_for_the_officer():
    from aww_reporting.documents import goaml_report

    facts = {"subject": "contact", "reference": "x", "parties": [SELLER | {"role": "subject"}]}
    data = domain.goaml_data(
        kind="risk_profile",
        facts=facts,
        settings={},
        user_code=None,
        report={"id": "r", "revision": 1, "reason": "why", "indicators": ["-"]},
        at=datetime(2026, 3, 2, tzinfo=UTC),
    )
    fields = {item["field"] for item in goaml_report.check(data)}
    assert fields == {
        "settings.rentity_id",
        "settings.rentity_branch",
        "settings.report_code",
        "settings.reporting_user_code",
        "settings.location",
    }
    assert os.environ["GOAML_XSD_PATH"]
