"""The organisation pages in headless Chromium (Dutch, the browser's locale): create an office,
a colleague asks to join, the admin confirms, registers the AML tool and makes the colleague AML
officer; the colleague switches to the office and sees the officer view."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from organisation_flows import account, enterprise_number, platform_admin

pytestmark = pytest.mark.browser


def as_person(browser, stack, person):
    context = browser.new_context(base_url=stack.base_url, locale="nl-BE")
    context.add_cookies([{"name": "aww_session", "value": person["token"], "url": stack.base_url}])
    return context.new_page()


def test_office_is_created_joined_confirmed_and_gets_its_aml_officer(browser, stack, http):
    admin = account(http, stack, biv=True, prefix="browser-admin")
    colleague = account(http, stack, biv=True, prefix="browser-officer")
    number = enterprise_number(42)
    errors = []

    page = as_person(browser, stack, admin)
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto("/organisations/new")
    page.fill("input[name=enterprise_number]", f"{number[:4]}.{number[4:7]}.{number[7:]}")
    page.fill("input[name=name]", "Makelaars Browser")
    page.fill("input[name=street]", "Meir 1")
    page.fill("input[name=postcode]", "2000")
    page.fill("input[name=city]", "Antwerpen")
    page.fill("input[name=contact_email]", admin["email"])
    page.click("button[type=submit].primary")
    page.wait_for_selector("h1:has-text('Makelaars Browser')")
    page.wait_for_selector("text=De organisatie is aangemaakt")
    organisation_id = page.url.rstrip("/").split("/")[-1].split("?")[0]

    other = as_person(browser, stack, colleague)
    other.goto(f"/organisations?q={number}")
    other.click("ul.results a.button")
    assert other.locator("input[name=contact_email]").count() == 1, other.content()[-3000:]
    other.fill("input[name=contact_email]", colleague["email"])
    other.fill("input[name=job_title]", "Zaakvoerder")
    other.click("button[type=submit].primary")
    other.wait_for_selector("text=Wacht op bevestiging")

    page.goto(f"/organisations/{organisation_id}/members")
    page.click(f"tr[data-account='{colleague['account_id']}'] button.primary")
    page.wait_for_selector("text=Het lid is bevestigd")
    assert page.locator(f"table.members tr[data-account='{admin['account_id']}'] .admin-star").count() == 1

    operator = platform_admin(http, stack)
    listed = http.post(
        "/api/v1/platform/allow-lists/aml", headers=operator["headers"], json={"enterprise_number": number}
    )
    assert listed.status_code == 201, listed.text
    page.goto(f"/organisations/{organisation_id}/tools")
    page.click("#tool-aml button.primary")
    page.wait_for_selector("text=De tool is geregistreerd")
    page.goto(f"/organisations/{organisation_id}/tools/aml")
    row = page.locator(f"tr[data-account='{colleague['account_id']}']")
    row.locator("select[name=role]").select_option("aml_officer")
    row.locator("button[type=submit]").click()
    page.wait_for_selector("text=De wijzigingen zijn bewaard")

    other.goto("/organisations")
    other.click("text=Hier werken")
    other.wait_for_selector("text=U werkt nu in deze organisatie")
    assert "Makelaars Browser" in other.locator(".active-org").inner_text()
    other.goto(f"/organisations/{organisation_id}/aml-officer")
    assert other.locator(".officer-view h2").inner_text() == "U bent de antiwitwasverantwoordelijke van dit kantoor"
    assert errors == []
