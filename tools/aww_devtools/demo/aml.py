"""Demo contacts of the AML tool, through the real API: in the demo office, a person at standard
vigilance (accepted, risk profile accepted), a politically exposed person at enhanced vigilance
(accepted; the AML officer is notified), a listed company at simplified vigilance with its
ownership structure, and a person still being identified (proofs missing).

Needs demo.shared["accounts"]["employee"] (identity seeder) and demo.shared["organisations"]
(organisation seeder, which makes the demo office the employee's active organisation). Safe to run
again: contacts that exist already (by name) are left as they are.
"""

from __future__ import annotations

from datetime import date

from aww_aml_workflow.cases import samples
from aww_aml_workflow.cases.domain.identifiers import make_enterprise_number, make_person_number

ORDER = 40

ANSWERS = {
    "face_to_face": True,
    "cash_intensive": False,
    "sector": [],
    "unusual_circumstances": False,
    "office_high_risk": False,
}


class DemoError(RuntimeError):
    pass


def _person(first, last, birth: date, serial: int, **extra) -> dict:
    return {
        "role": "client",
        "first_names": first,
        "last_name": last,
        "birth_date": birth.isoformat(),
        "birth_place": extra.pop("birth_place", "Antwerpen"),
        "nationalities": ["BE"],
        "address": {"street": "Meir", "number": str(serial), "postcode": "2000", "city": "Antwerpen", "country": "BE"},
        "person_number": make_person_number(birth, serial),
        "id_document": {"type": "id_card", "number": f"592-{serial:07d}-{serial % 97:02d}", "expiry": "2032-06-30"},
        "profession": extra.pop("profession", "Teacher"),
        "pep": extra.pop("pep", {"self": False}),
        **extra,
    }


COMPANY = {
    "role": "counterparty",
    "name": "Patrimonium Vastgoed NV",
    "legal_form": "sa_nv",
    "enterprise_number": make_enterprise_number(4_123_456),
    "seat": {"street": "Kunstlaan", "number": "8", "postcode": "1000", "city": "Brussel", "country": "BE"},
    "activity": "Listed real-estate investment company",
    "directors": [
        {"name": "Els Maes", "function": "CEO", "appointed_on": "2021-05-03", "gazette_reference": "21063145"}
    ],
    "representatives": [
        {
            "first_names": "Els",
            "last_name": "Maes",
            "birth_date": "1971-02-14",
            "nationalities": ["BE"],
            "capacity": "CEO",
        }
    ],
    "ownership": {
        "entities": [
            {
                "id": "e1",
                "kind": "person",
                "first_names": "Jan",
                "last_name": "Claes",
                "birth_date": "1958-09-01",
                "nationalities": ["BE"],
            },
            {"id": "e2", "kind": "organisation", "name": "Claes Holding BV", "country": "BE", "legal_form": "srl_bv"},
        ],
        "links": [{"holder": "e1", "held": "e2", "percent": "90"}, {"holder": "e2", "held": "self", "percent": "30"}],
    },
}
COMPANY_PROOFS = ("statutes", "directors_publication", "representation_powers", "ubo_register_extract")


def _api(demo, who: dict):
    headers = {"Authorization": f"Bearer {who['token']}"}

    def call(method: str, path: str, expect=(200, 201), **kwargs):
        response = demo.http.request(method, f"/api/v1/aml{path}", headers=headers, **kwargs)
        if response.status_code not in expect:
            raise DemoError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    return call


def _upload(call, contact_id: str, proof: str, name: str, content: bytes) -> None:
    call("POST", f"/contacts/{contact_id}/documents", files={"file": (name, content)}, data={"proof_kind": proof})


def _existing(call, name: str) -> dict | None:
    for item in call("GET", "/contacts", params={"q": name, "limit": 5})["items"]:
        if item["display_name"] == name:
            return item
    return None


def _through(call, contact: dict, *, profile: bool) -> str:
    """Screen, accept, and (optionally) accept a skipped risk profile; returns the level."""
    contact_id = contact["contact_id"]
    run = call("POST", f"/contacts/{contact_id}/screening")
    if run["hits"]:
        return f"left in identification: {len(run['hits'])} screening hit(s) to decide"
    decided = call("POST", f"/contacts/{contact_id}/decision", json={"decision": "accept"})
    if profile:
        made = call("POST", f"/contacts/{contact_id}/risk-profiles", json={"skip": True})
        if made["level"] != "enhanced":
            call("POST", f"/risk-profiles/{made['risk_profile_id']}/decision", json={"decision": "accept"})
    return decided["level"]


def seed(demo) -> list[str]:
    accounts = demo.shared.get("accounts") or {}
    employee = accounts.get("employee")
    if not employee or not demo.shared.get("organisations"):
        return ["aml: no demo contacts (the identity and organisation demo data are missing)"]
    call = _api(demo, employee)
    made = []
    try:
        plans = [
            (
                "Peeters, Anne",
                "person",
                _person("Anne", "Peeters", date(1979, 4, 12), 101),
                ["identity_document"],
                True,
            ),
            (
                "Van den Broeck, Luc",
                "person",
                _person(
                    "Luc",
                    "Van den Broeck",
                    date(1966, 11, 3),
                    203,
                    profession="Member of the Flemish Parliament",
                    pep={"self": True, "function": "member_of_parliament"},
                ),
                ["identity_document", "source_of_funds"],
                False,
            ),
            ("Patrimonium Vastgoed NV", "organisation", COMPANY, COMPANY_PROOFS, True),
        ]
        for name, kind, data, proofs, profile in plans:
            if _existing(call, name):
                continue
            answers = dict(
                ANSWERS,
                **(
                    {
                        "listed_regulated_market": True,
                        "public_body": False,
                        "asset_holding_vehicle": False,
                        "nominee_or_bearer": False,
                    }
                    if kind == "organisation"
                    else {}
                ),
            )
            contact = call("POST", "/contacts", json={"kind": kind, "data": data, "answers": answers})
            for proof in proofs:
                _upload(call, contact["contact_id"], proof, f"{proof}.pdf", samples.pdf(f"{name}: {proof}"))
            made.append(f"{name} ({_through(call, contact, profile=profile)})")
        if not _existing(call, "Dubois, Marc"):
            call(
                "POST",
                "/contacts",
                json={
                    "kind": "person",
                    "data": {
                        "role": "counterparty",
                        "first_names": "Marc",
                        "last_name": "Dubois",
                        "nationalities": ["BE"],
                    },
                },
            )
            made.append("Dubois, Marc (being identified: proofs missing)")
    except DemoError as exc:
        return [f"aml: demo contacts incomplete: {exc}"]
    if not made:
        return ["aml: demo contacts already there (Contacts page of Immo Demo)"]
    return ["aml: demo contacts in Immo Demo: " + "; ".join(made)]
