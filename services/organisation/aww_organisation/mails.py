"""The e-mails the organisation service sends, in the recipient's language (nl, fr, en).

Sent through servicekit.mail (an outbox in the same transaction as the change): to the admins
when someone asks to join or asks to become AML officer, to the person when their request is
decided, to the admins when an AML officer lost the accreditations the role needs. Addresses are
the per-organisation contact e-mails members gave (DOMAIN.md §1: they may differ per
organisation).
"""

from __future__ import annotations

from servicekit.config import env

TEXTS = {
    "join_requested": {
        "nl": (
            "{person} wil lid worden van {organisation}",
            "{person} vraagt om lid te worden van {organisation}.\n\nBevestig of weiger de aanvraag op {link}",
        ),
        "fr": (
            "{person} souhaite rejoindre {organisation}",
            "{person} demande à rejoindre {organisation}.\n\nConfirmez ou refusez la demande sur {link}",
        ),
        "en": (
            "{person} asks to join {organisation}",
            "{person} asks to join {organisation}.\n\nConfirm or refuse the request at {link}",
        ),
    },
    "membership_confirmed": {
        "nl": (
            "Welkom bij {organisation}",
            "Een beheerder van {organisation} heeft uw aanvraag bevestigd. "
            "U kunt nu in deze organisatie werken: {link}",
        ),
        "fr": (
            "Bienvenue chez {organisation}",
            "Un administrateur de {organisation} a confirmé votre demande. Vous pouvez maintenant travailler "
            "dans cette organisation : {link}",
        ),
        "en": (
            "Welcome to {organisation}",
            "An admin of {organisation} confirmed your request. You can now work in this organisation: {link}",
        ),
    },
    "membership_refused": {
        "nl": (
            "Uw aanvraag bij {organisation}",
            "Een beheerder van {organisation} heeft uw aanvraag om lid te worden geweigerd.",
        ),
        "fr": (
            "Votre demande auprès de {organisation}",
            "Un administrateur de {organisation} a refusé votre demande d'adhésion.",
        ),
        "en": (
            "Your request to {organisation}",
            "An admin of {organisation} refused your request to join.",
        ),
    },
    "officer_requested": {
        "nl": (
            "{person} wil antiwitwasverantwoordelijke worden bij {organisation}",
            "{person} vraagt om antiwitwasverantwoordelijke van {organisation} te worden.\n\n"
            "Keur de aanvraag goed of weiger ze op {link}",
        ),
        "fr": (
            "{person} souhaite devenir responsable anti-blanchiment de {organisation}",
            "{person} demande à devenir responsable anti-blanchiment de {organisation}.\n\n"
            "Approuvez ou refusez la demande sur {link}",
        ),
        "en": (
            "{person} asks to become AML officer of {organisation}",
            "{person} asks to become AML officer of {organisation}.\n\nApprove or refuse the request at {link}",
        ),
    },
    "officer_lost": {
        "nl": (
            "{person} is geen antiwitwasverantwoordelijke meer bij {organisation}",
            "{person} heeft niet langer de erkenningen die de rol van antiwitwasverantwoordelijke vereist "
            "(BIV-nummer en gekoppelde eID) en is geen antiwitwasverantwoordelijke meer.\n\n"
            "Controleer of {organisation} nog een antiwitwasverantwoordelijke heeft: {link}",
        ),
        "fr": (
            "{person} n'est plus responsable anti-blanchiment de {organisation}",
            "{person} ne dispose plus des agréments requis pour le rôle de responsable anti-blanchiment "
            "(numéro IPI et eID liée) et n'est plus responsable anti-blanchiment.\n\n"
            "Vérifiez que {organisation} a encore un responsable anti-blanchiment : {link}",
        ),
        "en": (
            "{person} is no longer AML officer of {organisation}",
            "{person} no longer holds the accreditations the AML officer role needs (BIV number and linked "
            "eID) and is no longer AML officer.\n\nCheck that {organisation} still has an AML officer: {link}",
        ),
    },
}

SIGNATURE = {
    "nl": "\n\n-- \nAntiwitwasplatform\nDit is een automatisch bericht.",
    "fr": "\n\n-- \nPlateforme anti-blanchiment\nCeci est un message automatique.",
    "en": "\n\n-- \nAML platform\nThis is an automated message.",
}

SOMEONE = {"nl": "Iemand", "fr": "Quelqu'un", "en": "Someone"}


def public_url(path: str) -> str:
    return env("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/") + path


def render(kind: str, language: str | None, **values) -> tuple[str, str]:
    language = language if language in ("nl", "fr", "en") else "nl"
    if not values.get("person"):
        values["person"] = SOMEONE[language]
    subject, body = TEXTS[kind][language]
    return subject.format(**values), body.format(**values) + SIGNATURE[language]
