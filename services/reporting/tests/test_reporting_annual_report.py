"""The AML officer's annual report reads back, in each language, with the office, the officer's
texts and every figure of the year where a reader (or an inspector) looks for it."""

import io

import pytest
from pypdf import PdfReader

from aww_contracts.errors import DomainError
from aww_reporting.documents import annual_report, renderer

LEVELS = {"simplified": 3, "standard": 41, "enhanced": 7}

DATA = {
    "reference": "annual/2025",
    "issued_at": "2026-02-10T09:30:00+00:00",
    "year": 2025,
    "period": {"from": "2025-01-01", "to": "2025-12-31", "figures_until": "2026-01-01T00:00:00+01:00"},
    "office": {
        "name": "Immo Zoë",
        "enterprise_number": "0403019261",
        "biv_number": "B-512.345",
        "officer_name": "An Peeters",
        "senior_responsible": "Marc Dubois",
    },
    "texts": {
        "risk_assessment": "Updated in March: rental deals of foreign investors added as main risk.",
        "procedures": "Screening before every brokerage agreement.",
        "atypical_transactions": "Two rentals paid from third-party accounts were analysed.",
        "training": "Four employees followed the Federation course on 12 May.",
        "action_plan": "FPS Economy inspection in June; action plan: re-screen dormant clients.",
    },
    "figures": {
        "contacts": {
            "created": 57,
            "identified": 51,
            "accepted": 48,
            "refused": 3,
            "persons": 44,
            "organisations": 7,
            "by_role": {"client": 29, "counterparty": 20, "other": 2},
            "beneficial_owners": 9,
        },
        "vigilance": {
            "accepted": {"simplified": 3, "standard": 40, "enhanced": 5},
            "refused": {"simplified": 0, "standard": 1, "enhanced": 2},
            "total": LEVELS,
        },
        "refusals": {"contact_versions": 4, "risk_profiles": 2},
        "hits": {
            "pep": 6,
            "high_risk_country": 5,
            "sanctions": 1,
            "screenings": 73,
            "true_matches_sanctions": 1,
            "true_matches_pep": 2,
            "false_positives": 17,
        },
        "risk_profiles": {"assessed": {"simplified": 2, "standard": 30, "enhanced": 8}, "accepted": 35, "refused": 2},
        "escalations": {"total": 8, "awaiting_officer": 1, "accepted": 4, "refused": 1, "reported": 2},
        "cfi": {"reports": 2, "answers": 1, "answers_continue": 1, "answers_stop": 0, "source": "timeline"},
        "due_diligence": {"incomplete_identifications": 6, "blocked_by_sanctions": 1},
        "transactions": None,
    },
    "finalised_by": "An Peeters",
}


def text_of(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def test_the_service_finds_the_renderer_by_its_kind():
    assert renderer("annual_report") is annual_report


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nl", ["Jaarverslag van de AML-verantwoordelijke 2025", "0403.019.261", "Tegenpartijen 20", "Verhoogd 5 2 7",
                "Meldingen 2", "Nog niet beschikbaar", "Afgesloten door An Peeters"]),
        ("fr", ["Rapport annuel du responsable AML 2025", "Contreparties 20", "Renforcée 5 2 7",
                "Déclarations 2", "Pas encore disponible", "Finalisé par An Peeters"]),
        ("en", ["Annual report of the AML officer 2025", "Counterparties 20", "Enhanced 5 2 7", "Reports 2",
                "Not available in the tool", "Finalised by An Peeters", "Beneficial owners identified 9",
                "PEPs (and relatives) 6", "Link with a high-risk country 5", "False positives 17",
                "Identifications not completed by the end of the year 6"]),
    ],
)  # fmt: skip
def test_it_holds_office_texts_and_figures(language, words):
    rendered = annual_report.render(DATA, language)
    assert rendered.media_type == "application/pdf" and rendered.filename == f"annual-report-2025-{language}.pdf"
    text = text_of(rendered.content)
    for word in [*words, "Immo Zoë", "B-512.345", "Marc Dubois", "foreign investors", "Federation course",
                 "third-party accounts", "re-screen dormant clients"]:  # fmt: skip
        assert word in text, (language, word)


def test_transactions_appear_when_the_tool_has_them():
    figures = dict(DATA["figures"], transactions={"total": 12, "by_level": {"enhanced": 3}, "refused": 1,
                                                  "escalated": 3, "cash_flagged": 1})  # fmt: skip
    text = text_of(annual_report.render(dict(DATA, figures=figures), "en").content)
    assert "Transactions assessed 12" in text and "Flagged for cash 1" in text and "Not available" not in text


def test_escalations_are_split_into_risk_profiles_and_transactions():
    by_kind = {
        "risk_profiles": {"total": 5, "awaiting_officer": 1, "accepted": 3, "refused": 1, "reported": 0},
        "transactions": {"total": 3, "awaiting_officer": 0, "accepted": 1, "refused": 0, "reported": 2},
    }
    escalations = dict(DATA["figures"]["escalations"], risk_profiles=5, transactions=3, by_kind=by_kind)
    data = dict(DATA, figures=dict(DATA["figures"], escalations=escalations))
    english = text_of(annual_report.render(data, "en").content)
    assert "Escalated to the AML officer 8" in english
    assert "of which: risk profiles 5" in english and "of which: transactions 3" in english
    assert "Escalations by kind and outcome" in english
    assert "Reported to CTIF-CFI 0 2 2" in english and "Accepted 3 1 4" in english
    assert "waarvan: transacties 3" in text_of(annual_report.render(data, "nl").content)
    # a report frozen before the split (sums only) renders as it did
    older = text_of(annual_report.render(DATA, "en").content)
    assert (
        "Escalated to the AML officer 8" in older and "of which: risk profiles" not in older and "by kind" not in older
    )


def test_empty_officer_parts_say_so_and_rendering_is_repeatable():
    data = dict(DATA, texts={"risk_assessment": "", "procedures": "x", "training": "y", "action_plan": "z"})
    assert "Not filled in." in text_of(annual_report.render(data, "en").content)
    assert annual_report.render(DATA, "fr").content == annual_report.render(DATA, "fr").content


def test_every_label_is_in_three_languages():
    for key, texts in annual_report.T.items():
        assert set(texts) == {"nl", "fr", "en"} and all(texts.values()), key


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"office": {"name": "Immo Zoë", "enterprise_number": "0403019261"}}, "data.office.officer_name"),
        ({"figures": {k: v for k, v in DATA["figures"].items() if k != "cfi"}}, "data.figures.cfi"),
        ({"year": "2025"}, "data.year"),
    ],
)
def test_missing_parts_are_named(change, field):
    with pytest.raises(DomainError) as refused:
        annual_report.validate(dict(DATA, **change))
    assert refused.value.details["errors"][0]["field"] == field
