"""Screening pages and API in the gateway: access rules over HTTP against the whole platform, the
OpenAPI document, and the hit partial the contact pages include, rendered in every language."""

import pytest

from aww_gateway.i18n import LANGUAGES
from aww_gateway.settings import Settings
from aww_gateway.web import Web

HIT = {
    "hit_id": "7c0a4a0e-7d5e-4a0e-9d5e-0a4a0e7d5e4a",
    "run_id": "r",
    "subject_id": "p1",
    "source": "un",
    "source_title": "UN Security Council consolidated list",
    "list_kind": "sanctions",
    "snapshot_id": "s",
    "list_version": "2026-02-27T00:00:09.554Z",
    "entry_id": "CDi.001",
    "entry_hash": "h",
    "entry": {
        "kind": "person",
        "primary_name": "ERIC BADEGE",
        "names": ["ERIC BADEGE", "Eric Badeghe"],
        "birth_dates": ["1971"],
        "nationalities": ["CD"],
        "programme": "DRC",
        "pep_function": None,
    },
    "query_name": "Erik Badeg",
    "matched_name": "ERIC BADEGE",
    "score": 0.957,
    "explanation": {
        "name_score": 0.857,
        "parts": [
            {"query": "erik", "listed": "eric", "similarity": 0.88, "how": "phonetic"},
            {"query": "badeg", "listed": "badege", "similarity": 0.833, "how": "typo"},
        ],
        "evidence": [{"kind": "birth_date", "delta": 0.06, "detail": "same birth year 1971"}],
    },
    "decision": None,
    "is_new": True,
}


def screening(hits):
    return {
        "contact_id": "contact-1",
        "latest": {
            "screened_at": "2026-03-01T10:00:00+00:00",
            "threshold": 0.8,
            "list_versions": [{"source": "un", "list_date": "2026-02-27T00:00:09.554Z"}],
            "hits": hits,
        },
        "runs": [],
        "decisions": [],
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_hits_partial_shows_score_explanation_and_decision_form(language):
    from aww_gateway.areas.aml_screening import _labels

    template = Web(Settings(), []).environments[language].get_template("aml_screening/_hits.html")
    decided = dict(
        HIT,
        hit_id="h2",
        decision={
            "decision": "false_positive",
            "reason": "born in 1990",
            "decided_at": "2026-03-02T09:00:00",
            "reapplied": True,
        },
    )
    html = template.render(
        screening=screening([HIT, decided]),
        return_to="/aml/contacts/contact-1",
        labels=_labels(),
        csrf_field="csrf_token",
        csrf_token="t",
    )
    assert "96 %" in html and "ERIC BADEGE" in html and "same birth year 1971" in html
    assert 'action="/aml/screening/hits/7c0a4a0e-7d5e-4a0e-9d5e-0a4a0e7d5e4a/decision"' in html
    assert "born in 1990" in html
    expected = {"nl": "klinkt hetzelfde", "fr": "se prononce pareil", "en": "sounds the same"}[language]
    assert expected in html


def test_screening_pages_and_api_need_a_login(http):
    page = http.get("/aml/screening/lists", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    for method, path in (
        ("GET", "/api/v1/aml/contacts/contact-1/screening"),
        ("GET", "/api/v1/aml/screening/lists"),
        ("POST", "/api/v1/aml/screening/lists"),
        ("GET", "/api/v1/aml/countries/IR/risk"),
    ):
        answer = http.request(method, path)
        assert answer.status_code == 401, path
        assert answer.json()["code"] == "unauthenticated"


def test_screening_operations_are_in_the_openapi_document(http):
    paths = http.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/aml/screening/lists", "/api/v1/aml/screening/hits/{hit_id}/decision"} <= set(paths)
    assert "requestBody" in paths["/api/v1/aml/screening/hits/{hit_id}/decision"]["post"]
