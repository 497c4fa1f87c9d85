"""The gateway in front of the real services (stack fixture: every process of the platform)."""

import re

import pytest
from openapi_spec_validator import validate

from aww_gateway.catalogues import missing


def test_status_makes_one_round_trip_to_a_service(http):
    for service in ("identity", "organisation", "wallet", "aml_workflow", "reporting"):
        response = http.get(f"/api/v1/status/{service}")
        assert response.status_code == 200
        assert response.json() == {"service": service, "status": "ok"}


def test_unknown_service_is_a_problem_not_a_hang(http):
    response = http.get("/api/v1/status/payroll")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_ready_when_every_service_answers(http):
    response = http.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["down"] == []
    assert set(body["checks"]) == {"broker", "identity", "organisation", "wallet", "aml_workflow", "reporting"}


def test_correlation_id_is_kept_and_echoed(http):
    response = http.get("/api/v1/status/identity", headers={"X-Correlation-Id": "test-correlation-0001"})
    assert response.headers["x-correlation-id"] == "test-correlation-0001"
    generated = http.get("/api/v1/status/identity", headers={"X-Correlation-Id": "bad id with spaces"})
    assert re.fullmatch(r"[0-9a-f-]{36}", generated.headers["x-correlation-id"])


def test_security_headers_on_every_answer(http):
    for path in ("/", "/api/v1/status/identity", "/nowhere"):
        headers = http.get(path).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_metrics_count_http_requests_by_route(http):
    http.get("/api/v1/status/wallet")
    text = http.get("/metrics").text
    assert re.search(
        r'aww_http_requests_total\{method="GET",route="/api/v1/status/\{service\}",status="200"\} \d', text
    )
    assert "aww_gateway_rpc_duration_seconds_bucket" in text


def _sample(text, name, labels):
    found = re.search(re.escape(f"{name}{{{labels}}} ") + r"([0-9.e+]+)", text)
    return float(found.group(1)) if found else 0.0


def test_metrics_count_every_request_and_rpc_in_its_own_series(http):
    requests = ("aww_http_requests_total", 'method="GET",route="/api/v1/status/{service}",status="200"')
    missing = ("aww_http_requests_total", 'method="GET",route="/api/v1/status/{service}",status="404"')
    wallet = ("aww_gateway_rpc_calls_total", 'method="ping",outcome="ok",service="wallet"')
    identity = ("aww_gateway_rpc_calls_total", 'method="ping",outcome="ok",service="identity"')
    timed = ("aww_gateway_rpc_duration_seconds_count", 'service="wallet"')
    series = (requests, missing, wallet, identity, timed)
    before = http.get("/metrics").text
    for _ in range(3):
        assert http.get("/api/v1/status/wallet").status_code == 200
    assert http.get("/api/v1/status/identity").status_code == 200
    assert http.get("/api/v1/status/payroll").status_code == 404
    after = http.get("/metrics").text
    counted = [_sample(after, *one) - _sample(before, *one) for one in series]
    assert counted == [4, 1, 3, 1, 3]


def test_services_expose_their_own_metrics_and_readiness(stack):
    import httpx

    for name, port in stack.ops_ports.items():
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").json()["checks"] == {"started": True, "database": True}
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
        assert f'aww_service_requests_total{{kind="rpc",method="health",outcome="ok",service="{name}"}}' in metrics
        assert "aww_outbox_lag_seconds" in metrics
        assert _frozen_objects(metrics) > 10_000, name


def test_the_gateway_freezes_what_it_was_built_from(http):
    assert _frozen_objects(http.get("/metrics").text) > 10_000


def _frozen_objects(metrics_text: str) -> float:
    """servicekit.heap: a process's start-up objects, frozen out of the collector's full passes."""
    return float(re.search(r"^aww_process_frozen_objects ([0-9.e+]+)$", metrics_text, re.M).group(1))


def test_openapi_document_is_valid_openapi_3_1(http):
    document = http.get("/api/v1/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    validate(document)
    assert "/api/v1/status/{service}" in document["paths"]


def test_interactive_docs_use_only_local_assets(http):
    page = http.get("/api/docs").text
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert url.startswith("/static/"), url
        assert http.get(url).status_code == 200


def test_every_page_text_is_translated_in_dutch_and_french():
    assert missing() == []


@pytest.mark.parametrize(
    ("lang", "heading"),
    [
        ("nl", "Voldoe stap voor stap aan uw antiwitwasverplichtingen"),
        ("fr", "Remplissez pas à pas vos obligations anti-blanchiment"),
        ("en", "Meet your anti-money-laundering duties, step by step"),
    ],
)
def test_home_page_in_each_language(http, lang, heading):
    response = http.get("/", params={"lang": lang})
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.text
    assert heading in response.text
    assert response.cookies.get("aww_lang") == lang


def test_language_from_accept_language_then_cookie(http):
    assert '<html lang="fr">' in http.get("/", headers={"accept-language": "fr-BE,fr;q=0.9"}).text
    http.cookies.set("aww_lang", "en")
    assert '<html lang="en">' in http.get("/", headers={"accept-language": "fr-BE"}).text


def test_language_switch_redirects_only_to_this_site(http):
    response = http.get("/lang/fr", params={"next": "/api/docs"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/api/docs"
    assert response.cookies.get("aww_lang") == "fr"
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = http.get("/lang/fr", params={"next": evil}, follow_redirects=False)
        assert response.headers["location"] == "/"


def test_unknown_page_is_an_html_error_page_in_the_visitors_language(http):
    response = http.get("/no-such-page", params={"lang": "nl"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Terug naar de startpagina" in response.text
