"""Annual report of the AML officer (DOMAIN.md §2, suggested structure): identification of the
office, overall risk assessment, policies and procedures, statistics of the year (contacts,
counterparties and UBOs, vigilance levels, refusals, PEP / high-risk country / sanctions hits,
transactions), atypical cases and escalations, CTIF-CFI reports, due-diligence failures,
training, inspections and action plan.

data (sent by aml-workflow, annual/reports.py):
  reference, issued_at, year, period {from, to, figures_until},
  office {name, enterprise_number, biv_number, officer_name, senior_responsible},
  texts {risk_assessment, procedures, atypical_transactions, training, action_plan},
  figures {contacts {created, identified, accepted, refused, persons, organisations,
  by_role {client, counterparty, other}, beneficial_owners}, vigilance {accepted, refused, total:
  {simplified, standard, enhanced}}, refusals {contact_versions, risk_profiles}, hits {pep,
  high_risk_country, sanctions, screenings, true_matches_sanctions, true_matches_pep,
  false_positives}, risk_profiles {assessed {levels}, accepted, refused}, escalations {total,
  awaiting_officer, accepted, refused, reported, risk_profiles?, transactions?, by_kind? {risk_profiles,
  transactions: {total, awaiting_officer, accepted, refused, reported}}} (the per-kind parts since
  transactions are escalated too; a report frozen before has the sums only), cfi {reports, submitted,
  answers, answers_continue, answers_stop}, due_diligence {incomplete_identifications, blocked_by_sanctions},
  transactions {total, by_level {levels}, refused, escalated, cash_flagged} | null},
  finalised_by.
The officer's texts arrive in the language the officer wrote them in.
"""

from __future__ import annotations

from aww_contracts.errors import field_error
from aww_reporting.documents import RenderedDocument
from aww_reporting.documents._common import require
from aww_reporting.i18n import day, label, moment
from aww_reporting.pdf import DocumentPdf

LEVELS = ("simplified", "standard", "enhanced")
OUTCOMES = ("awaiting_officer", "accepted", "refused", "reported")
TEXTS = ("risk_assessment", "procedures", "atypical_transactions", "training", "action_plan")

T = {
    "title": {
        "nl": "Jaarverslag van de AML-verantwoordelijke",
        "fr": "Rapport annuel du responsable AML",
        "en": "Annual report of the AML officer",
    },
    "subtitle": {
        "nl": "Wet van 18 september 2017 en koninklijk besluit van 1 april 2022 (vastgoedmakelaars)",
        "fr": "Loi du 18 septembre 2017 et arrêté royal du 1er avril 2022 (agents immobiliers)",
        "en": "Law of 18 September 2017 and royal decree of 1 April 2022 (estate agents)",
    },
    "identification": {
        "nl": "1. Identificatie van het kantoor",
        "fr": "1. Identification du bureau",
        "en": "1. Identification of the office",
    },
    "office_name": {"nl": "Kantoor", "fr": "Bureau", "en": "Office"},
    "enterprise_number": {"nl": "Ondernemingsnummer", "fr": "Numéro d'entreprise", "en": "Enterprise number"},
    "biv_number": {"nl": "BIV-nummer", "fr": "Numéro IPI", "en": "BIV number"},
    "officer_name": {"nl": "AML-verantwoordelijke", "fr": "Responsable AML", "en": "AML officer"},
    "senior_responsible": {
        "nl": "Verantwoordelijke op het hoogste niveau",
        "fr": "Responsable au plus haut niveau",
        "en": "Senior responsible person",
    },
    "period": {"nl": "Periode", "fr": "Période", "en": "Period"},
    "figures_until": {"nl": "Cijfers tot", "fr": "Chiffres jusqu'au", "en": "Figures until"},
    "risk_assessment": {
        "nl": "2. Globale risicobeoordeling",
        "fr": "2. Évaluation globale des risques",
        "en": "2. Overall risk assessment",
    },
    "procedures": {
        "nl": "3. Beleid en procedures",
        "fr": "3. Politiques et procédures",
        "en": "3. Policies and procedures",
    },
    "statistics": {"nl": "4. Statistieken", "fr": "4. Statistiques", "en": "4. Statistics"},
    "contacts": {
        "nl": "Cliënten en tegenpartijen",
        "fr": "Clients et contreparties",
        "en": "Clients and counterparties",
    },
    "created": {"nl": "Nieuwe contactpersonen", "fr": "Nouveaux contacts", "en": "New contacts"},
    "identified": {"nl": "Geïdentificeerd (beslist)", "fr": "Identifiés (décidés)", "en": "Identified (decided)"},
    "accepted": {"nl": "Aanvaard", "fr": "Acceptés", "en": "Accepted"},
    "refused": {"nl": "Geweigerd", "fr": "Refusés", "en": "Refused"},
    "persons": {"nl": "Natuurlijke personen", "fr": "Personnes physiques", "en": "Natural persons"},
    "organisations": {"nl": "Organisaties", "fr": "Organisations", "en": "Organisations"},
    "role_client": {"nl": "Cliënten", "fr": "Clients", "en": "Clients"},
    "role_counterparty": {"nl": "Tegenpartijen", "fr": "Contreparties", "en": "Counterparties"},
    "role_other": {"nl": "Andere", "fr": "Autres", "en": "Others"},
    "beneficial_owners": {
        "nl": "Uiteindelijke begunstigden geïdentificeerd",
        "fr": "Bénéficiaires effectifs identifiés",
        "en": "Beneficial owners identified",
    },
    "vigilance": {"nl": "Waakzaamheidsniveau", "fr": "Niveau de vigilance", "en": "Vigilance level"},
    "level": {"nl": "Niveau", "fr": "Niveau", "en": "Level"},
    "total": {"nl": "Totaal", "fr": "Total", "en": "Total"},
    "level_simplified": {"nl": "Vereenvoudigd", "fr": "Simplifiée", "en": "Simplified"},
    "level_standard": {"nl": "Standaard", "fr": "Standard", "en": "Standard"},
    "level_enhanced": {"nl": "Verhoogd", "fr": "Renforcée", "en": "Enhanced"},
    "refusals": {"nl": "Weigeringen", "fr": "Refus", "en": "Refusals"},
    "refused_versions": {"nl": "Geweigerde contactpersonen", "fr": "Contacts refusés", "en": "Contacts refused"},
    "refused_profiles": {
        "nl": "Geweigerde risicoprofielen",
        "fr": "Profils de risque refusés",
        "en": "Risk profiles refused",
    },
    "hits": {"nl": "Treffers", "fr": "Correspondances", "en": "Hits"},
    "pep": {"nl": "PEP's (en verwanten)", "fr": "PPE (et proches)", "en": "PEPs (and relatives)"},
    "high_risk_country": {
        "nl": "Band met een land met hoog risico",
        "fr": "Lien avec un pays à haut risque",
        "en": "Link with a high-risk country",
    },
    "sanctions": {"nl": "Sanctielijsten", "fr": "Listes de sanctions", "en": "Sanctions lists"},
    "screenings": {"nl": "Screenings", "fr": "Filtrages", "en": "Screenings"},
    "true_matches_sanctions": {
        "nl": "Echte overeenkomsten (sancties)",
        "fr": "Vraies correspondances (sanctions)",
        "en": "True matches (sanctions)",
    },
    "true_matches_pep": {
        "nl": "Echte overeenkomsten (PEP)",
        "fr": "Vraies correspondances (PPE)",
        "en": "True matches (PEP)",
    },
    "false_positives": {"nl": "Vals positieven", "fr": "Faux positifs", "en": "False positives"},
    "risk_profiles": {"nl": "Risicoprofielen", "fr": "Profils de risque", "en": "Risk profiles"},
    "assessed": {"nl": "Beoordeeld", "fr": "Évalués", "en": "Assessed"},
    "transactions": {"nl": "Transacties", "fr": "Transactions", "en": "Transactions"},
    "transactions_total": {
        "nl": "Beoordeelde transacties",
        "fr": "Transactions évaluées",
        "en": "Transactions assessed",
    },
    "transactions_escalated": {"nl": "Geëscaleerd", "fr": "Escaladées", "en": "Escalated"},
    "transactions_cash": {
        "nl": "Met cash gemarkeerd",
        "fr": "Signalées pour paiement en espèces",
        "en": "Flagged for cash",
    },
    "not_available": {
        "nl": "Nog niet beschikbaar in de tool voor dit jaar.",
        "fr": "Pas encore disponible dans l'outil pour cette année.",
        "en": "Not available in the tool for this year yet.",
    },
    "escalations": {
        "nl": "5. Atypische verrichtingen en escalaties",
        "fr": "5. Opérations atypiques et escalades",
        "en": "5. Atypical transactions and escalations",
    },
    "escalated": {
        "nl": "Geëscaleerd naar de AML-verantwoordelijke",
        "fr": "Escaladés au responsable AML",
        "en": "Escalated to the AML officer",
    },
    "escalated_profiles": {
        "nl": "waarvan: risicoprofielen",
        "fr": "dont : profils de risque",
        "en": "of which: risk profiles",
    },
    "escalated_transactions": {
        "nl": "waarvan: transacties",
        "fr": "dont : transactions",
        "en": "of which: transactions",
    },
    "escalations_by_kind": {
        "nl": "Escalaties per soort en uitkomst",
        "fr": "Escalades par type et résultat",
        "en": "Escalations by kind and outcome",
    },
    "outcome": {"nl": "Uitkomst", "fr": "Résultat", "en": "Outcome"},
    "awaiting_officer": {"nl": "Wachtend op beslissing", "fr": "En attente de décision", "en": "Awaiting decision"},
    "reported": {"nl": "Gemeld aan CTIF-CFI", "fr": "Déclarés à la CTIF-CFI", "en": "Reported to CTIF-CFI"},
    "cfi": {
        "nl": "6. Meldingen aan CTIF-CFI (goAML)",
        "fr": "6. Déclarations à la CTIF-CFI (goAML)",
        "en": "6. Reports to CTIF-CFI (goAML)",
    },
    "cfi_reports": {"nl": "Meldingen", "fr": "Déclarations", "en": "Reports"},
    "cfi_submitted": {
        "nl": "Ingediend via goAML",
        "fr": "Introduites via goAML",
        "en": "Submitted through goAML",
    },
    "cfi_answers": {"nl": "Antwoorden van CTIF-CFI", "fr": "Réponses de la CTIF-CFI", "en": "Answers of CTIF-CFI"},
    "cfi_continue": {"nl": "waarvan: voortzetten", "fr": "dont : poursuivre", "en": "of which: continue"},
    "cfi_stop": {
        "nl": "waarvan: niet voortzetten",
        "fr": "dont : ne pas poursuivre",
        "en": "of which: do not continue",
    },
    "due_diligence": {
        "nl": "7. Tekortkomingen in het cliëntenonderzoek",
        "fr": "7. Manquements à la vigilance",
        "en": "7. Due-diligence failures",
    },
    "incomplete": {
        "nl": "Identificaties niet voltooid op het einde van het jaar",
        "fr": "Identifications non terminées à la fin de l'année",
        "en": "Identifications not completed by the end of the year",
    },
    "blocked": {
        "nl": "Geweigerd wegens sanctietreffer",
        "fr": "Refusés pour correspondance de sanctions",
        "en": "Refused for a sanctions match",
    },
    "training": {"nl": "8. Opleiding", "fr": "8. Formation", "en": "8. Training"},
    "action_plan": {
        "nl": "9. Inspecties en actieplan",
        "fr": "9. Inspections et plan d'action",
        "en": "9. Inspections and action plan",
    },
    "atypical_transactions": {"nl": "Toelichting", "fr": "Commentaire", "en": "Comments"},
    "empty": {"nl": "Niet ingevuld.", "fr": "Non complété.", "en": "Not filled in."},
    "finalised": {
        "nl": "Afgesloten door {name} op {when}.",
        "fr": "Finalisé par {name} le {when}.",
        "en": "Finalised by {name} on {when}.",
    },
    "definitions": {
        "nl": "Telregels: een contactpersoon telt eenmaal, bij zijn laatste beslissing van het jaar; treffers tellen "
        "de beslist contactpersonen met een PEP-, landen- of sanctiefactor in hun beoordeling.",
        "fr": "Règles de comptage : un contact compte une fois, à sa dernière décision de l'année ; les "
        "correspondances comptent les contacts décidés dont l'évaluation contient un facteur PPE, pays ou sanctions.",
        "en": "Counting rules: a contact counts once, at its last decision of the year; hits count the decided "
        "contacts whose assessment holds a PEP, country or sanctions factor.",
    },
    "count": {"nl": "Aantal", "fr": "Nombre", "en": "Count"},
}


def t(language: str, key: str, **values) -> str:
    return label(language, key, T, **values)


def validate(data: dict) -> None:
    require(data, "reference", "issued_at", "year", "office.name", "office.enterprise_number", "office.officer_name")
    if not isinstance(data.get("year"), int):
        raise field_error("data.year", "must be a year")
    figures = data.get("figures")
    if not isinstance(figures, dict):
        raise field_error("data.figures", "is required")
    for section in ("contacts", "vigilance", "refusals", "hits", "risk_profiles", "escalations", "cfi",
                    "due_diligence"):  # fmt: skip
        if not isinstance(figures.get(section), dict):
            raise field_error(f"data.figures.{section}", "is required")
    if not isinstance(data.get("texts"), dict):
        raise field_error("data.texts", "is required")


def _enterprise_number(digits: str) -> str:
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}" if digits and len(digits) == 10 else digits or "—"


def _text(pdf: DocumentPdf, language: str, value: str | None) -> None:
    if value and value.strip():
        for block in value.strip().split("\n\n"):
            pdf.paragraph(block.strip())
    else:
        pdf.paragraph(t(language, "empty"), muted=True)


def _counts(pdf: DocumentPdf, language: str, rows: list[tuple[str, object]]) -> None:
    pdf.table(
        ["", t(language, "count")], [[key, str(value)] for key, value in rows], widths=[130, 44], align=["L", "R"]
    )


def _escalations_by_kind(pdf: DocumentPdf, language: str, by_kind: dict | None) -> None:
    """Outcome by kind: risk profiles, transactions and their total side by side."""
    if not isinstance(by_kind, dict):
        return
    profiles, transactions = by_kind.get("risk_profiles") or {}, by_kind.get("transactions") or {}
    pdf.heading(t(language, "escalations_by_kind"), level=2)
    pdf.table(
        [t(language, "outcome"), t(language, "risk_profiles"), t(language, "transactions"), t(language, "total")],
        [
            [
                t(language, "escalated" if key == "total" else key),
                str(profiles.get(key, 0)),
                str(transactions.get(key, 0)),
                str(int(profiles.get(key, 0)) + int(transactions.get(key, 0))),
            ]
            for key in ("total", *OUTCOMES)
        ],
        widths=[70, 35, 35, 34],
        align=["L", "R", "R", "R"],
    )


def render(data: dict, language: str) -> RenderedDocument:
    figures, office, texts = data["figures"], data["office"], data["texts"]
    title = f"{t(language, 'title')} {data['year']}"
    pdf = DocumentPdf(language, title, issued_at=data["issued_at"], content=data)
    pdf.title_block(title, t(language, "subtitle"))

    pdf.heading(t(language, "identification"))
    period = data.get("period") or {}
    pairs = [
        (t(language, "office_name"), office.get("name") or "—"),
        (t(language, "enterprise_number"), _enterprise_number(office.get("enterprise_number", ""))),
        (t(language, "biv_number"), office.get("biv_number") or "—"),
        (t(language, "officer_name"), office.get("officer_name") or "—"),
        (t(language, "senior_responsible"), office.get("senior_responsible") or "—"),
        (
            t(language, "period"),
            f"{day(period['from'], language)} – {day(period['to'], language)}"
            if period.get("from")
            else str(data["year"]),
        ),
    ]
    if period.get("figures_until"):
        pairs.append((t(language, "figures_until"), moment(period["figures_until"], language)))
    pdf.key_values(pairs)

    pdf.heading(t(language, "risk_assessment"))
    _text(pdf, language, texts.get("risk_assessment"))
    pdf.heading(t(language, "procedures"))
    _text(pdf, language, texts.get("procedures"))

    pdf.heading(t(language, "statistics"))
    contacts = figures["contacts"]
    pdf.heading(t(language, "contacts"), level=2)
    roles = contacts.get("by_role") or {}
    _counts(
        pdf,
        language,
        [
            (t(language, "created"), contacts.get("created", 0)),
            (t(language, "identified"), contacts.get("identified", 0)),
            (t(language, "accepted"), contacts.get("accepted", 0)),
            (t(language, "refused"), contacts.get("refused", 0)),
            (t(language, "persons"), contacts.get("persons", 0)),
            (t(language, "organisations"), contacts.get("organisations", 0)),
            (t(language, "role_client"), roles.get("client", 0)),
            (t(language, "role_counterparty"), roles.get("counterparty", 0)),
            (t(language, "role_other"), roles.get("other", 0)),
            (t(language, "beneficial_owners"), contacts.get("beneficial_owners", 0)),
        ],
    )
    vigilance = figures["vigilance"]
    pdf.heading(t(language, "vigilance"), level=2)
    pdf.table(
        [t(language, "level"), t(language, "accepted"), t(language, "refused"), t(language, "total")],
        [
            [
                t(language, f"level_{level}"),
                str((vigilance.get("accepted") or {}).get(level, 0)),
                str((vigilance.get("refused") or {}).get(level, 0)),
                str((vigilance.get("total") or {}).get(level, 0)),
            ]
            for level in LEVELS
        ],
        widths=[74, 33, 33, 34],
        align=["L", "R", "R", "R"],
    )
    refusals = figures["refusals"]
    pdf.heading(t(language, "refusals"), level=2)
    _counts(
        pdf,
        language,
        [
            (t(language, "refused_versions"), refusals.get("contact_versions", 0)),
            (t(language, "refused_profiles"), refusals.get("risk_profiles", 0)),
        ],
    )
    hits = figures["hits"]
    pdf.heading(t(language, "hits"), level=2)
    _counts(
        pdf,
        language,
        [
            (t(language, "pep"), hits.get("pep", 0)),
            (t(language, "high_risk_country"), hits.get("high_risk_country", 0)),
            (t(language, "sanctions"), hits.get("sanctions", 0)),
            (t(language, "screenings"), hits.get("screenings", 0)),
            (t(language, "true_matches_sanctions"), hits.get("true_matches_sanctions", 0)),
            (t(language, "true_matches_pep"), hits.get("true_matches_pep", 0)),
            (t(language, "false_positives"), hits.get("false_positives", 0)),
        ],
    )
    profiles = figures["risk_profiles"]
    pdf.heading(t(language, "risk_profiles"), level=2)
    assessed = profiles.get("assessed") or {}
    _counts(
        pdf,
        language,
        [
            (f"{t(language, 'assessed')}: {t(language, 'level_' + level).lower()}", assessed.get(level, 0))
            for level in LEVELS
        ]
        + [
            (t(language, "accepted"), profiles.get("accepted", 0)),
            (t(language, "refused"), profiles.get("refused", 0)),
        ],
    )
    pdf.heading(t(language, "transactions"), level=2)
    transactions = figures.get("transactions")
    if transactions:
        by = transactions.get("by_level") or {}
        _counts(
            pdf,
            language,
            [(t(language, "transactions_total"), transactions.get("total", 0))]
            + [(t(language, "level_" + level), by.get(level, 0)) for level in LEVELS]
            + [
                (t(language, "refused"), transactions.get("refused", 0)),
                (t(language, "transactions_escalated"), transactions.get("escalated", 0)),
                (t(language, "transactions_cash"), transactions.get("cash_flagged", 0)),
            ],
        )
    else:
        pdf.paragraph(t(language, "not_available"), muted=True)

    escalations = figures["escalations"]
    pdf.heading(t(language, "escalations"))
    _counts(
        pdf,
        language,
        [(t(language, "escalated"), escalations.get("total", 0))]
        + [
            (t(language, label_key), escalations[key])
            for key, label_key in (("risk_profiles", "escalated_profiles"), ("transactions", "escalated_transactions"))
            if key in escalations
        ]
        + [(t(language, outcome), escalations.get(outcome, 0)) for outcome in OUTCOMES],
    )
    _escalations_by_kind(pdf, language, escalations.get("by_kind"))
    if texts.get("atypical_transactions"):
        pdf.heading(t(language, "atypical_transactions"), level=2)
        _text(pdf, language, texts["atypical_transactions"])

    cfi = figures["cfi"]
    pdf.heading(t(language, "cfi"))
    _counts(
        pdf,
        language,
        [
            (t(language, "cfi_reports"), cfi.get("reports", 0)),
            (t(language, "cfi_submitted"), cfi.get("submitted", 0)),
            (t(language, "cfi_answers"), cfi.get("answers", 0)),
            (t(language, "cfi_continue"), cfi.get("answers_continue", 0)),
            (t(language, "cfi_stop"), cfi.get("answers_stop", 0)),
        ],
    )
    failures = figures["due_diligence"]
    pdf.heading(t(language, "due_diligence"))
    _counts(
        pdf,
        language,
        [
            (t(language, "incomplete"), failures.get("incomplete_identifications", 0)),
            (t(language, "blocked"), failures.get("blocked_by_sanctions", 0)),
        ],
    )
    pdf.heading(t(language, "training"))
    _text(pdf, language, texts.get("training"))
    pdf.heading(t(language, "action_plan"))
    _text(pdf, language, texts.get("action_plan"))

    pdf.ln(4)
    pdf.paragraph(t(language, "definitions"), muted=True, size=8)
    pdf.paragraph(
        t(language, "finalised", name=data.get("finalised_by") or "—", when=moment(data["issued_at"], language))
    )
    return RenderedDocument(pdf.output_bytes(), "application/pdf", f"annual-report-{data['year']}-{language}.pdf")
