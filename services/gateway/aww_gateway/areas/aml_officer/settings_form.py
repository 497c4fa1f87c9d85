"""The settings page's form → the office's goAML settings (officer.domain.clean_settings checks them)."""

from __future__ import annotations

ROLES = ("subject", "seller", "buyer", "landlord", "tenant", "representative", "other")
CODES = ("report_code_activity", "report_code_transaction", "transmode_code", "address_type_code", "id_type_code",
         "ubo_role_code", "representative_role_code")  # fmt: skip


def indicator_lines(lines: str) -> list[dict]:
    """One indicator a line: "CODE label" or "CODE — label"."""
    items = []
    for raw in (lines or "").splitlines():
        line = raw.strip()
        if line:
            code, _, label = line.partition(" ")
            items.append({"code": code, "label": label.strip(" -—–:") or code})
    return items


def parse(form) -> dict:
    def value(name: str) -> str:
        found = form.get(name)
        return found.strip() if isinstance(found, str) else ""

    settings: dict = {}
    if value("rentity_id"):
        settings["rentity_id"] = value("rentity_id")
    if value("rentity_branch"):
        settings["rentity_branch"] = value("rentity_branch")
    for name in CODES:
        if value(name):
            settings[name] = value(name)
    roles = {role: value(f"party_role_codes.{role}") for role in ROLES if value(f"party_role_codes.{role}")}
    if roles:
        settings["party_role_codes"] = roles
    indicators = indicator_lines(form.get("indicators") or "")
    if indicators:
        settings["indicators"] = indicators
    location = {key: value(f"location.{key}") for key in ("street", "number", "box", "postcode", "city", "country")}
    location = {key: item for key, item in location.items() if item}
    if location:
        settings["location"] = location
    return settings
