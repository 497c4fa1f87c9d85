"""The AML officer's demo data, through the real API, in the demo office (Immo Demo): the office's goAML
settings with test values, so that the demo can produce a goAML file that validates, and the risk
profile of the politically exposed person (Van den Broeck, Luc: enhanced vigilance) escalated by the
employee with a proposal to accept: it waits in the officer's inbox.

The goAML values are test values, not CTIF-CFI's: CTIF-CFI's code lists are not public (an office
copies its own from the goAML portal). Each code below is one the UNODC goAML 5.0.1 schema
(shared/specs/goaml/goAMLSchema.xsd) accepts in its enumeration: report_type (SAR, STR),
conduction_type (transmode), party_role_type (roles in a transaction), report_indicator_type ("-",
the only value of the generic schema).

Needs the AML contacts seeder (aml.py, ORDER 40) and demo.shared["accounts"] (employee, officer).
Safe to run again: the settings are written again (same values) and a profile already escalated
(or decided) is left as it is.
"""

from __future__ import annotations

ORDER = 48  # after the AML contacts (40) and the AML transactions (45)

PEP_NAME = "Van den Broeck, Luc"
OFFICER_USER_CODE = "DEMO-OFFICER-01"
SETTINGS = {
    "rentity_id": 4242,
    "rentity_branch": "Antwerpen",
    "location": {"street": "Meir", "number": "24", "postcode": "2000", "city": "Antwerpen", "country": "BE"},
    "report_code_activity": "SAR",
    "report_code_transaction": "STR",
    "transmode_code": "A",
    "address_type_code": "1",
    "id_type_code": "A",
    "ubo_role_code": "UBO",
    "representative_role_code": "A",
    "party_role_codes": {"seller": "A", "buyer": "B", "landlord": "C", "tenant": "D", "representative": "E"},
    "indicators": [{"code": "-", "label": "Test indicator (the generic goAML schema knows only '-')"}],
}
MOTIVATION = (
    "Member of the Flemish Parliament (PEP). The source of funds is documented (salary and the sale of an "
    "earlier home); nothing unusual in the purchase."
)


class DemoError(RuntimeError):
    pass


def _api(demo, who: dict):
    headers = {"Authorization": f"Bearer {who['token']}"}

    def call(method: str, path: str, expect=(200, 201), **kwargs):
        response = demo.http.request(method, f"/api/v1/aml{path}", headers=headers, **kwargs)
        if response.status_code not in expect:
            raise DemoError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    return call


def _contact(call, name: str) -> dict | None:
    for item in call("GET", "/contacts", params={"q": name.split(",")[0], "limit": 10})["items"]:
        if item["display_name"] == name:
            return item
    return None


def _escalate_pep(call) -> str:
    contact = _contact(call, PEP_NAME)
    if contact is None:
        return f"no escalated case ({PEP_NAME} is missing: the AML contacts demo data did not run)"
    contact_id = contact["contact_id"]
    profiles = call("GET", f"/contacts/{contact_id}/risk-profiles")
    if profiles and profiles[-1]["state"] != "assessed":
        return f"{PEP_NAME}'s risk profile: {profiles[-1]['state']} (left as it is)"
    profile = profiles[-1] if profiles else call("POST", f"/contacts/{contact_id}/risk-profiles", json={"skip": True})
    if profile["level"] != "enhanced":
        return f"{PEP_NAME}'s risk profile is {profile['level']}, not enhanced: nothing to escalate"
    call(
        "POST",
        f"/risk-profiles/{profile['risk_profile_id']}/escalation",
        json={"motivation": MOTIVATION, "proposal": "accept"},
    )
    return f"{PEP_NAME}'s risk profile (enhanced, PEP) escalated: it waits for the AML officer"


def seed(demo) -> list[str]:
    accounts = demo.shared.get("accounts") or {}
    employee, officer = accounts.get("employee"), accounts.get("officer")
    if not employee or not officer or not demo.shared.get("organisations"):
        return ["aml officer: nothing (the identity and organisation demo data are missing)"]
    try:
        _api(demo, officer)(
            "PUT", "/officer/settings", json={"settings": SETTINGS, "reporting_user_code": OFFICER_USER_CODE}
        )
        case = _escalate_pep(_api(demo, employee))
    except DemoError as exc:
        return [f"aml officer: incomplete: {exc}"]
    return [
        f"aml officer in Immo Demo: goAML test settings (rentity_id {SETTINGS['rentity_id']}, user code "
        f"{OFFICER_USER_CODE}); {case}; log in as {officer['username']}: /aml/officer"
    ]
