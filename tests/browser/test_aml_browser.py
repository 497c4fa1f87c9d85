"""The AML tool in headless Chromium (Dutch, the browser's locale): an employee creates a person
contact with its proof, screening finds the UN-listed name the contact's name resembles (a typo
away), the employee marks the hit, accepts the contact, accepts its risk profile and downloads the
acceptance document."""

import io
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from aml_flows import aml_office, import_un_list

from aww_aml_workflow.cases import samples

pytestmark = pytest.mark.browser


def see(page, text: str) -> None:
    """Wait for a text; on failure say what the page shows instead."""
    try:
        page.wait_for_selector(f"text={text}", timeout=15000)
    except Exception:
        raise AssertionError(f"{text!r} not shown on {page.url}:\n{page.locator('main').inner_text()[:3000]}") from None


def as_person(browser, stack, person):
    context = browser.new_context(base_url=stack.base_url, locale="nl-BE", accept_downloads=True)
    context.add_cookies([{"name": "aww_session", "value": person["token"], "url": stack.base_url}])
    return context.new_page()


def test_person_with_a_listed_look_alike_name_is_screened_marked_accepted_and_documented(
    browser, stack, http, tmp_path
):
    office = aml_office(http, stack, 301, "Immo Browser")
    import_un_list(stack)
    errors = []
    page = as_person(browser, stack, office["employee"])
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.goto("/aml/contacts/new")
    page.fill("section:has(h2:has-text('Natuurlijke persoon')) input[name=first_names]", "Michel")
    page.fill("section:has(h2:has-text('Natuurlijke persoon')) input[name=last_name]", "Rukundo")
    page.click("section:has(h2:has-text('Natuurlijke persoon')) button.primary")
    see(page, "De contactpersoon werd aangemaakt.")

    page.fill("input[name=birth_date]", "1974-09-12")
    page.fill("input[name=birth_place]", "Brussel")
    page.fill("input[name=nationalities]", "BE")
    page.fill("input[name=person_number]", "74.09.12-337.47")
    page.fill("input[name=profession]", "Ingenieur")
    page.fill("input[name='address.street']", "Hoogstraat")
    page.fill("input[name='address.number']", "12")
    page.fill("input[name='address.postcode']", "1000")
    page.fill("input[name='address.city']", "Brussel")
    page.fill("input[name='address.country']", "BE")
    page.select_option("select[name='id_document.type']", "id_card")
    page.fill("input[name='id_document.number']", "592-0000001-23")
    page.fill("input[name='id_document.expiry']", "2031-05-01")
    page.check("input[name='pep.self'][value=no]")
    page.click("button[type=submit].primary")
    see(page, "Bewaard.")
    assert page.locator("#identification .flash-warning").count() == 0, page.locator("#identification").inner_text()

    page.select_option("select[name=proof_kind]", "identity_document")
    proof = tmp_path / "identiteitskaart.pdf"
    proof.write_bytes(samples.pdf("Identiteitskaart Michel Rukundo"))
    page.set_input_files("input[name=file]", str(proof))
    page.click("form.aml-upload button[type=submit]")
    see(page, "Het bewijsstuk werd opgeladen.")

    page.check("input[name='q.face_to_face']")
    page.click("#questions button[type=submit]")
    see(page, "Bewaard.")

    page.click("text=Screenen tegen de lijsten")
    see(page, "De contactpersoon werd gescreend.")
    hits = page.locator("table.aml-hits tr.hit")
    assert hits.count() >= 1
    assert "RUKUNDA" in page.locator("table.aml-hits").inner_text().upper()
    while page.locator("form.aml-hit-decision").count():
        form = page.locator("form.aml-hit-decision").first
        form.locator("input[value=false_positive]").check()
        form.locator("input[name=reason]").fill(
            "Andere nationaliteit en geboorteplaats; de identiteitskaart is gecontroleerd"
        )
        form.locator("button[type=submit]").click()
        see(page, "Uw beslissing over de treffer werd vastgelegd.")
    assert "Vals positief" in page.locator("table.aml-hits").inner_text()

    page.click("button[name=decision][value=accept]")
    see(page, "De contactpersoon werd aanvaard.")
    assert page.locator("#level h2").inner_text().endswith("Standaard waakzaamheid")

    page.click("text=Nieuw risicoprofiel")
    page.click("text=Waakzaamheidsniveau berekenen")
    see(page, "Het risicoprofiel werd beoordeeld.")
    page.click("button[name=decision][value=accept]")
    see(page, "Het risicoprofiel werd aanvaard.")
    page.click("a:has-text('Michel')")

    with page.expect_download() as download_info:
        page.click("text=Aanvaardingsdocument downloaden")
    download = download_info.value
    content = Path(download.path()).read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Aanvaardingsdocument" in text and "RUKUNDA" in text.upper() and "vals positief" in text
    assert download.suggested_filename.endswith(".pdf")
    page.reload()
    timeline = page.locator("ol.aml-timeline").inner_text()
    assert "Aanvaardingsdocument gemaakt" in timeline
    assert errors == []
