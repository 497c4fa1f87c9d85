"""Receipts and monthly invoices (PDF + Peppol UBL) through the real reporting service; the
operations table, its CSV export; reconciliation."""

import base64
import csv
import io
import uuid
from pathlib import Path

import pytest
from lxml import etree
from nameko.exceptions import RemoteError
from pypdf import PdfReader
from wallet_helpers import context, publish_organisation, wait_until

PRODUCT = "aml_transaction_assessment"
SPECS = Path(__file__).resolve().parents[3].parent / "shared" / "specs"


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def fetch(rpc_proxy, office, document_id):
    reporting = rpc_proxy("reporting", context(office.account_id, office.organisation_id))
    return wait_until(lambda: reporting.get_document(document_id=document_id), timeout=20, what="the document")


def test_a_charge_gets_a_receipt_that_is_clearly_not_an_invoice(make_office, fund, rpc_proxy):
    office = make_office()
    fund(office.organisation_id, 5000)
    charge = office.wallet.charge(
        organisation_id=office.organisation_id, product=PRODUCT, reference="TX-R1", idempotency_key="receipt-0001"
    )
    document = fetch(rpc_proxy, office, charge["receipt_document_id"])
    text = pdf_text(base64.b64decode(document["content_b64"]))
    assert "Transactiebon" in text and "Dit is geen factuur" in text
    assert "TX-R1" in text and "€ 22,99" in text and "€ 3,99" in text
    outsider = rpc_proxy("reporting", context(str(uuid.uuid4()), str(uuid.uuid4())))
    with pytest.raises(RemoteError, match="no such document"):
        outsider.get_document(document_id=charge["receipt_document_id"])


def test_monthly_invoices_are_numbered_without_gaps_and_never_issued_twice(make_office, fund, admin, sql, rpc_proxy):
    first, second = make_office(name="Immo Eén"), make_office(name="Immo Twee")
    for office in (first, second):
        fund(office.organisation_id, 100_000)
        for i in range(3):
            office.wallet.charge(
                organisation_id=office.organisation_id,
                product=PRODUCT,
                reference=f"TX-{i}",
                idempotency_key=f"inv-{office.organisation_id}-{i}",
            )
        office.wallet.buy_subscription(plan="silver", idempotency_key=f"silver-{office.organisation_id}")
        # these happened in the invoiced month
        sql(
            "UPDATE charges SET settled_at = '2025-03-15T10:00:00Z' WHERE organisation_id = :o",
            o=office.organisation_id,
        )
        sql(
            "UPDATE subscriptions SET created_at = '2025-03-20T10:00:00Z' WHERE organisation_id = :o",
            o=office.organisation_id,
        )
    run = admin.issue_invoices(period="2025-03")
    numbers = sorted(item["number"] for item in run["issued"])
    assert len(numbers) == 2
    year, first_sequence = numbers[0].split("-")
    assert numbers[1] == f"{year}-{int(first_sequence) + 1:06d}"
    assert all(item["gross_cents"] == 3 * 2299 + 53_240 for item in run["issued"])
    assert admin.issue_invoices(period="2025-03")["issued"] == []
    assert sql("SELECT count(*) FROM invoices WHERE period_start = '2025-03-01'")[0][0] == 2

    invoice = wait_until(
        lambda: (lambda items: items and items[0]["ready"] and items[0])(first.wallet.list_invoices()),
        timeout=30,
        what="rendered invoice documents",
    )
    pdf = fetch(rpc_proxy, first, invoice["pdf_document_id"])
    assert invoice["number"] in pdf_text(base64.b64decode(pdf["content_b64"]))
    ubl = base64.b64decode(fetch(rpc_proxy, first, invoice["ubl_document_id"])["content_b64"])
    schema = etree.XMLSchema(etree.parse(str(SPECS / "ubl-2.1" / "xsdrt" / "maindoc" / "UBL-Invoice-2.1.xsd")))
    schema.assertValid(etree.fromstring(ubl))
    assert b'<cbc:PayableAmount currencyID="EUR">0.00</cbc:PayableAmount>' in ubl
    assert b"Immo E\xc3\xa9n" in ubl
    assert admin.reconcile()["failures"] == []


def test_an_organisation_without_a_known_address_is_skipped_until_it_is_known(make_office, fund, admin, sql, amqp_uri):
    office = make_office()
    sql("DELETE FROM organisations WHERE organisation_id = :o", o=office.organisation_id)
    fund(office.organisation_id, 10_000)
    office.wallet.charge(
        organisation_id=office.organisation_id, product=PRODUCT, reference="TX", idempotency_key="skip-00000001"
    )
    sql("UPDATE charges SET settled_at = '2025-04-10T10:00:00Z' WHERE organisation_id = :o", o=office.organisation_id)
    run = admin.issue_invoices(period="2025-04")
    assert run["issued"] == [] and run["skipped"][0]["organisation_id"] == office.organisation_id
    publish_organisation(amqp_uri, office.organisation_id, name="Late Address BV")
    wait_until(
        lambda: (
            sql("SELECT count(*) FROM organisations WHERE organisation_id = :o", o=office.organisation_id)[0][0] == 1
        )
    )
    assert len(admin.issue_invoices(period="2025-04")["issued"]) == 1
    with pytest.raises(RemoteError, match="YYYY-MM"):
        admin.issue_invoices(period="2025-13")


def test_operations_filter_sort_and_export_a_safe_csv(make_office, fund):
    office = make_office()
    fund(office.organisation_id, 50_000)
    for reference in ('=HYPERLINK("http://evil")', "+1+2", "-3", "@SUM(A1)", "plain"):
        office.wallet.charge(
            organisation_id=office.organisation_id,
            product=PRODUCT,
            reference=reference,
            idempotency_key=f"csv-{uuid.uuid4()}",
        )
    office.wallet.buy_subscription(plan="bronze", idempotency_key=f"csv-bronze-{office.organisation_id}")
    listed = office.wallet.list_operations(type="charge", sort="amount", order="asc")
    assert listed["total"] == 5 and {item["type"] for item in listed["items"]} == {"charge"}
    assert listed["items"][0]["user"] == "Anne Agent"
    everything = office.wallet.list_operations()
    assert everything["total"] == 7 and everything["items"][0]["type"] == "subscription"  # newest first
    assert everything["items"][-1]["type"] == "topup" and everything["items"][-1]["credit_cents"] == 50_000
    exported = office.wallet.export_operations(type="charge")
    rows = list(csv.reader(io.StringIO(exported["content"]), delimiter=";"))
    assert rows[0][:3] == ["date", "type", "product"] and len(rows) == 6
    references = {row[3] for row in rows[1:]}
    assert references == {'\'=HYPERLINK("http://evil")', "'+1+2", "'-3", "'@SUM(A1)", "plain"}
    assert all(row[7] == "22.99" for row in rows[1:])
    with pytest.raises(RemoteError, match="date_from"):
        office.wallet.list_operations(date_from="yesterday")
    with pytest.raises(RemoteError, match="sort"):
        office.wallet.list_operations(sort="amount; DROP TABLE charges")


def test_reporting_derives_the_same_document_ids_as_the_wallet():
    from aww_reporting.domain import document_id as reporting_id
    from aww_wallet.base import document_id as wallet_id

    organisation = str(uuid.uuid4())
    assert wallet_id("receipt", organisation, "charge-1") == reporting_id("receipt", organisation, "charge-1")
    assert wallet_id("invoice", None, "2026-000001") == reporting_id("invoice", None, "2026-000001")
