"""Acceptance document of a contact version (DOMAIN.md §1): the identification and screening parts
of the file an office keeps for ten years — who the contact is, which proofs were collected, which
lists were screened (with their versions), every hit with the decision taken on it, the vigilance
level with every contributing factor and the rules version, and the employee's decision.

data (sent by aml-workflow, cases/acceptance.py):
  reference, issued_at, contact {contact_id, kind, display_name, version_no},
  identification (the version's data), answers, documents [{proof_label, filename, sha256,
  uploaded_at}], beneficial_owners {owners [{name, percent, reasons}], fallback_to_senior_managers,
  senior_managers} | null, screening {screened_at, threshold, engine_version, list_versions
  [{source, list_date, checksum}], subjects, hits [{subject_id, source, matched_name, query_name,
  score, decision, reason, decided_at, decided_by}]} | null, assessment {level, level_label,
  rules_version, why, factors [{effect, title, explanation, basis}]}, decision {decision,
  decided_at, decided_by, reason}.
The factor texts arrive already in the document's language (the rulebook holds them).
"""

from __future__ import annotations

from babel import Locale

from aww_contracts.errors import field_error
from aww_reporting.documents import RenderedDocument
from aww_reporting.documents._common import require
from aww_reporting.i18n import day, label, moment
from aww_reporting.pdf import DocumentPdf

KINDS = ("person", "organisation")

T = {
    "title": {"nl": "Aanvaardingsdocument", "fr": "Document d'acceptation", "en": "Acceptance document"},
    "subtitle": {
        "nl": "Identificatie en screening van een contactpersoon (wet van 18 september 2017)",
        "fr": "Identification et filtrage d'un contact (loi du 18 septembre 2017)",
        "en": "Identification and screening of a contact (law of 18 September 2017)",
    },
    "contact": {"nl": "Contactpersoon", "fr": "Contact", "en": "Contact"},
    "version": {"nl": "Versie", "fr": "Version", "en": "Version"},
    "kind": {"nl": "Soort", "fr": "Type", "en": "Kind"},
    "kind_person": {"nl": "Natuurlijke persoon", "fr": "Personne physique", "en": "Natural person"},
    "kind_organisation": {"nl": "Organisatie", "fr": "Organisation", "en": "Organisation"},
    "reference": {"nl": "Referentie", "fr": "Référence", "en": "Reference"},
    "identification": {"nl": "Identificatie", "fr": "Identification", "en": "Identification"},
    "name": {"nl": "Naam", "fr": "Nom", "en": "Name"},
    "first_names": {"nl": "Voornamen", "fr": "Prénoms", "en": "First names"},
    "last_name": {"nl": "Naam", "fr": "Nom", "en": "Last name"},
    "birth": {"nl": "Geboren", "fr": "Né(e)", "en": "Born"},
    "nationalities": {"nl": "Nationaliteit", "fr": "Nationalité", "en": "Nationality"},
    "address": {"nl": "Adres", "fr": "Adresse", "en": "Address"},
    "person_number": {
        "nl": "Rijksregister- of bisnummer",
        "fr": "Numéro de registre national ou bis",
        "en": "National register or BIS number",
    },
    "id_document": {"nl": "Identiteitsdocument", "fr": "Document d'identité", "en": "Identity document"},
    "expiry": {"nl": "geldig tot", "fr": "valable jusqu'au", "en": "valid until"},
    "profession": {"nl": "Beroep", "fr": "Profession", "en": "Profession"},
    "pep": {"nl": "PEP-verklaring", "fr": "Déclaration PPE", "en": "PEP declaration"},
    "pep_yes": {"nl": "verklaart PEP te zijn", "fr": "déclare être PPE", "en": "declares being a PEP"},
    "pep_no": {"nl": "verklaart geen PEP te zijn", "fr": "déclare ne pas être PPE", "en": "declares not being a PEP"},
    "pep_related": {"nl": "verbonden met een PEP", "fr": "lié à une PPE", "en": "related to a PEP"},
    "legal_form": {"nl": "Rechtsvorm", "fr": "Forme juridique", "en": "Legal form"},
    "enterprise_number": {"nl": "Ondernemingsnummer", "fr": "Numéro d'entreprise", "en": "Enterprise number"},
    "registration": {"nl": "Registratie", "fr": "Enregistrement", "en": "Registration"},
    "seat": {"nl": "Zetel", "fr": "Siège", "en": "Registered office"},
    "directors": {"nl": "Bestuurders", "fr": "Administrateurs", "en": "Directors"},
    "representatives": {"nl": "Vertegenwoordigers", "fr": "Représentants", "en": "Representatives"},
    "owners": {"nl": "Uiteindelijke begunstigden", "fr": "Bénéficiaires effectifs", "en": "Beneficial owners"},
    "percent": {"nl": "Aandeel", "fr": "Part", "en": "Share"},
    "why_owner": {"nl": "Grond", "fr": "Motif", "en": "Ground"},
    "reason_ownership": {"nl": "eigendom > 25 %", "fr": "propriété > 25 %", "en": "ownership > 25 %"},
    "reason_control": {"nl": "controle", "fr": "contrôle", "en": "control"},
    "reason_control_through_chain": {
        "nl": "controle via een tussenschakel",
        "fr": "contrôle par un intermédiaire",
        "en": "control through an intermediate entity",
    },
    "fallback": {
        "nl": "Niemand houdt meer dan 25 % of heeft controle: de hoogste leidinggevenden zijn opgenomen:",
        "fr": "Personne ne détient plus de 25 % ni ne contrôle : les dirigeants principaux sont retenus :",
        "en": "Nobody holds more than 25 % or controls: the senior managing officials are recorded:",
    },
    "proofs": {"nl": "Bewijsstukken", "fr": "Pièces justificatives", "en": "Proof documents"},
    "proof": {"nl": "Stuk", "fr": "Pièce", "en": "Proof"},
    "file": {"nl": "Bestand", "fr": "Fichier", "en": "File"},
    "received": {"nl": "Ontvangen", "fr": "Reçu", "en": "Received"},
    "fingerprint": {"nl": "SHA-256 (begin)", "fr": "SHA-256 (début)", "en": "SHA-256 (start)"},
    "none": {"nl": "Geen", "fr": "Aucun", "en": "None"},
    "screening": {"nl": "Screening", "fr": "Filtrage", "en": "Screening"},
    "screened_at": {"nl": "Gescreend op", "fr": "Filtré le", "en": "Screened on"},
    "threshold": {"nl": "Drempel", "fr": "Seuil", "en": "Threshold"},
    "engine": {"nl": "Versie van de zoekmotor", "fr": "Version du moteur", "en": "Engine version"},
    "subjects": {"nl": "Gescreende personen", "fr": "Personnes filtrées", "en": "Persons screened"},
    "lists": {"nl": "Gebruikte lijsten", "fr": "Listes utilisées", "en": "Lists used"},
    "list": {"nl": "Lijst", "fr": "Liste", "en": "List"},
    "list_date": {"nl": "Versie", "fr": "Version", "en": "Version"},
    "checksum": {"nl": "Controlesom (begin)", "fr": "Somme de contrôle (début)", "en": "Checksum (start)"},
    "hits": {"nl": "Treffers", "fr": "Correspondances", "en": "Hits"},
    "no_hits": {"nl": "Geen treffers.", "fr": "Aucune correspondance.", "en": "No hits."},
    "not_screened": {"nl": "Niet gescreend.", "fr": "Non filtré.", "en": "Not screened."},
    "searched": {"nl": "Gezocht", "fr": "Recherché", "en": "Searched"},
    "matched": {"nl": "Gevonden", "fr": "Trouvé", "en": "Found"},
    "score": {"nl": "Score", "fr": "Score", "en": "Score"},
    "hit_decision": {"nl": "Beslissing", "fr": "Décision", "en": "Decision"},
    "true_match": {"nl": "echte overeenkomst", "fr": "vraie correspondance", "en": "true match"},
    "false_positive": {"nl": "vals positief", "fr": "faux positif", "en": "false positive"},
    "undecided": {"nl": "niet beslist", "fr": "non décidé", "en": "undecided"},
    "vigilance": {"nl": "Waakzaamheidsniveau", "fr": "Niveau de vigilance", "en": "Vigilance level"},
    "rules_version": {"nl": "Versie van de regels", "fr": "Version des règles", "en": "Rules version"},
    "factors": {"nl": "Factoren", "fr": "Facteurs", "en": "Factors"},
    "effect_enhanced": {"nl": "verhoogd", "fr": "renforcé", "en": "enhanced"},
    "effect_higher": {"nl": "hoger risico", "fr": "risque accru", "en": "higher risk"},
    "effect_lower": {"nl": "lager risico", "fr": "risque réduit", "en": "lower risk"},
    "no_factors": {"nl": "Geen enkele factor.", "fr": "Aucun facteur.", "en": "No factor."},
    "decision": {"nl": "Beslissing", "fr": "Décision", "en": "Decision"},
    "accepted": {"nl": "Aanvaard", "fr": "Accepté", "en": "Accepted"},
    "refused": {"nl": "Geweigerd", "fr": "Refusé", "en": "Refused"},
    "decided_by": {"nl": "Door", "fr": "Par", "en": "By"},
    "decided_at": {"nl": "Op", "fr": "Le", "en": "On"},
    "reason": {"nl": "Reden", "fr": "Motif", "en": "Reason"},
}
ID_TYPES = {
    "id_card": {"nl": "identiteitskaart", "fr": "carte d'identité", "en": "identity card"},
    "passport": {"nl": "paspoort", "fr": "passeport", "en": "passport"},
    "residence_permit": {"nl": "verblijfskaart", "fr": "titre de séjour", "en": "residence permit"},
    "foreign_id_card": {
        "nl": "buitenlandse identiteitskaart",
        "fr": "carte d'identité étrangère",
        "en": "foreign ID card",
    },
}


def t(language: str, key: str) -> str:
    return label(language, key, T)


def validate(data: dict) -> None:
    require(data, "reference", "issued_at", "contact.kind", "contact.display_name", "contact.version_no")
    require(data, "assessment.level", "assessment.rules_version", "decision.decision", "decision.decided_at")
    if data["contact"]["kind"] not in KINDS:
        raise field_error("data.contact.kind", "must be person or organisation")
    if data["decision"]["decision"] not in ("accepted", "refused"):
        raise field_error("data.decision.decision", "must be accepted or refused")
    if not isinstance(data.get("identification"), dict):
        raise field_error("data.identification", "is required")
    for name in ("documents", "assessment.factors"):
        node = data
        for part in name.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, list):
            raise field_error(f"data.{name}", "must be a list")


def _countries(codes, language: str) -> str:
    names = Locale.parse(language).territories
    return ", ".join(f"{names.get(code, code)}" for code in codes or [])


def _address(address: dict | None, language: str) -> str:
    if not address:
        return "—"
    street = " ".join(part for part in (address.get("street"), address.get("number")) if part)
    if address.get("box"):
        street += (
            f" bus {address['box']}"
            if language == "nl"
            else f" bte {address['box']}"
            if language == "fr"
            else f" box {address['box']}"
        )
    place = " ".join(part for part in (address.get("postcode"), address.get("city")) if part)
    country = _countries([address["country"]], language) if address.get("country") else ""
    return ", ".join(part for part in (street, place, country) if part) or "—"


def _person_number(digits: str | None) -> str:
    if not digits or len(digits) != 11:
        return "—"
    return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}-{digits[6:9]}.{digits[9:]}"


def _enterprise_number(digits: str | None) -> str:
    if not digits or len(digits) != 10:
        return "—"
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def _person_pairs(data: dict, language: str) -> list[tuple[str, str]]:
    birth = ", ".join(
        part
        for part in (
            day(data["birth_date"], language) if data.get("birth_date") else "",
            data.get("birth_place", ""),
            _countries([data["birth_country"]], language) if data.get("birth_country") else "",
        )
        if part
    )
    document = data.get("id_document") or {}
    document_text = "—"
    if document:
        kind = ID_TYPES.get(document.get("type"), {}).get(language, document.get("type", ""))
        document_text = f"{kind} {document.get('number', '')}".strip()
        if document.get("expiry"):
            document_text += f", {t(language, 'expiry')} {day(document['expiry'], language)}"
    pep = data.get("pep") or {}
    pep_text = t(language, "pep_yes") if pep.get("self") else t(language, "pep_no")
    if pep.get("function"):
        pep_text += f" ({pep['function'].replace('_', ' ')})"
    if pep.get("relation"):
        pep_text += (
            f"; {t(language, 'pep_related')}: {pep.get('related_person', '')} ({pep['relation'].replace('_', ' ')})"
        )
    return [
        (t(language, "last_name"), data.get("last_name", "—")),
        (t(language, "first_names"), data.get("first_names", "—")),
        (t(language, "birth"), birth or "—"),
        (t(language, "nationalities"), _countries(data.get("nationalities"), language) or "—"),
        (t(language, "address"), _address(data.get("address"), language)),
        (t(language, "person_number"), _person_number(data.get("person_number"))),
        (t(language, "id_document"), document_text),
        (t(language, "profession"), data.get("profession", "—")),
        (t(language, "pep"), pep_text),
    ]


def _organisation_pairs(data: dict, language: str) -> list[tuple[str, str]]:
    registration = data.get("registration") or {}
    pairs = [
        (t(language, "name"), data.get("name", "—")),
        (t(language, "legal_form"), (data.get("legal_form") or "—").replace("_", " / ").upper()),
        (t(language, "enterprise_number"), _enterprise_number(data.get("enterprise_number"))),
        (t(language, "seat"), _address(data.get("seat"), language)),
    ]
    if registration.get("number"):
        pairs.append((t(language, "registration"), f"{registration.get('country', '')} {registration['number']}"))
    directors = "; ".join(
        " ".join(part for part in (d.get("name"), f"({d['function']})" if d.get("function") else "") if part)
        for d in data.get("directors", [])
    )
    representatives = "; ".join(
        " ".join(
            part
            for part in (r.get("first_names"), r.get("last_name"), f"({r['capacity']})" if r.get("capacity") else "")
            if part
        )
        for r in data.get("representatives", [])
    )
    pairs.append((t(language, "directors"), directors or "—"))
    pairs.append((t(language, "representatives"), representatives or "—"))
    return pairs


def render(data: dict, language: str) -> RenderedDocument:
    contact = data["contact"]
    title = t(language, "title")
    pdf = DocumentPdf(language, title, issued_at=data["issued_at"], content=data)
    pdf.title_block(f"{title}: {contact['display_name']}", t(language, "subtitle"))
    pdf.key_values(
        [
            (t(language, "contact"), contact["display_name"]),
            (t(language, "kind"), t(language, f"kind_{contact['kind']}")),
            (t(language, "version"), str(contact["version_no"])),
            (t(language, "reference"), data["reference"]),
        ]
    )

    pdf.heading(t(language, "identification"))
    identification = data["identification"]
    pairs = (
        _person_pairs(identification, language)
        if contact["kind"] == "person"
        else _organisation_pairs(identification, language)
    )
    pdf.key_values(pairs)
    owners = data.get("beneficial_owners")
    if owners:
        pdf.heading(t(language, "owners"), level=2)
        if owners.get("owners"):
            pdf.table(
                [t(language, "name"), t(language, "percent"), t(language, "why_owner")],
                [
                    [
                        o["name"],
                        f"{o['percent']} %",
                        ", ".join(t(language, f"reason_{r}") for r in o.get("reasons", [])),
                    ]
                    for o in owners["owners"]
                ],
                widths=[80, 25, 69],
            )
        if owners.get("fallback_to_senior_managers"):
            pdf.paragraph(t(language, "fallback") + " " + (", ".join(owners.get("senior_managers", [])) or "—"))

    pdf.heading(t(language, "proofs"))
    if data["documents"]:
        pdf.table(
            [t(language, "proof"), t(language, "file"), t(language, "received"), t(language, "fingerprint")],
            [
                [
                    d.get("proof_label", ""),
                    d.get("filename", ""),
                    moment(d["uploaded_at"], language),
                    d.get("sha256", "")[:16],
                ]
                for d in data["documents"]
            ],
            widths=[56, 48, 36, 34],
        )
    else:
        pdf.paragraph(t(language, "none"), muted=True)

    pdf.heading(t(language, "screening"))
    screening = data.get("screening")
    if not screening:
        pdf.paragraph(t(language, "not_screened"), muted=True)
    else:
        pdf.key_values(
            [
                (t(language, "screened_at"), moment(screening["screened_at"], language)),
                (t(language, "threshold"), str(screening.get("threshold", ""))),
                (t(language, "engine"), str(screening.get("engine_version", ""))),
                (t(language, "subjects"), str(screening.get("subjects", ""))),
            ]
        )
        pdf.table(
            [t(language, "list"), t(language, "list_date"), t(language, "checksum")],
            [
                [v.get("source") or "", v.get("list_date") or "", (v.get("checksum") or "")[:16]]
                for v in screening.get("list_versions", [])
            ]
            or [["—", "", ""]],
            widths=[70, 50, 54],
        )
        pdf.heading(t(language, "hits"), level=2)
        if screening.get("hits"):
            rows = []
            for hit in screening["hits"]:
                decision = (
                    t(language, hit["decision"])
                    if hit.get("decision") in ("true_match", "false_positive")
                    else t(language, "undecided")
                )
                if hit.get("decided_by"):
                    decision += f" — {hit['decided_by']}"
                if hit.get("decided_at"):
                    decision += f", {moment(hit['decided_at'], language)}"
                if hit.get("reason"):
                    decision += f": {hit['reason']}"
                rows.append(
                    [
                        hit.get("query_name", ""),
                        f"{hit.get('matched_name', '')} ({hit.get('source', '')})",
                        f"{hit.get('score', 0):.2f}",
                        decision,
                    ]
                )
            pdf.table(
                [t(language, "searched"), t(language, "matched"), t(language, "score"), t(language, "hit_decision")],
                rows,
                widths=[34, 52, 16, 72],
            )
        else:
            pdf.paragraph(t(language, "no_hits"))

    assessment = data["assessment"]
    pdf.heading(t(language, "vigilance"))
    pdf.key_values(
        [
            (t(language, "vigilance"), assessment.get("level_label") or assessment["level"]),
            (t(language, "rules_version"), assessment["rules_version"]),
        ]
    )
    if assessment.get("why"):
        pdf.paragraph(assessment["why"])
    pdf.heading(t(language, "factors"), level=2)
    if assessment["factors"]:
        for factor in assessment["factors"]:
            pdf.paragraph(f"{factor['title']} ({t(language, 'effect_' + factor['effect'])})", bold=True)
            pdf.paragraph(factor.get("explanation", ""))
            if factor.get("basis"):
                pdf.paragraph(factor["basis"], muted=True, size=8)
    else:
        pdf.paragraph(t(language, "no_factors"))

    decision = data["decision"]
    pdf.heading(t(language, "decision"))
    pairs = [
        (t(language, "decision"), t(language, decision["decision"])),
        (t(language, "decided_at"), moment(decision["decided_at"], language)),
        (t(language, "decided_by"), decision.get("decided_by") or "—"),
    ]
    if decision.get("reason"):
        pairs.append((t(language, "reason"), decision["reason"]))
    pdf.key_values(pairs)
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in contact["display_name"])[:60].strip("-") or "contact"
    return RenderedDocument(pdf.output_bytes(), "application/pdf", f"acceptance-{safe}-v{contact['version_no']}.pdf")
