"""Transactiebon: the receipt of one wallet operation (top-up, paid service, subscription).

It is clearly not an invoice: the services are invoiced monthly, top-ups never (DOMAIN.md §1).

data: reference, operation (topup | charge | subscription), issued_at (ISO 8601), description
(text or {nl, fr, en}), amount_excl_vat_cents, vat_cents, amount_incl_vat_cents, vat_rate
("21"), optional: organisation {name, enterprise_number}, performed_by, paid_by (wallet |
subscription), payment_method, balance_after_cents.
"""

from __future__ import annotations

from aww_contracts.errors import field_error
from aww_reporting.documents import RenderedDocument
from aww_reporting.documents._common import require, require_cents, text_in
from aww_reporting.i18n import label, moment, money
from aww_reporting.pdf import DocumentPdf

OPERATIONS = {"topup": "op_topup", "charge": "op_charge", "subscription": "op_subscription"}


def validate(data: dict) -> None:
    require(data, "reference", "operation", "issued_at", "description")
    if data["operation"] not in OPERATIONS:
        raise field_error("data.operation", "must be topup, charge or subscription")
    require_cents(data, "amount_excl_vat_cents", "vat_cents", "amount_incl_vat_cents")
    if data["amount_excl_vat_cents"] + data["vat_cents"] != data["amount_incl_vat_cents"]:
        raise field_error("data.amount_incl_vat_cents", "must be the amount excl. VAT plus the VAT")


def render(data: dict, language: str) -> RenderedDocument:
    t = lambda key, **kw: label(language, key, **kw)  # noqa: E731
    pdf = DocumentPdf(language, t("receipt_title"), issued_at=data["issued_at"], content=data)
    pdf.title_block(t("receipt_title"), t("receipt_not_invoice"))
    organisation = data.get("organisation") or {}
    pairs = [
        (t("reference"), data["reference"]),
        (t("operation"), t(OPERATIONS[data["operation"]])),
        (t("date"), moment(data["issued_at"], language)),
    ]
    if organisation.get("name"):
        pairs.append((t("organisation"), organisation["name"]))
    if organisation.get("enterprise_number"):
        pairs.append((t("enterprise_number"), organisation["enterprise_number"]))
    if data.get("performed_by"):
        pairs.append((t("performed_by"), data["performed_by"]))
    if data.get("paid_by") in ("wallet", "subscription"):
        pairs.append((t("paid_by"), t(f"paid_by_{data['paid_by']}")))
    if data.get("payment_method"):
        pairs.append((t("payment_method"), data["payment_method"]))
    pdf.key_values(pairs)
    rate = str(data.get("vat_rate", "21"))
    pdf.table(
        [t("description"), t("amount_excl_vat"), f"{t('vat')} {rate} %", t("amount_incl_vat")],
        [
            [
                text_in(data["description"], language),
                money(data["amount_excl_vat_cents"], language),
                money(data["vat_cents"], language),
                money(data["amount_incl_vat_cents"], language),
            ]
        ],
        widths=[74, 32, 32, 36],
        align=["L", "R", "R", "R"],
    )
    if isinstance(data.get("balance_after_cents"), int):
        pdf.key_values([(t("balance_after"), money(data["balance_after_cents"], language))])
    if data["operation"] == "topup":
        pdf.paragraph(t("receipt_topup_note"), muted=True)
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in data["reference"])[:80]
    return RenderedDocument(pdf.output_bytes(), "application/pdf", f"receipt-{safe}.pdf")
