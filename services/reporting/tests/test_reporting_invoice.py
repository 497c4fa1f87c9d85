"""Invoice renderers: the PDF reads right in nl/fr/en; the UBL validates against the UBL 2.1 XSD
and meets the Peppol BIS 3.0 rules our invoices touch (checked directly, see DOMAIN.md §4)."""

import io
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from aww_contracts.errors import DomainError
from aww_reporting.documents import invoice, invoice_ubl, receipt, renderer

SPECS = Path(__file__).resolve().parents[3].parent / "shared" / "specs"
NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}

INVOICE = {
    "number": "2026-000007",
    "issue_date": "2026-11-01",
    "due_date": "2026-11-01",
    "issued_at": "2026-11-01T00:05:00+00:00",
    "period": {"start": "2026-10-01", "end": "2026-10-31"},
    "seller": {
        "name": "AML Platform BV",
        "enterprise_number": "0795148392",
        "vat_number": "BE0795148392",
        "address": {"street": "Kunstlaan 1", "postcode": "1000", "city": "Brussel", "country": "BE"},
        "iban": "BE68539007547034",
    },
    "buyer": {
        "name": "Immo Zoë & Fils",
        "enterprise_number": "0403019261",
        "vat_number": "BE0403019261",
        "address": {"street": "Meir 10", "postcode": "2000", "city": "Antwerpen", "country": "BE"},
    },
    "lines": [
        {
            "description": {
                "nl": "Waakzaamheidsberekening",
                "fr": "Calcul de vigilance",
                "en": "Vigilance calculation",
            },
            "quantity": 3,
            "unit_price_cents": 1900,
            "net_cents": 5700,
            "vat_rate": "21",
            "vat_cents": 1197,
        },
        {
            "description": {"nl": "Abonnement Zilver", "fr": "Abonnement Argent", "en": "Silver subscription"},
            "quantity": 1,
            "unit_price_cents": 44000,
            "net_cents": 44000,
            "vat_rate": "21",
            "vat_cents": 9240,
        },
    ],
    "totals": {"net_cents": 49700, "vat_cents": 10437, "gross_cents": 60137},
    "prepaid_cents": 60137,
}


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture(scope="module")
def ubl_schema():
    return etree.XMLSchema(etree.parse(str(SPECS / "ubl-2.1" / "xsdrt" / "maindoc" / "UBL-Invoice-2.1.xsd")))


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nl", ["Factuur 2026-000007", "Waakzaamheidsberekening", "Totaal incl. btw", "€ 601,37", "Pagina 1 van 1"]),
        ("fr", ["Facture 2026-000007", "Calcul de vigilance", "Total TVAC", "601,37 €", "Page 1 sur 1"]),
        ("en", ["Invoice 2026-000007", "Vigilance calculation", "Total incl. VAT", "€601.37", "Page 1 of 1"]),
    ],
)
def test_invoice_pdf_reads_in_each_language(language, words):
    invoice.validate(INVOICE)
    text = pdf_text(invoice.render(INVOICE, language).content)
    for word in words:
        assert word in text, (word, text)
    assert "Immo Zoë & Fils" in text


def test_invoice_pdf_is_reproducible():
    assert invoice.render(INVOICE, "nl").content == invoice.render(INVOICE, "nl").content


def test_receipt_says_it_is_not_an_invoice():
    data = {
        "reference": "T-1",
        "operation": "topup",
        "issued_at": "2026-11-02T09:00:00+00:00",
        "description": "Bancontact",
        "amount_excl_vat_cents": 5000,
        "vat_cents": 0,
        "amount_incl_vat_cents": 5000,
        "vat_rate": "0",
    }
    text = pdf_text(receipt.render(data, "nl").content)
    assert "Transactiebon" in text and "Dit is geen factuur" in text and "derdenrekening" in text


def test_invoice_validation_names_what_is_missing():
    broken = dict(INVOICE, buyer=dict(INVOICE["buyer"], address={"street": "x"}))
    with pytest.raises(DomainError) as refused:
        invoice_ubl.validate(broken)
    assert refused.value.details["errors"][0]["field"] == "data.buyer.address.country"
    with pytest.raises(DomainError, match="at least one line"):
        invoice.validate(dict(INVOICE, lines=[]))
    wrong_total = dict(INVOICE, totals=dict(INVOICE["totals"], net_cents=1))
    with pytest.raises(DomainError, match="sum of the lines"):
        invoice.validate(wrong_total)


def test_ubl_invoice_validates_against_the_ubl_2_1_schema(ubl_schema):
    document = etree.fromstring(invoice_ubl.render(INVOICE, "nl").content)
    ubl_schema.assertValid(document)


def mod97_0208(number: str) -> bool:
    """PEPPOL-COMMON-R043: an enterprise number under 0208 has a valid mod-97 check."""
    return len(number) == 10 and number.isdigit() and 97 - int(number[:8]) % 97 == int(number[8:])


def test_ubl_invoice_meets_the_peppol_rules_it_touches():
    root = etree.fromstring(invoice_ubl.render(INVOICE, "fr").content)

    def one(path):
        found = root.xpath(path, namespaces=NS)
        assert len(found) == 1, path
        return found[0]

    assert one("cbc:CustomizationID").text == invoice_ubl.CUSTOMIZATION_ID
    assert one("cbc:ProfileID").text == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    assert one("cbc:InvoiceTypeCode").text == "380"
    assert one("cbc:BuyerReference").text  # PEPPOL-EN16931-R003: buyer reference or order reference
    for party in ("AccountingSupplierParty", "AccountingCustomerParty"):
        endpoint = one(f"cac:{party}/cac:Party/cbc:EndpointID")
        assert endpoint.get("schemeID") == "0208" and mod97_0208(endpoint.text)  # R043 and R020 (endpoint scheme)
        legal = one(f"cac:{party}/cac:Party/cac:PartyLegalEntity/cbc:CompanyID")
        assert legal.get("schemeID") == "0208" and mod97_0208(legal.text)
        vat = one(f"cac:{party}/cac:Party/cac:PartyTaxScheme/cbc:CompanyID").text
        assert vat == "BE" + legal.text  # BR-CO-09: VAT identifier prefixed with the country code
    # BR-CO-10..16 and BR-CO-17 (VAT per category on the category total, rounded to the cent)
    lines = root.xpath("cac:InvoiceLine/cbc:LineExtensionAmount", namespaces=NS)
    line_total = sum(round(float(line.text) * 100) for line in lines)
    totals = {e.tag.split("}")[1]: round(float(e.text) * 100) for e in one("cac:LegalMonetaryTotal")}
    tax = round(float(one("cac:TaxTotal/cbc:TaxAmount").text) * 100)
    assert totals["LineExtensionAmount"] == line_total == totals["TaxExclusiveAmount"] == 49700
    assert totals["TaxInclusiveAmount"] == totals["TaxExclusiveAmount"] + tax == 60137
    assert totals["PayableAmount"] == totals["TaxInclusiveAmount"] - totals["PrepaidAmount"] == 0
    taxable = round(float(one("cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount").text) * 100)
    assert round(float(one("cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount").text) * 100) == (taxable * 21 + 50) // 100
    # every amount carries the document currency and at most two decimals (PEPPOL-EN16931-R051, BR-DEC)
    for amount in root.xpath("//*[@currencyID]"):
        assert amount.get("currencyID") == "EUR"
        assert len(amount.text.split(".")[1]) == 2


def test_renderer_discovery_by_naming_convention():
    assert renderer("invoice_ubl") is invoice_ubl
    with pytest.raises(DomainError):
        renderer("Invoice")
