"""The organisation API through the gateway, with the real identity service behind it."""

from organisation_flows import ADDRESS, account, create_organisation, enterprise_number, give_tool_role, platform_admin

from aww_devtools.fakes.mail import wait_for_mail


def test_create_join_confirm_register_and_appoint_through_the_api(http, stack):
    admin = account(http, stack, biv=True, prefix="admin")
    number = enterprise_number(1)
    organisation = create_organisation(http, admin, number)
    organisation_id = organisation["organisation_id"]
    assert organisation["my_membership"]["admin"] is True

    duplicate = http.post(
        "/api/v1/organisations",
        headers=admin["headers"],
        json={"enterprise_number": number, "name": "Again", "address": ADDRESS, "vat_liable": False,
              "contact_email": admin["email"]},
    )  # fmt: skip
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "conflict"
    invalid = http.post(
        "/api/v1/organisations",
        headers=admin["headers"],
        json={"enterprise_number": "0431150351", "name": "X", "address": ADDRESS, "vat_liable": False,
              "contact_email": admin["email"]},
    )  # fmt: skip
    assert invalid.status_code == 400
    assert invalid.headers["content-type"] == "application/problem+json"
    assert invalid.json()["errors"][0]["field"] == "enterprise_number"

    officer = account(http, stack, biv=True, prefix="officer")
    found = http.get("/api/v1/organisations", params={"q": number[:6]}, headers=officer["headers"]).json()
    assert organisation_id in [hit["organisation_id"] for hit in found]
    joined = http.post(
        f"/api/v1/organisations/{organisation_id}/membership-requests",
        headers=officer["headers"],
        json={"contact_email": officer["email"], "job_title": "Makelaar"},
    )
    assert joined.status_code == 201 and joined.json()["status"] == "pending"
    assert wait_for_mail(stack.var_dir / "mail", admin["email"], 2)[-1].subject == "Test Person asks to join Immo E2E"

    decided = http.put(
        f"/api/v1/organisations/{organisation_id}/members/{officer['account_id']}/decision",
        headers=admin["headers"],
        json={"approve": True},
    )
    assert decided.status_code == 200, decided.text

    # the operator allow-lists the number; the admin registers the AML tool
    refused = http.post(
        f"/api/v1/organisations/{organisation_id}/tools", headers=admin["headers"], json={"tool": "aml"}
    )
    assert refused.status_code == 403 and refused.json()["reason"] == "not_on_allow_list"
    ordinary = account(http, stack, prefix="ordinary")
    listed = http.post(
        "/api/v1/platform/allow-lists/aml", headers=ordinary["headers"], json={"enterprise_number": number}
    )
    assert listed.status_code == 403
    operator = platform_admin(http, stack)
    listed = http.post(
        "/api/v1/platform/allow-lists/aml", headers=operator["headers"], json={"enterprise_number": number}
    )
    assert listed.status_code == 201, listed.text
    registered = http.post(
        f"/api/v1/organisations/{organisation_id}/tools", headers=admin["headers"], json={"tool": "aml"}
    )
    assert registered.status_code == 201, registered.text

    give_tool_role(http, organisation_id, admin, officer["account_id"], "aml_officer")
    status = http.get(f"/api/v1/organisations/{organisation_id}/aml-officer", headers=officer["headers"]).json()
    assert status["my_role"] == "aml_officer" and status["warning"] is False
    clerk = account(http, stack, prefix="clerk")
    http.post(
        f"/api/v1/organisations/{organisation_id}/membership-requests",
        headers=clerk["headers"],
        json={"contact_email": clerk["email"]},
    )
    http.put(
        f"/api/v1/organisations/{organisation_id}/members/{clerk['account_id']}/decision",
        headers=admin["headers"],
        json={"approve": True},
    )
    lacking = http.put(
        f"/api/v1/organisations/{organisation_id}/tools/aml/members/{clerk['account_id']}",
        headers=admin["headers"],
        json={"role": "user"},
    )
    assert lacking.status_code == 409 and lacking.json()["code"] == "accreditation_missing"
    assert lacking.json()["missing"] == ["biv|sf323"]


def test_outsider_gets_the_same_not_found_for_existing_and_missing_ids(http, stack):
    admin = account(http, stack, prefix="owner")
    organisation_id = create_organisation(http, admin, enterprise_number(2))["organisation_id"]
    outsider = account(http, stack, prefix="outsider")
    existing = http.get(f"/api/v1/organisations/{organisation_id}", headers=outsider["headers"])
    missing = http.get("/api/v1/organisations/6b1c8a3e-0000-4000-8000-000000000000", headers=outsider["headers"])
    garbage = http.get("/api/v1/organisations/not-an-id", headers=outsider["headers"])
    assert existing.status_code == missing.status_code == garbage.status_code == 404
    strip = lambda body: {k: v for k, v in body.items() if k != "correlation_id"}  # noqa: E731
    assert strip(existing.json()) == strip(missing.json()) == strip(garbage.json())
    for path in ("", "/members", "/branches", "/tools", "/aml-officer"):
        assert http.get(f"/api/v1/organisations/{organisation_id}{path}").status_code == 401
        assert (
            http.get(f"/api/v1/organisations/{organisation_id}{path}", headers=outsider["headers"]).status_code == 404
        )
        assert http.get(f"/api/v1/organisations/{organisation_id}{path}", headers=admin["headers"]).status_code == 200


def test_switching_puts_the_organisation_on_the_session(http, stack):
    person = account(http, stack, prefix="switcher")
    first = create_organisation(http, person, enterprise_number(3), name="Eerste")["organisation_id"]
    second = create_organisation(http, person, enterprise_number(4), name="Tweede")["organisation_id"]
    switched = http.put("/api/v1/me/active-organisation", headers=person["headers"], json={"organisation_id": second})
    assert switched.status_code == 200, switched.text
    assert http.get("/api/v1/session", headers=person["headers"]).json()["organisation_id"] == second
    mine = {m["name"]: m for m in http.get("/api/v1/me/organisations", headers=person["headers"]).json()}
    assert mine["Tweede"]["active"] and mine["Eerste"]["is_default"]
    decision = http.get(
        f"/api/v1/organisations/{first}/authorization",
        params={"tool": "aml", "action": "manage"},
        headers=person["headers"],
    ).json()
    assert decision == {"allowed": True, "role": "none", "reason": "ok"}


def test_bad_bodies_are_problems_naming_the_field(http, stack):
    person = account(http, stack, prefix="typo")
    organisation_id = create_organisation(http, person, enterprise_number(5))["organisation_id"]
    response = http.put(
        f"/api/v1/organisations/{organisation_id}/members/{person['account_id']}/admin",
        headers=person["headers"],
        json={"admin": "yes"},
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "body.admin"
    last_admin = http.put(
        f"/api/v1/organisations/{organisation_id}/members/{person['account_id']}/admin",
        headers=person["headers"],
        json={"admin": False},
    )
    assert last_admin.status_code == 409 and last_admin.json()["reason"] == "last_admin"
