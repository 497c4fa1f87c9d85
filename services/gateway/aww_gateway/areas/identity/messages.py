"""What the visitor reads when identity refuses a form, in their language.

The service answers in English (the API's language); pages translate by error code (and reason),
and field messages by their English text, listed here so the catalogues carry them."""

from __future__ import annotations

from aww_gateway.i18n import N_, gettext
from aww_gateway.problems import Problem

BY_CODE = {
    "invalid_credentials": N_("The username or password is wrong."),
    "account_locked": N_(
        "Too many failed attempts: password login is locked for a while. Log in with your eID card or itsme, "
        "or choose a new password through “Forgot your password?”."
    ),
    "account_not_activated": N_("Activate your account first with the code we e-mailed you."),
    "account_deactivated": N_("This account is deactivated. Choose a new password to reactivate it."),
    "invalid_code": N_("This code is wrong."),
    "code_expired": N_("This code or link has expired or was already used. Ask for a new one."),
    "eid_refused": N_("This eID card is not accepted."),
    "eid_already_linked": N_("This eID card is already linked to another account, or another card is linked to yours."),
    "eid_unknown": N_(
        "No account is linked to this eID card yet. Log in with your password and link the card in your profile."
    ),
    "eid_required": N_("Link your eID card first."),
    "itsme_refused": N_("The itsme answer is not accepted. Start again."),
    "itsme_unknown": N_("No account is linked to this itsme identity. Log in and link itsme in your profile."),
    "profile_locked": N_("Your name, birth date and gender come from your eID card and cannot be edited."),
    "register_unavailable": N_("An outside service does not answer. Try again later."),
    "not_found": N_("This does not exist (any more)."),
    "conflict": N_("This conflicts with the current state."),
    "forbidden": N_("You may not do this."),
    "validation_failed": N_("Check the fields marked below."),
    "csrf_failed": N_("The form has expired; reload the page and try again."),
}

BY_REASON = {
    ("eid_refused", "missing"): N_("No eID card was read. Insert your card in the reader and try again."),
    ("eid_refused", "expired"): N_("The certificate of this eID card has expired."),
    ("eid_refused", "not_yet_valid"): N_("The certificate of this eID card is not valid yet."),
    ("eid_refused", "unknown_ca"): N_("This card was not issued by a recognised Belgian eID authority."),
    ("eid_refused", "tampered"): N_("The certificate of this card is not genuine."),
    ("eid_refused", "malformed"): N_("The certificate of this card cannot be read."),
    ("eid_refused", "invalid_national_number"): N_("The card does not hold a valid national register number."),
    ("eid_refused", "not_authentication"): N_("Use the authentication certificate of the card."),
    ("eid_refused", "not_configured"): N_("eID login is not available on this platform."),
    ("itsme_refused", "replayed"): N_("This itsme answer was already used. Start again."),
    ("itsme_refused", "state"): N_("This itsme answer does not belong to a login started here. Start again."),
    ("itsme_refused", "nonce"): N_("The itsme answer does not match this login. Start again."),
    ("itsme_refused", "mismatch"): N_("This itsme identity is not the person of your eID card."),
    ("itsme_refused", "expired"): N_("This itsme login took too long. Start again."),
    ("itsme_refused", "cancelled"): N_("itsme did not confirm."),
    ("itsme_refused", "not_configured"): N_("itsme is not available on this platform."),
    ("itsme_refused", "taken"): N_("This itsme identity is linked to another account."),
}

FIELD_MESSAGES = (
    N_("Fill in this field"),
    N_("Use at most 200 characters"),
    N_("A name contains letters"),
    N_(
        "Use 3 to 40 characters: lower-case letters, digits, dot, hyphen or underscore, starting with a letter or digit"
    ),
    N_("This username is reserved"),
    N_("This username is taken; choose another one"),
    N_("This is not a valid e-mail address"),
    N_("Choose nl, fr or en"),
    N_("This is not a valid phone number"),
    N_("The two passwords differ"),
    N_("Use at least 12 characters"),
    N_("Use at most 128 characters"),
    N_("This password is too easy to guess"),
    N_("The password may not contain the username"),
    N_("The password may not contain the e-mail address"),
    N_("The current password is wrong"),
    N_("The password is wrong"),
    N_("This is already your e-mail address"),
    N_("This field cannot be changed here"),
    N_("This comes from your eID card"),
    N_("Give a date as YYYY-MM-DD"),
    N_("This birth date is not plausible"),
    N_("Choose male, female or nothing"),
)


def translate_field(language: str, message: str) -> str:
    return gettext(language, message)


def translate_problem(language: str, problem: Problem) -> str:
    reason = problem.extra.get("reason")
    text = BY_REASON.get((problem.code, reason)) or BY_CODE.get(problem.code)
    return gettext(language, text) if text else problem.detail
