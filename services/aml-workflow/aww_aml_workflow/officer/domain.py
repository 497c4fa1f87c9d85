"""The AML officer's rules, as plain Python (no I/O): who may decide, the four-eyes rule, the
CTIF-CFI report lifecycle, CTIF-CFI's answer, and the office's goAML settings.

The case moves themselves (awaiting_officer → accepted …) are cases.domain.lifecycle's table; this
module decides who may ask for them and in which report state.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from aww_contracts.errors import DomainError, field_error

OFFICER_ROLE = "aml_officer"
# the officer's decision → the case action (cases.domain.lifecycle.PROFILE_MOVES)
DECISIONS = {"accept": "officer_accept", "refuse": "officer_refuse", "report": "report_to_cfi"}
ANSWERS = {"continue": "cfi_cleared", "stop": "cfi_refused"}
MAX_TEXT = 4000

REPORT_STATES = ("draft", "validated", "downloaded", "submitted", "answered")
OPEN_REPORT_STATES = REPORT_STATES[:-1]
# report action → (states it may start from, state it leads to)
REPORT_MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    "edit": (("draft", "validated", "downloaded"), "draft"),
    "validate": (("draft",), "validated"),
    "download": (("validated", "downloaded"), "downloaded"),
    "submit": (("downloaded",), "submitted"),
    "answer": (("submitted",), "answered"),
}
REPORT_MESSAGES = {
    "edit": "A report that was submitted to CTIF-CFI no longer changes",
    "validate": "Only a draft report is validated",
    "download": "Validate the report before downloading it",
    "submit": "Download the validated file and upload it on the goAML portal before confirming",
    "answer": "Record CTIF-CFI's answer after the report was submitted",
}

PARTY_ROLES = ("subject", "seller", "buyer", "landlord", "tenant", "representative", "other")
CODE_FIELDS = ("report_code_activity", "report_code_transaction", "transmode_code", "address_type_code",
               "id_type_code", "ubo_role_code", "representative_role_code")  # fmt: skip
CODE_DEFAULTS = {"address_type_code": "-", "id_type_code": "-", "ubo_role_code": "UBO", "representative_role_code": "-"}
ADDRESS_FIELDS = ("street", "number", "box", "postcode", "city", "country")
_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,20}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
MAX_INDICATORS = 300


def require_officer(role: str) -> None:
    if role != OFFICER_ROLE:
        raise DomainError("forbidden", "Only an AML officer may do this", tool="aml")


def four_eyes(proposed_by: str | None, actor_id: str, officer_ids: list[str]) -> dict:
    """Whether the four-eyes rule keeps this officer from deciding: they proposed the case
    themselves and another officer exists. With a single officer in the office, they decide."""
    own = proposed_by is not None and str(proposed_by) == str(actor_id)
    others = sorted({str(o) for o in officer_ids} - {str(actor_id)})
    blocks = own and bool(others)
    if blocks:
        message = "You proposed this case yourself: another AML officer of the office decides on it (four-eyes)."
    elif own:
        message = "You proposed this case yourself; as the office's only AML officer you decide on it."
    else:
        message = None
    return {"own_proposal": own, "applies": blocks, "other_officers": len(others), "message": message}


def check_four_eyes(rule: dict) -> None:
    if rule["applies"]:
        raise DomainError("four_eyes", rule["message"], other_officers=rule["other_officers"])


def text(value, field: str, *, required: bool, limit: int = MAX_TEXT) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise field_error(field, "is required")
        return None
    if not isinstance(value, str):
        raise field_error(field, "must be text")
    if len(value) > limit:
        raise field_error(field, f"at most {limit} characters")
    return value.strip()


def check_decision(decision, reason) -> tuple[str, str | None]:
    """(case action, reason); refusing and reporting need the officer's reason."""
    if decision not in DECISIONS:
        raise field_error("decision", "choose accept, refuse or report")
    cleaned = text(reason, "reason", required=decision in ("refuse", "report"))
    return DECISIONS[decision], cleaned


def report_move(state: str, action: str) -> str:
    allowed, target = REPORT_MOVES[action]
    if state not in allowed:
        raise DomainError("conflict", REPORT_MESSAGES[action], state=state)
    return target


def check_indicators(indicators, configured: list[dict]) -> list[str]:
    if indicators is None:
        return []
    if not isinstance(indicators, list) or len(indicators) > 50 or not all(isinstance(i, str) for i in indicators):
        raise field_error("indicators", "give a list of indicator codes")
    known = {item["code"] for item in configured}
    chosen = []
    for code in indicators:
        if code not in known:
            raise field_error("indicators", f"{code[:20]!r} is not one of the office's indicators (officer settings)")
        if code not in chosen:
            chosen.append(code)
    return chosen


def check_answer(answer, answer_date, reference, *, today: date, submitted_on: date) -> dict:
    if answer not in ANSWERS:
        raise field_error("answer", "choose continue or stop")
    try:
        day = date.fromisoformat(answer_date) if isinstance(answer_date, str) else None
    except ValueError:
        day = None
    if day is None:
        raise field_error("answer_date", "give the date of CTIF-CFI's answer as YYYY-MM-DD")
    if day > today:
        raise field_error("answer_date", "cannot be in the future")
    if day < submitted_on:
        raise field_error("answer_date", "cannot be before the report was submitted")
    return {
        "answer": answer,
        "answer_date": day,
        "answer_reference": text(reference, "answer_reference", required=True, limit=100),
        "case_action": ANSWERS[answer],
    }


# ---- settings -------------------------------------------------------------------------------------


def _code(value, field: str) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not _CODE.match(value):
        raise field_error(field, "a code of 1 to 20 letters, digits, '-', '_' or '.'")
    return value


def _address(value, field: str) -> dict | None:
    if value in (None, {}):
        return None
    if not isinstance(value, dict):
        raise field_error(field, "must be an object")
    unknown = set(value) - set(ADDRESS_FIELDS)
    if unknown:
        raise field_error(f"{field}.{sorted(unknown)[0]}", "is not a known field")
    address = {}
    for key in ADDRESS_FIELDS:
        item = text(value.get(key), f"{field}.{key}", required=False, limit=100)
        if item:
            address[key] = item
    if "country" in address:
        address["country"] = address["country"].upper()
        if not _COUNTRY.match(address["country"]):
            raise field_error(f"{field}.country", "give a country as its two-letter ISO code, such as BE")
    return address or None


def clean_settings(data) -> dict:
    """The office's goAML settings; every field optional (the report names what it still needs)."""
    if not isinstance(data, dict):
        raise field_error("settings", "must be an object")
    known = {"rentity_id", "rentity_branch", "party_role_codes", "indicators", "location", *CODE_FIELDS}
    unknown = set(data) - known
    if unknown:
        raise field_error(sorted(unknown)[0], "is not a known setting")
    cleaned: dict = {}
    rentity = data.get("rentity_id")
    if rentity not in (None, ""):
        if isinstance(rentity, str) and rentity.strip().isdigit():
            rentity = int(rentity.strip())
        if not isinstance(rentity, int) or isinstance(rentity, bool) or not 1 <= rentity <= 2_147_483_647:
            raise field_error("rentity_id", "the goAML reporting entity id is a whole number from 1")
        cleaned["rentity_id"] = rentity
    branch = text(data.get("rentity_branch"), "rentity_branch", required=False, limit=255)
    if branch:
        cleaned["rentity_branch"] = branch
    for name in CODE_FIELDS:
        code = _code(data.get(name), name)
        if code:
            cleaned[name] = code
    roles = data.get("party_role_codes") or {}
    if not isinstance(roles, dict):
        raise field_error("party_role_codes", "must be an object of role → code")
    cleaned_roles = {}
    for role, code in roles.items():
        if role not in PARTY_ROLES:
            raise field_error(f"party_role_codes.{role}", f"choose roles among {', '.join(PARTY_ROLES)}")
        code = _code(code, f"party_role_codes.{role}")
        if code:
            cleaned_roles[role] = code
    if cleaned_roles:
        cleaned["party_role_codes"] = cleaned_roles
    indicators = data.get("indicators") or []
    if not isinstance(indicators, list) or len(indicators) > MAX_INDICATORS:
        raise field_error("indicators", f"give a list of at most {MAX_INDICATORS} indicators")
    seen = []
    for index, item in enumerate(indicators):
        if not isinstance(item, dict):
            raise field_error(f"indicators.{index}", "give {code, label}")
        code = _code(item.get("code"), f"indicators.{index}.code")
        if not code:
            raise field_error(f"indicators.{index}.code", "is required")
        label = text(item.get("label"), f"indicators.{index}.label", required=False, limit=255) or code
        if code in {i["code"] for i in seen}:
            raise field_error(f"indicators.{index}.code", "is given twice")
        seen.append({"code": code, "label": label})
    if seen:
        cleaned["indicators"] = seen
    location = _address(data.get("location"), "location")
    if location:
        cleaned["location"] = location
    return cleaned


def parse_indicator_lines(lines: str) -> list[dict]:
    """The settings page's textarea: one indicator a line, "CODE label" or "CODE — label"."""
    items = []
    for raw in (lines or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        code, _, label = line.partition(" ")
        items.append({"code": code, "label": label.strip(" -—–:") or code})
    return items


def check_user_code(value) -> str:
    code = text(value, "reporting_user_code", required=True, limit=50)
    if len(code) < 4:
        raise field_error("reporting_user_code", "a goAML user code has 4 to 50 characters")
    return code


def goaml_data(*, kind: str, facts: dict, settings: dict, user_code: str | None, report: dict, at: datetime) -> dict:
    """What reporting's goaml_report renderer needs: settings for this kind of report, the report
    (reason, indicators, date) and the case's goAML facts."""
    report_code = settings.get("report_code_transaction" if kind == "transaction" else "report_code_activity")
    chosen = {
        "rentity_id": settings.get("rentity_id"),
        "rentity_branch": settings.get("rentity_branch"),
        "report_code": report_code,
        "reporting_user_code": user_code,
        "location": settings.get("location"),
        "transmode_code": settings.get("transmode_code"),
        "party_role_codes": settings.get("party_role_codes", {}),
    }
    for name, default in CODE_DEFAULTS.items():
        chosen[name] = settings.get(name) or default
    return {
        "settings": chosen,
        "report": {
            "id": str(report["id"]),
            "revision": report["revision"],
            "reason": report["reason"],
            "indicators": list(report["indicators"]),
            "report_date": at.strftime("%Y-%m-%dT%H:%M:%S"),
        },
        "facts": facts,
    }
