"""Dutch, French and English from Babel catalogues.

Source strings are English. Each area keeps its own catalogue (locale/<lang>/LC_MESSAGES/<area>.po)
so areas can be translated independently; at start-up the catalogues of a language are merged
into one Translations object. `.po` files are compiled in memory: no build step, no .mo in git.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = ("nl", "fr", "en")
DEFAULT_LANGUAGE = "nl"
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}
LOCALE_DIR = Path(__file__).parent / "locale"


def _compile(po_path: Path) -> Translations:
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=po_path.parts[-3])
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


@cache
def translations(language: str) -> NullTranslations:
    merged: NullTranslations | None = None
    for po_path in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
        compiled = _compile(po_path)
        if merged is None:
            merged = compiled
        else:
            merged.merge(compiled)
    return merged or NullTranslations()


def gettext(language: str, message: str, **params) -> str:
    text = translations(language).gettext(message)
    return text % params if params else text


def negotiate(query_lang: str | None, cookie_lang: str | None, accept_language: str | None) -> str:
    for candidate in (query_lang, cookie_lang):
        if candidate in LANGUAGES:
            return candidate
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def N_(message: str) -> str:
    """Marks a string for extraction where it is translated later (nav labels, choices)."""
    return message
