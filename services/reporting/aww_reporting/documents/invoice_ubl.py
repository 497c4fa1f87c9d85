"""The monthly summary invoice as Peppol BIS Billing 3.0 (UBL 2.1 Invoice) XML.

Same data as the PDF renderer (`invoice`). Belgian parties are identified by their enterprise
number under ICD scheme 0208 (endpoint and legal entity), VAT numbers as BE + the ten digits.
The wallet debits the services when they are used, so the invoice is prepaid: PrepaidAmount is
what the wallet paid and PayableAmount what remains (normally 0.00). VAT is computed per VAT
category on the category total, rounded half-up (EN 16931 BR-CO-17).
"""

from __future__ import annotations

from lxml import etree

from aww_reporting.documents import RenderedDocument
from aww_reporting.documents import invoice as pdf_invoice
from aww_reporting.documents._common import text_in

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
SCHEME_ENTERPRISE = "0208"
UNIT_CODE = "C62"  # "one" (UN/ECE rec. 20): a calculation or a subscription


def validate(data: dict) -> None:
    pdf_invoice.validate(data)


def _amount(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _rate(value) -> str:
    text = str(value if value is not None else "21")
    return text[:-3] if text.endswith(".00") else text


class _Builder:
    def __init__(self) -> None:
        self.root = etree.Element(f"{{{NS_INVOICE}}}Invoice", nsmap={None: NS_INVOICE, "cac": NS_CAC, "cbc": NS_CBC})

    @staticmethod
    def cbc(parent, name: str, text: str, **attributes) -> etree._Element:
        element = etree.SubElement(parent, f"{{{NS_CBC}}}{name}", **attributes)
        element.text = text
        return element

    @staticmethod
    def cac(parent, name: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{NS_CAC}}}{name}")


def _vat_scheme(b: _Builder, parent) -> None:
    b.cbc(b.cac(parent, "TaxScheme"), "ID", "VAT")


def _party(b: _Builder, parent, party: dict) -> None:
    node = b.cac(parent, "Party")
    b.cbc(node, "EndpointID", party["enterprise_number"], schemeID=SCHEME_ENTERPRISE)
    b.cbc(b.cac(node, "PartyName"), "Name", party["name"])
    address = party.get("address") or {}
    postal = b.cac(node, "PostalAddress")
    if address.get("street"):
        b.cbc(postal, "StreetName", address["street"])
    if address.get("city"):
        b.cbc(postal, "CityName", address["city"])
    if address.get("postcode"):
        b.cbc(postal, "PostalZone", address["postcode"])
    b.cbc(b.cac(postal, "Country"), "IdentificationCode", address.get("country", "BE"))
    if party.get("vat_number"):
        tax = b.cac(node, "PartyTaxScheme")
        b.cbc(tax, "CompanyID", party["vat_number"])
        _vat_scheme(b, tax)
    legal = b.cac(node, "PartyLegalEntity")
    b.cbc(legal, "RegistrationName", party["name"])
    b.cbc(legal, "CompanyID", party["enterprise_number"], schemeID=SCHEME_ENTERPRISE)


def _tax_category(b: _Builder, parent, name: str, rate: str) -> None:
    category = b.cac(parent, name)
    b.cbc(category, "ID", "S")
    b.cbc(category, "Percent", rate)
    _vat_scheme(b, category)


def build(data: dict, language: str) -> bytes:
    b = _Builder()
    root = b.root
    currency = {"currencyID": "EUR"}
    b.cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    b.cbc(root, "ProfileID", PROFILE_ID)
    b.cbc(root, "ID", data["number"])
    b.cbc(root, "IssueDate", data["issue_date"])
    if data.get("due_date"):
        b.cbc(root, "DueDate", data["due_date"])
    b.cbc(root, "InvoiceTypeCode", "380")
    if data.get("note"):
        b.cbc(root, "Note", text_in(data["note"], language))
    b.cbc(root, "DocumentCurrencyCode", "EUR")
    b.cbc(root, "BuyerReference", data.get("buyer_reference") or data["number"])
    period = b.cac(root, "InvoicePeriod")
    b.cbc(period, "StartDate", data["period"]["start"])
    b.cbc(period, "EndDate", data["period"]["end"])
    _party(b, b.cac(root, "AccountingSupplierParty"), data["seller"])
    _party(b, b.cac(root, "AccountingCustomerParty"), data["buyer"])
    if data["seller"].get("iban"):
        means = b.cac(root, "PaymentMeans")
        b.cbc(means, "PaymentMeansCode", "30")
        b.cbc(b.cac(means, "PayeeFinancialAccount"), "ID", data["seller"]["iban"])
    # VAT per category (all lines are standard rated today; grouped by rate to stay correct)
    categories: dict[str, int] = {}
    for line in data["lines"]:
        rate = _rate(line.get("vat_rate"))
        categories[rate] = categories.get(rate, 0) + line["net_cents"]
    tax_total = b.cac(root, "TaxTotal")
    vat_by_category = {rate: (net * int(float(rate) * 100) + 5000) // 10000 for rate, net in categories.items()}
    total_vat = sum(vat_by_category.values())
    b.cbc(tax_total, "TaxAmount", _amount(total_vat), **currency)
    for rate, net in categories.items():
        subtotal = b.cac(tax_total, "TaxSubtotal")
        b.cbc(subtotal, "TaxableAmount", _amount(net), **currency)
        b.cbc(subtotal, "TaxAmount", _amount(vat_by_category[rate]), **currency)
        _tax_category(b, subtotal, "TaxCategory", rate)
    net_total = sum(categories.values())
    gross = net_total + total_vat
    prepaid = int(data.get("prepaid_cents") or 0)
    monetary = b.cac(root, "LegalMonetaryTotal")
    b.cbc(monetary, "LineExtensionAmount", _amount(net_total), **currency)
    b.cbc(monetary, "TaxExclusiveAmount", _amount(net_total), **currency)
    b.cbc(monetary, "TaxInclusiveAmount", _amount(gross), **currency)
    if prepaid:
        b.cbc(monetary, "PrepaidAmount", _amount(prepaid), **currency)
    b.cbc(monetary, "PayableAmount", _amount(gross - prepaid), **currency)
    for index, line in enumerate(data["lines"], start=1):
        node = b.cac(root, "InvoiceLine")
        b.cbc(node, "ID", str(index))
        b.cbc(node, "InvoicedQuantity", str(line["quantity"]), unitCode=UNIT_CODE)
        b.cbc(node, "LineExtensionAmount", _amount(line["net_cents"]), **currency)
        item = b.cac(node, "Item")
        b.cbc(item, "Name", text_in(line["description"], language)[:200])
        _tax_category(b, item, "ClassifiedTaxCategory", _rate(line.get("vat_rate")))
        b.cbc(b.cac(node, "Price"), "PriceAmount", _amount(line["unit_price_cents"]), **currency)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def render(data: dict, language: str) -> RenderedDocument:
    return RenderedDocument(build(data, language), "application/xml", f"invoice-{data['number']}.xml")
