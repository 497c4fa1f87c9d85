"""The e-mails identity sends, in the account's language (nl, fr, en). Plain text with a small
HTML alternative; values are escaped for the HTML part."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    # kind → language → (subject, body); body placeholders: {name}, {username}, {code}, {link}, {hours}, {email}
    "activation": {
        "nl": (
            "Activeer uw account",
            "Beste {name},\n\nWelkom op het antiwitwasplatform. Uw gebruikersnaam is {username}.\n"
            "Uw activeringscode is: {code}\n\nVul hem in op {link}\nDe code is {hours} uur geldig.\n\n"
            "Hebt u geen account aangemaakt? Dan mag u dit bericht negeren.",
        ),
        "fr": (
            "Activez votre compte",
            "Bonjour {name},\n\nBienvenue sur la plateforme anti-blanchiment. Votre nom d'utilisateur est {username}.\n"
            "Votre code d'activation est : {code}\n\nSaisissez-le sur {link}\nLe code est valable {hours} heures.\n\n"
            "Vous n'avez pas créé de compte ? Ignorez simplement ce message.",
        ),
        "en": (
            "Activate your account",
            "Dear {name},\n\nWelcome to the AML platform. Your username is {username}.\n"
            "Your activation code is: {code}\n\nEnter it at {link}\nThe code is valid for {hours} hours.\n\n"
            "Did you not create an account? Then you can ignore this message.",
        ),
    },
    "email_change": {
        "nl": (
            "Bevestig uw nieuw e-mailadres",
            "Beste {name},\n\nU wilt dit adres gebruiken voor uw account {username}.\n"
            "Uw bevestigingscode is: {code}\n\nVul hem in op {link}\nDe code is {hours} uur geldig. "
            "Tot u bevestigt, blijft uw vorig adres in gebruik.",
        ),
        "fr": (
            "Confirmez votre nouvelle adresse e-mail",
            "Bonjour {name},\n\nVous souhaitez utiliser cette adresse pour votre compte {username}.\n"
            "Votre code de confirmation est : {code}\n\nSaisissez-le sur {link}\nLe code est valable {hours} heures. "
            "Tant que vous n'avez pas confirmé, votre ancienne adresse reste en vigueur.",
        ),
        "en": (
            "Confirm your new e-mail address",
            "Dear {name},\n\nYou want to use this address for your account {username}.\n"
            "Your confirmation code is: {code}\n\nEnter it at {link}\nThe code is valid for {hours} hours. "
            "Until you confirm, your previous address stays in force.",
        ),
    },
    "email_change_notice": {
        "nl": (
            "Uw e-mailadres wordt gewijzigd",
            "Beste {name},\n\nEr werd gevraagd om het e-mailadres van uw account {username} te wijzigen "
            "naar {email}.\nWas u dat niet? Wijzig dan meteen uw wachtwoord op {link}",
        ),
        "fr": (
            "Votre adresse e-mail va changer",
            "Bonjour {name},\n\nUn changement de l'adresse e-mail de votre compte {username} vers {email} "
            "a été demandé.\nCe n'était pas vous ? Changez immédiatement votre mot de passe sur {link}",
        ),
        "en": (
            "Your e-mail address is being changed",
            "Dear {name},\n\nSomeone asked to change the e-mail address of your account {username} to {email}.\n"
            "Was it not you? Then change your password at once at {link}",
        ),
    },
    "password_reset": {
        "nl": (
            "Nieuw wachtwoord kiezen",
            "Beste {name},\n\nEr werd een nieuw wachtwoord gevraagd voor uw account {username}.\n"
            "Kies het via deze link, die {hours} uur en één keer geldig is:\n{link}\n\n"
            "Hebt u niets gevraagd? Dan mag u dit bericht negeren; uw wachtwoord blijft ongewijzigd.",
        ),
        "fr": (
            "Choisir un nouveau mot de passe",
            "Bonjour {name},\n\nUn nouveau mot de passe a été demandé pour votre compte {username}.\n"
            "Choisissez-le via ce lien, valable {hours} heure(s) et une seule fois :\n{link}\n\n"
            "Vous n'avez rien demandé ? Ignorez ce message ; votre mot de passe ne change pas.",
        ),
        "en": (
            "Choose a new password",
            "Dear {name},\n\nA new password was requested for your account {username}.\n"
            "Choose it with this link, valid for {hours} hour(s) and only once:\n{link}\n\n"
            "Did you not ask for this? Then ignore this message; your password stays as it is.",
        ),
    },
    "password_changed": {
        "nl": (
            "Uw wachtwoord werd gewijzigd",
            "Beste {name},\n\nHet wachtwoord van uw account {username} werd gewijzigd en al uw sessies "
            "werden afgemeld.\nWas u dat niet? Vraag dan meteen een nieuw wachtwoord aan op {link}",
        ),
        "fr": (
            "Votre mot de passe a été modifié",
            "Bonjour {name},\n\nLe mot de passe de votre compte {username} a été modifié et toutes vos sessions "
            "ont été fermées.\nCe n'était pas vous ? Demandez immédiatement un nouveau mot de passe sur {link}",
        ),
        "en": (
            "Your password was changed",
            "Dear {name},\n\nThe password of your account {username} was changed and all your sessions were "
            "logged out.\nWas it not you? Then ask for a new password at once at {link}",
        ),
    },
}


@dataclass(frozen=True)
class Mail:
    subject: str
    body_text: str
    body_html: str


def render(kind: str, language: str, **values) -> Mail:
    subject, body = TEXTS[kind].get(language, TEXTS[kind]["nl"])
    text = body.format(**values)
    escaped = {key: escape(str(value)) for key, value in values.items()}
    html_body = body.format(**escaped)
    link = escaped.get("link")
    if link:
        html_body = html_body.replace(link, f'<a href="{link}">{link}</a>')
    paragraphs = "".join(f"<p>{part.replace(chr(10), '<br>')}</p>" for part in html_body.split("\n\n"))
    html = f'<!doctype html><html lang="{language}"><body>{paragraphs}</body></html>'
    return Mail(subject, text, html)
