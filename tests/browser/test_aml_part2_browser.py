"""AML part 2 in headless Chromium (English, the browser's locale), through the real pages of an
employee and of the office's AML officer (a second account: four-eyes): two contacts identified,
screened and accepted with their risk profiles → a sale with cash in its price → Pay → enhanced
vigilance → the employee escalates → the officer fills in the office's goAML settings, reports to
CTIF-CFI, produces and downloads the goAML file (valid against the goAML XSD), confirms the upload,
records CTIF-CFI's answer → the transaction continues (accepted); then the officer's annual report
for the year, finalised as a PDF, shows these numbers."""

import io
import re
import sys
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree
from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from aml_flows import aml_office
from organisation_flows import platform_admin
from wallet_flows import fund_by_transfer

from aww_aml_workflow.cases import samples
from belgian_ids import make_person_number

pytestmark = pytest.mark.browser

XSD = Path(__file__).resolve().parents[3] / "shared" / "specs" / "goaml" / "goAMLSchema.xsd"
PRICE_INCL_VAT = 2299
BRUSSELS = ZoneInfo("Europe/Brussels")


def see(page, text: str) -> None:
    """Wait for a text; on failure say what the page shows instead."""
    try:
        page.wait_for_selector(f"text={text}", timeout=15000)
    except Exception:
        raise AssertionError(f"{text!r} not shown on {page.url}:\n{page.locator('main').inner_text()[:3000]}") from None


def as_person(browser, stack, person, errors: list):
    context = browser.new_context(base_url=stack.base_url, locale="en-GB", accept_downloads=True)
    context.add_cookies([{"name": "aww_session", "value": person["token"], "url": stack.base_url}])
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and errors.append((page.url, message.text)))
    return page


def contact_through_the_pages(page, tmp_path, first: str, last: str, born: date, serial: int) -> str:
    """Identify, prove, screen and accept a person, then compute and accept the risk profile."""
    person = "section:has(h2:has-text('Natural person'))"
    page.goto("/aml/contacts/new")
    page.fill(f"{person} input[name=first_names]", first)
    page.fill(f"{person} input[name=last_name]", last)
    page.click(f"{person} button.primary")
    see(page, "The contact was created.")
    contact_id = re.search(r"/aml/contacts/([0-9a-f-]{36})", page.url).group(1)

    page.fill("input[name=birth_date]", born.isoformat())
    page.fill("input[name=birth_place]", "Leuven")
    page.fill("input[name=nationalities]", "BE")
    page.fill("input[name=person_number]", make_person_number(born, serial))
    page.fill("input[name=profession]", "Architect")
    page.fill("input[name='address.street']", "Bondgenotenlaan")
    page.fill("input[name='address.number']", str(serial))
    page.fill("input[name='address.postcode']", "3000")
    page.fill("input[name='address.city']", "Leuven")
    page.fill("input[name='address.country']", "BE")
    page.select_option("select[name='id_document.type']", "id_card")
    page.fill("input[name='id_document.number']", f"592-{serial:07d}-{serial % 97:02d}")
    page.fill("input[name='id_document.expiry']", "2032-05-01")
    page.check("input[name='pep.self'][value=no]")
    page.click("button[type=submit].primary")
    see(page, "Saved.")

    page.select_option("select[name=proof_kind]", "identity_document")
    proof = tmp_path / f"id-{last}.pdf"
    proof.write_bytes(samples.pdf(f"Identity card {first} {last}"))
    page.set_input_files("input[name=file]", str(proof))
    page.click("form.aml-upload button[type=submit]")
    see(page, "The proof was uploaded.")
    page.check("input[name='q.face_to_face']")
    page.click("#questions button[type=submit]")
    see(page, "Saved.")

    page.click("text=Screen against the lists")
    see(page, "The contact was screened.")
    while page.locator("form.aml-hit-decision").count():  # a list in this run may hold a look-alike name
        form = page.locator("form.aml-hit-decision").first
        form.locator("input[value=false_positive]").check()
        form.locator("input[name=reason]").fill("Other birth date and nationality; identity card checked")
        form.locator("button[type=submit]").click()
        see(page, "Your decision on the hit was recorded.")
    page.click("button[name=decision][value=accept]")
    see(page, "The contact was accepted.")

    page.click("text=New risk profile")
    page.click("text=Compute the vigilance level")
    see(page, "The risk profile was assessed.")
    page.click("button[name=decision][value=accept]")
    see(page, "The risk profile was accepted.")
    return contact_id


def option_value(page, select: str, text: str) -> str:
    return page.locator(f"select[name='{select}'] option", has_text=text).get_attribute("value")


def pdf_text(content: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))


def test_cash_sale_escalated_reported_answered_continues_and_counts_in_the_annual_report(
    browser, stack, http, tmp_path
):
    office = aml_office(http, stack, 321, "Immo Deel Twee")
    year = date.today().year
    errors: list = []
    employee = as_person(browser, stack, office["employee"], errors)
    officer = as_person(browser, stack, office["officer"], errors)

    # ---- the employee: two contacts, a sale with cash, Pay, enhanced, escalate ----------------------
    contact_through_the_pages(employee, tmp_path, "Hanne", "Verbiest", date(1981, 3, 17), 413)
    contact_through_the_pages(employee, tmp_path, "Pieter", "Goossenaerts", date(1976, 10, 2), 527)

    reference = f"BRW-{int(time.time() * 1000) % 10**9}"
    employee.goto("/aml/transactions/new")
    employee.fill("input[name=reference]", reference)
    employee.select_option("select[name=type]", "sale")
    employee.fill("input[name=agreed_on]", date.today().isoformat())
    employee.fill("input[name='property.street']", "Naamsestraat")
    employee.fill("input[name='property.number']", "40")
    employee.fill("input[name='property.postcode']", "3000")
    employee.fill("input[name='property.city']", "Leuven")
    employee.fill("input[name=price]", "325000")
    employee.select_option("select[name='payment.0.method']", "transfer")
    employee.fill("input[name='payment.0.amount']", "317500")
    employee.select_option("select[name='payment.1.method']", "cash")
    employee.fill("input[name='payment.1.amount']", "7500")
    employee.select_option(
        "select[name='party.0.contact_id']", option_value(employee, "party.0.contact_id", "Verbiest")
    )
    employee.select_option("select[name='party.0.role']", "seller")
    employee.select_option(
        "select[name='party.1.contact_id']", option_value(employee, "party.1.contact_id", "Goossenaerts")
    )
    employee.select_option("select[name='party.1.role']", "buyer")
    employee.click("#transaction-form button[type=submit].primary")
    see(employee, "The transaction was created.")
    assert employee.locator("#cash-flag").get_attribute("data-code") == "cash_in_sale"
    transaction_url = employee.url.split("?")[0]

    employee.click("#go-pay")
    see(employee, "Price incl. VAT")
    assert employee.locator("#price-incl-vat").inner_text().replace("\xa0", " ") in ("€ 22.99", "€22.99", "EUR 22.99")
    see(employee, "The wallet does not hold enough money")  # a new office's wallet is empty
    assert "22.99 is missing" in employee.locator("#price").inner_text()
    fund_by_transfer(http, platform_admin(http, stack), office["employee"], 5000)
    employee.reload()
    employee.click("#pay-button")
    see(employee, "Paid: the vigilance level was calculated.")
    assert employee.locator("#result-level").get_attribute("data-level") == "enhanced"
    assert employee.locator("#result-factors li[data-factor=cash_in_sale]").count() == 1
    assert employee.locator("button[name=decision][value=accept]").count() == 0  # enhanced: no plain accept

    employee.fill("#escalation-form textarea[name=motivation]", "EUR 7,500 of the agent's fee would be paid in cash")
    employee.check("#escalation-form input[name=proposal][value=accept]")
    employee.click("#escalation-form button[type=submit]")
    see(employee, "Your motivation and proposal were recorded.")
    assert employee.locator("#transaction-state").get_attribute("data-state") == "awaiting_officer"

    # ---- the officer: goAML settings, report, validated file, upload confirmed, answer ---------------
    officer.goto("/aml/officer/settings")
    officer.fill("input[name=reporting_user_code]", "BRW-OFFICER")
    for name, value in {
        "rentity_id": "5150",
        "rentity_branch": "Leuven",
        "location.street": "Bondgenotenlaan",
        "location.number": "1",
        "location.postcode": "3000",
        "location.city": "Leuven",
        "location.country": "BE",
        "report_code_activity": "SAR",
        "report_code_transaction": "STR",
        "transmode_code": "A",
        "party_role_codes.seller": "A",
        "party_role_codes.buyer": "B",
    }.items():
        officer.fill(f"input[name='{name}']", value)
    officer.fill("textarea[name=indicators]", "- Cash in a sale price")
    officer.click("form.card button[type=submit].primary")
    see(officer, "The settings are saved.")

    officer.goto("/aml/officer")
    officer.wait_for_selector("[data-aml-waiting]", state="visible")  # the counts in the navigation
    assert officer.locator("[data-aml-waiting]").inner_text() == "1"
    officer.click(f"a:has-text('{reference}')")
    see(officer, "EUR 7,500 of the agent's fee would be paid in cash")
    assert officer.locator(".four-eyes").count() == 0  # the employee proposed it
    officer.fill("#decision textarea[name=reason]", "Part of the agent's fee in cash in a sale price (art. 67)")
    officer.check("#decision input[name=indicators][value='-']")
    officer.click("#decision button[name=decision][value=report]")
    see(officer, "The case is reported to CTIF-CFI")

    employee.goto(transaction_url)
    assert employee.locator("#transaction-state").get_attribute("data-state") == "reported"
    see(employee, "Blocked until CTIF-CFI answers.")

    officer.click("text=Produce and validate the goAML file")
    see(officer, "The goAML file validates against the goAML schema: you can download it.")
    with officer.expect_download() as download_info:
        officer.click("text=Download the goAML file")
    download = download_info.value
    assert download.suggested_filename.endswith(".xml")
    document = etree.fromstring(Path(download.path()).read_bytes())
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(document), schema.error_log
    assert document.findtext("report_code") == "STR" and document.findtext("rentity_id") == "5150"
    assert document.find("transaction") is not None and reference in etree.tostring(document).decode()

    officer.reload()
    officer.fill("#submit input[name=goaml_reference]", "GOAML-BRW-1")
    officer.click("#submit button[type=submit]")
    see(officer, "The submission on the goAML portal is recorded.")
    officer.check("#answer input[name=answer][value=continue]")
    officer.fill("#answer input[name=answer_date]", datetime.now(BRUSSELS).date().isoformat())
    officer.fill("#answer input[name=answer_reference]", "CFI-BRW-7")
    officer.click("#answer button[type=submit]")
    see(officer, "CTIF-CFI's answer is recorded.")

    employee.goto(transaction_url)
    assert employee.locator("#transaction-state").get_attribute("data-state") == "accepted"
    timeline = employee.locator("#timeline").inner_text()
    assert "➜" in timeline and "★" in timeline

    officer.goto("/aml/timeline/transaction/" + transaction_url.rstrip("/").split("/")[-1])
    steps = officer.locator("ol.timeline").inner_text()
    assert "Vigilance calculated (paid)" in steps and "transaction_assessed" not in steps
    assert "➜ CTIF-CFI" in steps and "CTIF-CFI's answer recorded" in steps

    # ---- the annual report of the year shows these numbers --------------------------------------------
    officer.goto("/aml/annual")
    officer.select_option("select[name=year]", str(year))
    officer.click("button:has-text('Open the report')")
    officer.wait_for_url(re.compile(f"/aml/annual/{year}"))
    assert officer.locator("[data-figure='cfi.reports']").inner_text() == "1"
    assert officer.locator("[data-figure='cfi.answers_continue']").inner_text() == "1"
    for name, value in {
        "office.name": "Immo Deel Twee",
        "office.officer_name": "Test Officer",
        "texts.risk_assessment": "Cash in sale prices remains the main risk.",
        "texts.procedures": "Unchanged.",
        "texts.training": "Yearly AML training.",
        "texts.action_plan": "Remind employees of the cash rule.",
    }.items():
        field = officer.locator(f"[name='{name}']")
        if not field.input_value():
            field.fill(value)
    officer.click(f"form[action='/aml/annual/{year}'] button[type=submit]")
    see(officer, "Your changes are saved.")
    officer.select_option("form[action$='/finalise'] select[name=language]", "en")
    officer.click("button:has-text('Finalise the report')")
    see(officer, "The annual report is final and archived.")
    with officer.expect_download() as download_info:
        officer.click("a:has-text('PDF (English)')")
    text = pdf_text(Path(download_info.value.path()).read_bytes())

    assert f"Annual report {year}" in text or str(year) in text
    for label, count in (
        ("Transactions assessed", 1),
        ("Flagged for cash", 1),
        ("Escalated", 1),  # the one escalation, a transaction (no risk profile was escalated)
        ("Reports", 1),
        ("Submitted through goAML", 1),
        ("Answers of CTIF-CFI", 1),
        ("of which: continue", 1),
        ("of which: do not continue", 0),
    ):
        assert re.search(rf"{re.escape(label)} {count}\b", text), (label, count, text[:4000])
    assert re.search(r"Enhanced(?: vigilance)? 1\b", text), text[:4000]
    assert errors == []
