"""Name normalisation: transliteration to ASCII, case folding, tokens, their weights and index keys.

Transliteration uses rigour (OpenSanctions' library: its own spellings for Cyrillic, Greek, … and
ICU through normality for Arabic, Han and the rest), so "Шевченко" and "Shevchenko" meet as the same
tokens. Both sides of a comparison go through the same function, so a name listed in its original
script matches a query written in that script.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rigour.names import remove_org_types, remove_person_prefixes
from rigour.text.phonetics import metaphone
from rigour.text.translit import ascii_text

from aww_aml_workflow.screening.domain.model import ORGANISATION

_APOSTROPHES = re.compile(r"['’‘`ʼʻʿʾ´]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

# Name particles: they carry little identity ("al", "bin", "van", "de") and are written, joined or
# left out differently from one document to the next, so they weigh little and are never index keys.
PARTICLES = frozenset(
    """al el ul ad ar as ash at az bin ben ibn bint abu abou ould wuld van von der den de da di du del della
    la le les dos das do y e mc mac st""".split()  # noqa: SIM905 - a word list reads better as text
)
# Words that say what kind of organisation it is rather than which one.
ORG_NOISE = frozenset(
    ["the", "of", "and", "for", "und", "et", "en", "y", "company", "co", "group", "holding", "holdings"]
)

PARTICLE_WEIGHT = 0.25
INITIAL_WEIGHT = 0.35
NOISE_WEIGHT = 0.25


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """ASCII, lower case, apostrophes dropped, every other non-alphanumeric run → one space."""
    ascii_form = ascii_text(text or "").lower()
    ascii_form = _APOSTROPHES.sub("", ascii_form)
    return _NOT_ALNUM.sub(" ", ascii_form).strip()


@lru_cache(maxsize=200_000)
def name_tokens(text: str, kind: str) -> tuple[str, ...]:
    """The comparable parts of a name: folded, without titles (persons) or legal forms (organisations)."""
    if kind == ORGANISATION:
        stripped = remove_org_types(text or "", replacement=" ")
    else:
        stripped = remove_person_prefixes(text or "")
    tokens = tuple(fold(stripped).split())
    if not tokens:  # a name that is only a title or a legal form keeps its words
        tokens = tuple(fold(text).split())
    return tokens


def name_key(text: str, kind: str = "person") -> str:
    """Order-free form of a name, for remembering what was screened."""
    return " ".join(sorted(name_tokens(text, kind)))


def token_weight(token: str, kind: str) -> float:
    if len(token) == 1:
        return INITIAL_WEIGHT
    if token in PARTICLES:
        return PARTICLE_WEIGHT
    if kind == ORGANISATION and token in ORG_NOISE:
        return NOISE_WEIGHT
    return 1.0


def is_key_token(token: str, kind: str) -> bool:
    """Whether the token is distinctive enough to find candidates by."""
    return len(token) >= 2 and token_weight(token, kind) == 1.0


@lru_cache(maxsize=200_000)
def phonetic(token: str) -> str:
    if len(token) < 3 or token.isdigit():
        return ""
    return metaphone(token)


@lru_cache(maxsize=200_000)
def token_keys(token: str, deletions: bool = True) -> tuple[str, ...]:
    """Index keys of one token: itself, its sound (metaphone) and, for typos, its one-letter deletions.

    Two tokens one edit apart (substitution, insertion, deletion, transposition) always share a
    deletion key (the symmetric-delete scheme of SymSpell), so typo-tolerant lookup is a few exact
    dictionary hits instead of a comparison with every listed token.
    """
    keys = ["=" + token]
    sound = phonetic(token)
    if sound:
        keys.append("~" + sound)
    if deletions and len(token) >= 4:
        keys.append("-" + token)
        keys.extend({"-" + token[:i] + token[i + 1 :] for i in range(len(token))})
    return tuple(keys)
