"""The home page in headless Chromium, in each language, switching with the language links."""

import pytest

pytestmark = pytest.mark.browser

HEADINGS = {
    "nl": "Voldoe stap voor stap aan uw antiwitwasverplichtingen",
    "fr": "Remplissez pas à pas vos obligations anti-blanchiment",
    "en": "Meet your anti-money-laundering duties, step by step",
}


def test_home_page_opens_in_each_language(page):
    page.goto("/")
    assert page.locator("h1").inner_text() == HEADINGS["nl"]  # Dutch by default (browser locale nl-BE)
    for lang in ("fr", "en", "nl"):
        page.click(f"nav.langs a[hreflang={lang}]")
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("h1").inner_text() == HEADINGS[lang]
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    page.reload()
    assert console_errors == []
