"""The acceptance document reads back with what a compliance officer must find in it."""

import io

import pytest
from pypdf import PdfReader

from aww_contracts.errors import DomainError
from aww_reporting.documents import acceptance_document, renderer

DATA = {
    "reference": "5b0c/v2",
    "issued_at": "2026-03-02T10:15:00+00:00",
    "contact": {"contact_id": "5b0c", "kind": "person", "display_name": "Rukundo, Michel", "version_no": 2},
    "identification": {
        "first_names": "Michel",
        "last_name": "Rukundo",
        "birth_date": "1974-09-12",
        "birth_place": "Brussels",
        "nationalities": ["BE"],
        "address": {"street": "Rue Haute", "number": "12", "postcode": "1000", "city": "Brussels", "country": "BE"},
        "person_number": "74091233747",
        "id_document": {"type": "id_card", "number": "592-0000001-23", "expiry": "2031-05-01"},
        "profession": "Engineer",
        "pep": {"self": False},
    },
    "answers": {"face_to_face": True},
    "documents": [
        {
            "proof_label": "Identity document",
            "filename": "id-card.pdf",
            "sha256": "ab" * 32,
            "uploaded_at": "2026-03-01T09:00:00+00:00",
        }
    ],
    "beneficial_owners": None,
    "screening": {
        "screened_at": "2026-03-01T09:05:00+00:00",
        "threshold": 0.82,
        "engine_version": "1",
        "list_versions": [{"source": "un", "list_date": "2026-02-20", "checksum": "cd" * 32}],
        "subjects": 1,
        "hits": [
            {
                "subject_id": "contact",
                "source": "UN Security Council consolidated list",
                "matched_name": "MICHEL RUKUNDA",
                "query_name": "Michel Rukundo",
                "score": 0.91,
                "decision": "false_positive",
                "reason": "Other nationality and birth place",
                "decided_at": "2026-03-01T09:07:00+00:00",
                "decided_by": "An Peeters",
            }
        ],
    },
    "assessment": {
        "level": "standard",
        "level_label": "Standaard waakzaamheid",
        "rules_version": "2026.1",
        "why": "Geen factor met hoger risico.",
        "factors": [
            {
                "effect": "lower",
                "title": "Verblijf in een EU-lidstaat",
                "explanation": "Woonplaats in België (BE).",
                "basis": "Annex II",
            }
        ],
    },
    "decision": {
        "decision": "accepted",
        "decided_at": "2026-03-02T10:15:00+00:00",
        "decided_by": "An Peeters",
        "reason": None,
    },
}


def text_of(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def test_the_service_finds_the_renderer_by_its_kind():
    assert renderer("acceptance_document") is acceptance_document


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nl", ["Aanvaardingsdocument", "Rijksregister", "vals positief", "Aanvaard"]),
        ("fr", ["Document d'acceptation", "registre national", "faux positif", "Accepté"]),
        ("en", ["Acceptance document", "National register", "false positive", "Accepted"]),
    ],
)
def test_it_holds_identification_screening_level_and_decision(language, words):
    rendered = acceptance_document.render(DATA, language)
    assert rendered.media_type == "application/pdf" and rendered.filename == "acceptance-Rukundo--Michel-v2.pdf"
    text = text_of(rendered.content)
    for word in [*words, "Rukundo", "74.09.12-337.47", "MICHEL RUKUNDA", "2026.1", "Other nationality", "id-card.pdf"]:
        assert word in text, word


def test_rendering_is_repeatable():
    assert acceptance_document.render(DATA, "nl").content == acceptance_document.render(DATA, "nl").content


def test_an_organisation_shows_its_beneficial_owners():
    data = dict(
        DATA,
        contact={"contact_id": "1", "kind": "organisation", "display_name": "Immo Demo BV", "version_no": 1},
        identification={
            "name": "Immo Demo BV",
            "legal_form": "srl_bv",
            "enterprise_number": "0403019261",
            "seat": {"city": "Gent", "country": "BE"},
        },
        beneficial_owners={
            "owners": [{"name": "Ann Aerts", "percent": "27", "reasons": ["ownership"]}],
            "fallback_to_senior_managers": False,
        },
        screening=None,
    )
    text = text_of(acceptance_document.render(data, "en").content)
    assert "0403.019.261" in text and "Ann Aerts" in text and "27 %" in text and "Not screened." in text


def test_missing_parts_are_named():
    with pytest.raises(DomainError) as refused:
        acceptance_document.validate({k: v for k, v in DATA.items() if k != "assessment"})
    assert refused.value.details["errors"][0]["field"] == "data.assessment.level"
    with pytest.raises(DomainError):
        acceptance_document.validate(
            dict(DATA, decision={"decision": "maybe", "decided_at": "2026-01-01T00:00:00+00:00"})
        )
