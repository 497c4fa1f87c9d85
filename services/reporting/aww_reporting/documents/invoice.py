"""The monthly summary invoice of the services used (PDF). Its Peppol UBL twin is invoice_ubl.

data: number, issue_date, due_date, period {start, end}, seller {name, enterprise_number,
vat_number, address {street, postcode, city, country}, iban}, buyer {name, enterprise_number,
vat_number (or null), address}, lines [{description, quantity, unit_price_cents, net_cents,
vat_rate, vat_cents}], totals {net_cents, vat_cents, gross_cents}, prepaid_cents, issued_at.
"""

from __future__ import annotations

from aww_contracts.errors import field_error
from aww_reporting.documents import RenderedDocument
from aww_reporting.documents._common import address_lines, require, text_in
from aww_reporting.i18n import day, label, money
from aww_reporting.pdf import DocumentPdf

REQUIRED = (
    "number",
    "issue_date",
    "period.start",
    "period.end",
    "seller.name",
    "seller.enterprise_number",
    "seller.address.street",
    "seller.address.postcode",
    "seller.address.city",
    "seller.address.country",
    "buyer.name",
    "buyer.enterprise_number",
    "buyer.address.country",
    "totals",
)


def validate(data: dict) -> None:
    require(data, *REQUIRED)
    lines = data.get("lines")
    if not isinstance(lines, list) or not lines:
        raise field_error("data.lines", "an invoice needs at least one line")
    for index, line in enumerate(lines):
        for key in ("quantity", "unit_price_cents", "net_cents", "vat_cents"):
            if not isinstance(line.get(key), int) or isinstance(line.get(key), bool):
                raise field_error(f"data.lines.{index}.{key}", "must be an integer")
        if line["quantity"] * line["unit_price_cents"] != line["net_cents"]:
            raise field_error(f"data.lines.{index}.net_cents", "must be quantity × unit price")
    totals = data["totals"]
    if sum(line["net_cents"] for line in lines) != totals.get("net_cents"):
        raise field_error("data.totals.net_cents", "must be the sum of the lines")
    if totals.get("net_cents", 0) + totals.get("vat_cents", 0) != totals.get("gross_cents"):
        raise field_error("data.totals.gross_cents", "must be net plus VAT")


def _party(pdf: DocumentPdf, language: str, title: str, party: dict) -> None:
    t = lambda key: label(language, key)  # noqa: E731
    pdf.heading(title, level=2)
    pairs = [(t("organisation"), party["name"]), (t("enterprise_number"), party["enterprise_number"])]
    if party.get("vat_number"):
        pairs.append((t("vat_number"), party["vat_number"]))
    pairs.append((t("address"), address_lines(party.get("address"))))
    if party.get("iban"):
        pairs.append((t("iban"), party["iban"]))
    pdf.key_values(pairs)


def render(data: dict, language: str) -> RenderedDocument:
    t = lambda key, **kw: label(language, key, **kw)  # noqa: E731
    pdf = DocumentPdf(language, f"{t('invoice_title')} {data['number']}", issued_at=data.get("issued_at"), content=data)
    pdf.title_block(f"{t('invoice_title')} {data['number']}")
    pairs = [
        (t("invoice_number"), data["number"]),
        (t("invoice_date"), day(data["issue_date"], language)),
        (t("period"), f"{day(data['period']['start'], language)} – {day(data['period']['end'], language)}"),
    ]
    if data.get("due_date"):
        pairs.append((t("due_date"), day(data["due_date"], language)))
    pdf.key_values(pairs)
    _party(pdf, language, t("seller"), data["seller"])
    _party(pdf, language, t("buyer"), data["buyer"])
    totals = data["totals"]
    rows = [
        [
            text_in(line["description"], language),
            str(line["quantity"]),
            money(line["unit_price_cents"], language),
            money(line["net_cents"], language),
            f"{line.get('vat_rate', '21')} %",
        ]
        for line in data["lines"]
    ]
    pdf.heading(t("description"))
    pdf.table(
        [t("description"), t("quantity"), t("unit_price"), t("amount_excl_vat"), t("vat_rate")],
        rows,
        widths=[66, 20, 30, 34, 24],
        align=["L", "R", "R", "R", "R"],
    )
    pdf.key_values(
        [
            (t("total_excl_vat"), money(totals["net_cents"], language)),
            (t("total_vat"), money(totals["vat_cents"], language)),
            (t("total_incl_vat"), money(totals["gross_cents"], language)),
        ]
    )
    if data.get("prepaid_cents") == totals["gross_cents"]:
        pdf.paragraph(t("already_paid"), bold=True)
    return RenderedDocument(pdf.output_bytes(), "application/pdf", f"invoice-{data['number']}.pdf")
