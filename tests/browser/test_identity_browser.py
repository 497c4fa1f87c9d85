"""A person's first steps in headless Chromium, in each language: register, read the activation
mail in the development mailbox, activate, log in, link the eID card (the test card arrives the
way the ingress passes it on), log out, log in with the eID card."""

import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from identity_flows import PASSWORD, ingress_headers, pki_of, unique

pytestmark = pytest.mark.browser

TEXTS = {
    "nl": {
        "register": "Account aanmaken",
        "activate": "Activeer uw account",
        "login": "Aanmelden",
        "account": "Mijn account",
        "linked": "Gekoppeld",
        "logout": "Afmelden",
        "subject": "Activeer uw account",
    },
    "fr": {
        "register": "Créer un compte",
        "activate": "Activez votre compte",
        "login": "Se connecter",
        "account": "Mon compte",
        "linked": "Liée",
        "logout": "Se déconnecter",
        "subject": "Activez votre compte",
    },
    "en": {
        "register": "Create an account",
        "activate": "Activate your account",
        "login": "Log in",
        "account": "My account",
        "linked": "Linked",
        "logout": "Log out",
        "subject": "Activate your account",
    },
}
CARD_NAMES = {"nl": ("Lotte", "Van den Broeck"), "fr": ("Émilie", "Lambert"), "en": ("Oliver", "Smets")}


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_register_activate_link_eid_and_log_in_with_it(page, stack, lang):
    texts = TEXTS[lang]
    username = unique(f"web-{lang}")
    email = f"{username}@example.com"
    errors = []  # script errors; a refused form is answered with 400 on purpose, which Chromium also logs
    page.on(
        "console",
        lambda message: message.type == "error" and "status of 400" not in message.text and errors.append(message.text),
    )

    page.goto(f"/register?lang={lang}")
    assert page.locator("h1").inner_text() == texts["register"]
    page.fill("#f-first_name", "Someone")
    page.fill("#f-last_name", "Typed")
    page.focus("#f-email")  # leaving the name fields: a username is proposed
    expect(page.locator("#f-username")).to_have_value(re.compile(r"^someone\.typed"))
    page.fill("#f-username", username)  # the person may change the proposal
    page.fill("#f-email", email)
    page.fill("#f-password", "short")
    page.fill("#f-password_confirmation", "short")
    page.click("form.stacked button[type=submit]")
    assert page.locator("#e-password").is_visible()  # refused, field named, in the page's language
    assert page.locator("#f-username").input_value() == username  # what was typed stays
    page.fill("#f-password", PASSWORD)
    page.fill("#f-password_confirmation", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(re.compile(r"/activate\?"))
    assert page.locator("h1").inner_text() == texts["activate"]

    mail_link = page.locator("tr", has_text=email).get_by_role("link", name=texts["subject"])
    for _ in range(60):  # the mail leaves through the outbox a moment after the page answered: refresh
        page.goto("/dev/mailbox")
        if mail_link.count():
            break
        page.wait_for_timeout(250)
    mail_link.click()
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", page.locator("pre.mail-body").inner_text()).group(1)

    page.goto(f"/activate?username={username}")
    page.fill("#f-code", code)
    page.click("form.stacked button.primary")
    page.wait_for_url(re.compile(r"/login\?"))
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.click("form.stacked button.primary")
    page.wait_for_url(re.compile(r"/profile"))
    assert page.locator("h1").inner_text().startswith(texts["account"])
    assert page.locator(".account-name").inner_text() == "Someone Typed"

    first, last = CARD_NAMES[lang]
    card = pki_of(stack.var_dir).issue(first, last, save=False)
    page.set_extra_http_headers(ingress_headers(stack.var_dir, card.header_value()))  # the ingress, card inserted
    page.click("#eid-link")
    page.wait_for_url(re.compile(r"/profile"))
    assert page.locator("#eid-status").inner_text().startswith(texts["linked"])
    assert page.locator("#first-name").inner_text() == first
    assert page.locator("#last-name").inner_text() == last
    assert page.locator(".account-name").inner_text() == f"{first} {last}"

    page.get_by_role("button", name=texts["logout"]).first.click()
    page.wait_for_url(re.compile(r"/login"))
    assert page.locator(".account-name").count() == 0
    page.click("#eid-login")
    page.wait_for_url(lambda url: "/login" not in url)
    assert page.locator(".account-name").inner_text() == f"{first} {last}"
    assert errors == []


def test_login_page_sends_back_to_the_page_asked_for(page, stack):
    page.goto("/profile?lang=en")
    page.wait_for_url(re.compile(r"/login\?next=/profile"))
    page.fill("#f-username", "nobody-" + unique())
    page.fill("#f-password", "wrong password here")
    page.click("form.stacked button.primary")
    assert "The username or password is wrong." in page.locator(".flash-error").inner_text()
