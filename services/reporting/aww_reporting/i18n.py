"""Labels and formats of documents in Dutch, French and English.

A small dict catalogue rather than gettext: documents have few labels, renderers of other teams
add their own, and a missing translation must fail a test, not print an English word in a
French invoice. `label(language, key)` falls back to English only for an unknown language.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency

LANGUAGES = ("nl", "fr", "en")
BRUSSELS = ZoneInfo("Europe/Brussels")
_LOCALES = {"nl": "nl_BE", "fr": "fr_BE", "en": "en_GB"}

LABELS: dict[str, dict[str, str]] = {
    "page": {"nl": "Pagina {page} van {pages}", "fr": "Page {page} sur {pages}", "en": "Page {page} of {pages}"},
    "generated_on": {"nl": "Aangemaakt op {when}", "fr": "Généré le {when}", "en": "Generated on {when}"},
    "receipt_title": {"nl": "Transactiebon", "fr": "Bon de transaction", "en": "Transaction receipt"},
    "receipt_not_invoice": {
        "nl": "Dit is geen factuur. De diensten van deze maand staan op de maandelijkse verzamelfactuur.",
        "fr": "Ceci n'est pas une facture. Les services du mois figurent sur la facture récapitulative mensuelle.",
        "en": "This is not an invoice. The services of the month appear on the monthly summary invoice.",
    },
    "receipt_topup_note": {
        "nl": "Opladingen worden niet gefactureerd: het bedrag staat op een derdenrekening.",
        "fr": "Les rechargements ne sont pas facturés : le montant est conservé sur un compte de tiers.",
        "en": "Top-ups are not invoiced: the amount is held on a third-party account.",
    },
    "reference": {"nl": "Referentie", "fr": "Référence", "en": "Reference"},
    "operation": {"nl": "Verrichting", "fr": "Opération", "en": "Operation"},
    "date": {"nl": "Datum", "fr": "Date", "en": "Date"},
    "organisation": {"nl": "Organisatie", "fr": "Organisation", "en": "Organisation"},
    "enterprise_number": {"nl": "Ondernemingsnummer", "fr": "Numéro d'entreprise", "en": "Enterprise number"},
    "vat_number": {"nl": "Btw-nummer", "fr": "Numéro de TVA", "en": "VAT number"},
    "performed_by": {"nl": "Uitgevoerd door", "fr": "Effectué par", "en": "Performed by"},
    "description": {"nl": "Omschrijving", "fr": "Description", "en": "Description"},
    "quantity": {"nl": "Aantal", "fr": "Quantité", "en": "Quantity"},
    "unit_price": {"nl": "Eenheidsprijs", "fr": "Prix unitaire", "en": "Unit price"},
    "amount_excl_vat": {"nl": "Bedrag excl. btw", "fr": "Montant HTVA", "en": "Amount excl. VAT"},
    "vat": {"nl": "Btw", "fr": "TVA", "en": "VAT"},
    "vat_rate": {"nl": "Btw-tarief", "fr": "Taux de TVA", "en": "VAT rate"},
    "amount_incl_vat": {"nl": "Bedrag incl. btw", "fr": "Montant TVAC", "en": "Amount incl. VAT"},
    "paid_by": {"nl": "Betaald met", "fr": "Payé par", "en": "Paid by"},
    "paid_by_wallet": {"nl": "Portefeuille", "fr": "Portefeuille", "en": "Wallet"},
    "paid_by_subscription": {"nl": "Abonnement", "fr": "Abonnement", "en": "Subscription"},
    "balance_after": {"nl": "Saldo na verrichting", "fr": "Solde après l'opération", "en": "Balance afterwards"},
    "payment_method": {"nl": "Betaalwijze", "fr": "Moyen de paiement", "en": "Payment method"},
    "op_topup": {"nl": "Oplading portefeuille", "fr": "Rechargement du portefeuille", "en": "Wallet top-up"},
    "op_charge": {"nl": "Betaalde dienst", "fr": "Service payant", "en": "Paid service"},
    "op_subscription": {"nl": "Aankoop abonnement", "fr": "Achat d'abonnement", "en": "Subscription purchase"},
    "invoice_title": {"nl": "Factuur", "fr": "Facture", "en": "Invoice"},
    "invoice_number": {"nl": "Factuurnummer", "fr": "Numéro de facture", "en": "Invoice number"},
    "invoice_date": {"nl": "Factuurdatum", "fr": "Date de facture", "en": "Invoice date"},
    "due_date": {"nl": "Vervaldatum", "fr": "Date d'échéance", "en": "Due date"},
    "period": {"nl": "Periode", "fr": "Période", "en": "Period"},
    "seller": {"nl": "Verkoper", "fr": "Vendeur", "en": "Seller"},
    "buyer": {"nl": "Klant", "fr": "Client", "en": "Customer"},
    "total_excl_vat": {"nl": "Totaal excl. btw", "fr": "Total HTVA", "en": "Total excl. VAT"},
    "total_vat": {"nl": "Totaal btw", "fr": "Total TVA", "en": "Total VAT"},
    "total_incl_vat": {"nl": "Totaal incl. btw", "fr": "Total TVAC", "en": "Total incl. VAT"},
    "already_paid": {
        "nl": "Reeds betaald uit de portefeuille: er moet niets meer betaald worden.",
        "fr": "Déjà payé par le portefeuille : aucun paiement n'est encore dû.",
        "en": "Already paid from the wallet: nothing remains to be paid.",
    },
    "address": {"nl": "Adres", "fr": "Adresse", "en": "Address"},
    "iban": {"nl": "IBAN", "fr": "IBAN", "en": "IBAN"},
}


def label(language: str, key: str, catalogue: dict[str, dict[str, str]] | None = None, **params) -> str:
    table = (catalogue or {}).get(key) or LABELS[key]
    text = table.get(language) or table["en"]
    return text.format(**params) if params else text


def money(cents: int, language: str, currency: str = "EUR") -> str:
    """Integer cents as the reader expects them: € 1.234,56 (nl), 1 234,56 € (fr), €1,234.56 (en)."""
    if not isinstance(cents, int) or isinstance(cents, bool):
        raise TypeError("money amounts are integer cents")
    from decimal import Decimal

    return format_currency(Decimal(cents) / 100, currency, locale=_LOCALES.get(language, "en_GB"))


def day(value: date | datetime | str, language: str) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(BRUSSELS).date()
    return format_date(value, format="long", locale=_LOCALES.get(language, "en_GB"))


def moment(value: datetime | str, language: str) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return format_datetime(value.astimezone(BRUSSELS), format="medium", locale=_LOCALES.get(language, "en_GB"))
