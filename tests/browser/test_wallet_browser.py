"""The wallet in headless Chromium (Dutch, the browser's locale): an AML employee tops up by
Bancontact at the fake payment provider's checkout page, comes back and sees the balance (on the
page and in the header), buys a Silver subscription, downloads its receipt (a transactiebon, not
an invoice) and exports the operations as CSV."""

import csv
import io
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from aml_flows import aml_office

pytestmark = pytest.mark.browser

SILVER_GROSS = "532,40"  # EUR 440.00 + 21 % VAT


def see(page, text: str) -> None:
    """Wait for a text; on failure say what the page shows instead."""
    try:
        page.wait_for_selector(f"text={text}", timeout=15000)
    except Exception:
        raise AssertionError(f"{text!r} not shown on {page.url}:\n{page.locator('body').inner_text()[:3000]}") from None


def as_person(browser, stack, person):
    context = browser.new_context(base_url=stack.base_url, locale="nl-BE", accept_downloads=True)
    context.add_cookies([{"name": "aww_session", "value": person["token"], "url": stack.base_url}])
    return context.new_page()


def test_top_up_at_the_provider_buy_silver_download_the_receipt_and_export_csv(browser, stack, http):
    office = aml_office(http, stack, 305, "Immo Browser Portefeuille")
    page = as_person(browser, stack, office["employee"])
    errors = []
    # our pages only: the fake provider's page has no favicon, which the browser reports as a 404
    page.on(
        "console",
        lambda message: message.type == "error" and stack.base_url in page.url and errors.append(message.text),
    )
    page.on("response", lambda r: r.status >= 400 and r.url.startswith(stack.base_url) and errors.append(r.url))
    page.on("dialog", lambda dialog: dialog.accept())  # "Buy this subscription?" confirmation

    page.goto("/wallet")
    assert "0,00" in page.locator("#wallet-balance").inner_text()
    page.fill("#topup-form input[name=amount]", "600")
    page.select_option("#topup-form select[name=method]", "bancontact")
    page.click("#topup-form button[type=submit]")

    # the fake provider's checkout page, as the payer sees it
    see(page, "Fake payment provider")
    assert "600.00" in page.locator("body").inner_text()
    page.click("button[value=paid]")

    page.wait_for_url("**/wallet/topups/*/return")
    see(page, "De betaling is gelukt")
    assert page.locator("#topup-status").get_attribute("data-status") == "paid"
    assert "600,00" in page.locator("#wallet-balance").inner_text()
    assert "600,00" in page.locator("[data-wallet-amount]").inner_text()  # the header of every page

    page.click("text=Terug naar de portefeuille")
    assert "600,00" in page.locator("#wallet-balance").inner_text()
    page.goto("/aml/contacts")  # another tool page: the header shows the balance (wallet.js fills it in)
    expect(page.locator("[data-wallet-amount]")).to_contain_text("600,00")
    page.click("[data-wallet-balance]")
    page.wait_for_url("**/wallet")

    silver = page.locator("form.wallet-plan:has(input[name=plan][value=silver])")
    assert SILVER_GROSS in silver.inner_text()
    silver.locator("button[type=submit]").click()
    see(page, "Het abonnement is actief.")
    assert "67,60" in page.locator("#wallet-balance").inner_text()  # 600.00 − 532.40
    assert "100 van 100" in page.locator(".wallet-summary").inner_text()

    row = page.locator("table.wallet-operations tbody tr", has_text="Abonnement").first
    for _ in range(60):  # the receipt is rendered by the reporting service just after the purchase
        if row.locator("a.wallet-receipt").count():
            break
        page.wait_for_timeout(500)
        page.reload()
        row = page.locator("table.wallet-operations tbody tr", has_text="Abonnement").first
    assert SILVER_GROSS in row.inner_text()
    with page.expect_download() as download_info:
        row.locator("a.wallet-receipt").click()
    receipt = Path(download_info.value.path()).read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt)).pages)
    assert "Transactiebon" in text and "Aankoop abonnement" in text
    assert "532,40" in text and "92,40" in text  # incl. VAT and the VAT
    assert download_info.value.suggested_filename.endswith(".pdf")

    with page.expect_download() as export_info:
        page.click("#wallet-export")
    exported = Path(export_info.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported), delimiter=";"))
    assert rows[0][:3] == ["date", "type", "product"]
    kinds = {(row[1], row[6], row[7]) for row in rows[1:]}
    assert ("topup", "600.00", "0.00") in kinds and ("subscription", "0.00", "532.40") in kinds
    assert export_info.value.suggested_filename.endswith(".csv")
    assert errors == []
