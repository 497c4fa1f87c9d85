"""The organisation service against the real broker and database: organisations, joining,
admins, tools, roles, the AML officer, identity's events and the active organisation."""

from nameko.testing.services import entrypoint_hook
from org_helpers import publish_identity, refused, wait_until

from aww_organisation.service import OrganisationService

ADDRESS = {"street": "Meir 1", "postcode": "2000", "city": "Antwerpen", "country": "BE"}


def create(person, number, name="Immo Test", **extra):
    return person.rpc.create_organisation(
        enterprise_number=number,
        name=name,
        address=ADDRESS,
        vat_liable=True,
        contact_email=person.email,
        **extra,
    )


def join(person, organisation_id):
    return person.rpc.request_membership(organisation_id=organisation_id, contact_email=person.email, job_title="Agent")


def test_health_answers_with_an_empty_outbox(container_factory, service_database):
    container = container_factory(OrganisationService, service_database("aww_organisation"))
    with entrypoint_hook(container, "health") as health:
        result = health()
    assert result["service"] == "organisation" and result["status"] == "ok"


def test_creator_becomes_admin_and_both_states_are_published(people, db, new_number):
    ann = people("Ann Peeters")
    number = new_number()
    organisation = create(ann, f"{number[:4]}.{number[4:7]}.{number[7:]}", email="info@immo.be")
    assert organisation["enterprise_number"] == number
    assert organisation["my_membership"] == {"status": "confirmed", "admin": True, "is_default": True}
    assert organisation["vat_number"] == f"BE{number}"
    changed = db.events("organisation_changed", organisation_id=organisation["organisation_id"])
    assert changed[-1]["name"] == "Immo Test" and changed[-1]["address"] == ADDRESS
    access = db.last_access(organisation["organisation_id"], ann.account_id)
    assert access["membership_status"] == "confirmed" and access["admin"] is True
    assert access["display_name"] == "Ann Peeters" and access["tools"] == {}

    mine = ann.rpc.my_organisations()
    assert [(m["name"], m["status"], m["admin"], m["is_default"]) for m in mine] == [
        ("Immo Test", "confirmed", True, True)
    ]


def test_enterprise_number_is_checked_and_unique(people, new_number):
    ann, bert = people("Ann Janssens"), people("Bert Maes")
    with refused("validation_failed", "enterprise_number: .*check digits") as failure:
        create(ann, "0431150351")
    assert failure.value.details["errors"][0]["field"] == "enterprise_number"
    number = new_number()
    create(ann, number)
    with refused("conflict", "already exists") as duplicate:
        create(bert, "BE " + number)
    assert duplicate.value.details["reason"] == "enterprise_number_taken"


def test_bad_input_names_the_field_and_changes_nothing(people, db, new_number):
    ann = people("Ann Wouters")
    before = db.scalar("SELECT count(*) FROM organisations")
    for field, kwargs in [
        ("name", {"name": " "}),
        ("address.postcode", {"address": dict(ADDRESS, postcode="20")}),
        ("contact_email", {"contact_email": "not-an-address"}),
        ("vat_liable", {"vat_liable": "yes"}),
    ]:
        arguments = {
            "enterprise_number": new_number(),
            "name": "Immo",
            "address": ADDRESS,
            "vat_liable": True,
            "contact_email": ann.email,
        } | kwargs
        with refused("validation_failed") as failure:
            ann.rpc.create_organisation(**arguments)
        assert failure.value.details["errors"][0]["field"] == field
    assert db.scalar("SELECT count(*) FROM organisations") == before


def test_search_finds_by_name_and_number(people, new_number):
    ann, carl = people("Ann Claes"), people("Carl Goossens")
    number = new_number()
    organisation = create(ann, number, name="Zonnige Makelaars")
    by_name = carl.rpc.search_organisations(query="zonnige")
    assert [r["organisation_id"] for r in by_name] == [organisation["organisation_id"]]
    assert by_name[0]["my_status"] is None
    by_number = carl.rpc.search_organisations(query=f"{number[:4]}.{number[4:7]}")
    assert organisation["organisation_id"] in [r["organisation_id"] for r in by_number]
    assert ann.rpc.search_organisations(query="Zonnige")[0]["my_status"] == "confirmed"
    with refused("validation_failed", "query"):
        carl.rpc.search_organisations(query="z")


def test_join_request_is_confirmed_by_an_admin_and_both_are_mailed(people, db, new_number):
    ann, bert = people("Ann Smet", language="nl"), people("Bert Dubois", language="fr")
    organisation_id = create(ann, new_number())["organisation_id"]
    assert join(bert, organisation_id)["status"] == "pending"
    assert db.last_access(organisation_id, bert.account_id)["membership_status"] == "pending"
    admin_mail = db.mails(ann.email)[-1]
    assert admin_mail.subject == "Bert Dubois wil lid worden van Immo Test"
    assert f"/organisations/{organisation_id}/members" in admin_mail.body_text

    pending = ann.rpc.list_members(organisation_id=organisation_id, statuses=["pending"])
    assert [(m["display_name"], m["status"], m["contact_email"]) for m in pending] == [
        ("Bert Dubois", "pending", bert.email)
    ]
    with refused("conflict"):
        join(bert, organisation_id)
    ann.rpc.decide_membership(organisation_id=organisation_id, account_id=bert.account_id, approve=True)
    assert db.last_access(organisation_id, bert.account_id)["membership_status"] == "confirmed"
    assert db.mails(bert.email)[-1].subject == "Bienvenue chez Immo Test"
    assert {m["display_name"] for m in bert.rpc.list_members(organisation_id=organisation_id)} == {
        "Ann Smet",
        "Bert Dubois",
    }


def test_refused_request_ends_the_membership_and_a_new_request_is_possible(people, db, new_number):
    ann, bert = people("Ann Lambert"), people("Bert Lemmens", language="en")
    organisation_id = create(ann, new_number())["organisation_id"]
    join(bert, organisation_id)
    ann.rpc.decide_membership(organisation_id=organisation_id, account_id=bert.account_id, approve=False)
    assert db.last_access(organisation_id, bert.account_id)["membership_status"] == "removed"
    assert db.mails(bert.email)[-1].subject == "Your request to Immo Test"
    assert bert.rpc.my_organisations() == []
    assert join(bert, organisation_id)["status"] == "pending"


def test_the_last_admin_keeps_the_admin_right(people, db, new_number):
    ann, bert = people("Ann Hermans"), people("Bert Jacobs")
    organisation_id = create(ann, new_number())["organisation_id"]
    for attempt in (
        lambda: ann.rpc.set_admin(organisation_id=organisation_id, account_id=ann.account_id, admin=False),
        lambda: ann.rpc.leave_organisation(organisation_id=organisation_id),
        lambda: ann.rpc.remove_member(organisation_id=organisation_id, account_id=ann.account_id),
    ):
        with refused("conflict", "at least one admin"):
            attempt()
    join(bert, organisation_id)
    ann.rpc.decide_membership(organisation_id=organisation_id, account_id=bert.account_id, approve=True)
    ann.rpc.set_admin(organisation_id=organisation_id, account_id=bert.account_id, admin=True)
    assert db.last_access(organisation_id, bert.account_id)["admin"] is True
    ann.rpc.set_admin(organisation_id=organisation_id, account_id=ann.account_id, admin=False)
    with refused("conflict", "at least one admin"):
        bert.rpc.set_admin(organisation_id=organisation_id, account_id=bert.account_id, admin=False)
    bert.rpc.block_member(organisation_id=organisation_id, account_id=ann.account_id)
    assert db.last_access(organisation_id, ann.account_id)["membership_status"] == "blocked"
    with refused("forbidden", "blocked"):
        ann.rpc.get_organisation(organisation_id=organisation_id)
    bert.rpc.block_member(organisation_id=organisation_id, account_id=ann.account_id, blocked=False)
    bert.rpc.remove_member(organisation_id=organisation_id, account_id=ann.account_id)
    assert db.last_access(organisation_id, ann.account_id)["membership_status"] == "removed"
    with refused("not_found"):
        ann.rpc.get_organisation(organisation_id=organisation_id)


def test_employee_details_are_per_organisation_and_editable_by_self_and_admin(people, new_number):
    ann, bert = people("Ann Mertens"), people("Bert Willems")
    organisation_id = create(ann, new_number())["organisation_id"]
    join(bert, organisation_id)
    ann.rpc.decide_membership(organisation_id=organisation_id, account_id=bert.account_id, approve=True)
    branch = ann.rpc.create_branch(organisation_id=organisation_id, name="Gent", address=dict(ADDRESS, city="Gent"))
    bert.rpc.update_member(organisation_id=organisation_id, account_id=bert.account_id, contact_phone="+32 9 123 45 67")
    with refused("validation_failed", "branch_id"):
        bert.rpc.update_member(
            organisation_id=organisation_id, account_id=bert.account_id, branch_id=branch["branch_id"]
        )
    with refused("forbidden"):
        bert.rpc.update_member(organisation_id=organisation_id, account_id=ann.account_id, job_title="Boss")
    member = ann.rpc.update_member(
        organisation_id=organisation_id, account_id=bert.account_id, branch_id=branch["branch_id"], job_title="Makelaar"
    )
    assert (member["contact_phone"], member["job_title"], member["branch_name"]) == (
        "+32 9 123 45 67",
        "Makelaar",
        "Gent",
    )
    with refused("validation_failed", "contact_email"):
        ann.rpc.update_member(organisation_id=organisation_id, account_id=bert.account_id, contact_email="nope")
    branches = bert.rpc.list_branches(organisation_id=organisation_id)
    assert [(b["name"], b["members"]) for b in branches] == [("Gent", 1)]
    with refused("conflict", "already exists"):
        ann.rpc.create_branch(organisation_id=organisation_id, name="gent", address=ADDRESS)
    renamed = ann.rpc.update_branch(organisation_id=organisation_id, branch_id=branch["branch_id"], name="Gent-Centrum")
    assert renamed["name"] == "Gent-Centrum"


def registered_aml_office(people, new_number, platform_admin=None):
    """An office whose admin (BIV + eID) registered the AML tool after the operator allow-listed it."""
    operator = platform_admin or people("Olga Operator", platform_admin=True)
    admin = people("Anna Admin", biv=True, eid=True)
    number = new_number()
    organisation_id = create(admin, number)["organisation_id"]
    operator.rpc.add_to_allow_list(tool="aml", enterprise_number=number, note="test office")
    admin.rpc.register_tool(organisation_id=organisation_id, tool="aml")
    return organisation_id, admin, operator, number


def confirmed(admin, person, organisation_id):
    join(person, organisation_id)
    admin.rpc.decide_membership(organisation_id=organisation_id, account_id=person.account_id, approve=True)
    return person


def test_registering_the_aml_tool_needs_the_allow_list_and_a_biv_number(people, db, new_number):
    operator = people("Olga Operator", platform_admin=True)
    plain_admin = people("Piet Zonder", eid=True)
    number = new_number()
    organisation_id = create(plain_admin, number)["organisation_id"]
    with refused("forbidden", "allow-list"):
        plain_admin.rpc.register_tool(organisation_id=organisation_id, tool="aml")
    with refused("forbidden"):
        plain_admin.rpc.add_to_allow_list(tool="aml", enterprise_number=number)
    operator.rpc.add_to_allow_list(tool="aml", enterprise_number=number)
    assert number in [e["enterprise_number"] for e in operator.rpc.allow_list(tool="aml")]
    with refused("accreditation_missing", "missing a BIV number"):
        plain_admin.rpc.register_tool(organisation_id=organisation_id, tool="aml")
    assert db.scalar("SELECT count(*) FROM tool_registrations WHERE organisation_id = :o", o=organisation_id) == 0

    organisation_id, admin, operator, number = registered_aml_office(people, new_number, operator)
    assert db.last_access(organisation_id, admin.account_id)["tools"] == {"aml": "none"}
    tools = {t["code"]: t for t in admin.rpc.list_tools(organisation_id=organisation_id)}
    assert tools["aml"]["registered"] and tools["aml"]["active"] and tools["aml"]["registered_by"] == "Anna Admin"
    assert tools["aml"]["holders"] == {"biv": ["Anna Admin"], "sf323": [], "eid": ["Anna Admin"]}
    assert tools["kbo_syndic"]["registered"] is False and tools["kbo_syndic"]["register_requires"] == [["biv"]]

    # taking the number off the allow-list suspends the tool: consumers see no role any more
    operator.rpc.remove_from_allow_list(tool="aml", enterprise_number=number)
    assert db.last_access(organisation_id, admin.account_id)["tools"] == {}
    operator.rpc.add_to_allow_list(tool="aml", enterprise_number=number)
    assert db.last_access(organisation_id, admin.account_id)["tools"] == {"aml": "none"}


def test_a_role_needing_missing_accreditations_is_refused_naming_them(people, db, new_number):
    organisation_id, admin, _, _ = registered_aml_office(people, new_number)
    clerk = confirmed(admin, people("Chris Clerk"), organisation_id)
    agent = confirmed(admin, people("Dirk Agent", biv=True), organisation_id)
    with refused("accreditation_missing", "a BIV number or an SF323 verification") as failure:
        admin.rpc.set_tool_role(organisation_id=organisation_id, account_id=clerk.account_id, tool="aml", role="user")
    assert failure.value.details["missing"] == ["biv|sf323"]
    with refused("accreditation_missing", "missing a linked eID"):
        admin.rpc.set_tool_role(
            organisation_id=organisation_id, account_id=agent.account_id, tool="aml", role="aml_officer"
        )
    admin.rpc.set_tool_role(organisation_id=organisation_id, account_id=agent.account_id, tool="aml", role="user")
    admin.rpc.set_tool_role(organisation_id=organisation_id, account_id=clerk.account_id, tool="aml", role="blocked")
    first = db.last_access(organisation_id, agent.account_id)
    assert first["tools"] == {"aml": "user"}
    assert db.last_access(organisation_id, clerk.account_id)["tools"] == {"aml": "blocked"}
    admin.rpc.set_tool_role(organisation_id=organisation_id, account_id=agent.account_id, tool="aml", role="none")
    assert db.last_access(organisation_id, agent.account_id)["version"] > first["version"]
    with refused("conflict", "not registered"):
        admin.rpc.set_tool_role(
            organisation_id=organisation_id, account_id=agent.account_id, tool="kbo_syndic", role="user"
        )
    with refused("validation_failed", "role"):
        admin.rpc.set_tool_role(organisation_id=organisation_id, account_id=agent.account_id, tool="aml", role="boss")
    rows = {m["display_name"]: m for m in admin.rpc.tool_members(organisation_id=organisation_id, tool="aml")}
    assert rows["Chris Clerk"]["missing"]["user"] == ["biv|sf323"]
    assert rows["Dirk Agent"]["missing"]["aml_officer"] == ["eid"]


def test_the_first_eligible_member_becomes_officer_and_the_next_needs_approval(people, db, new_number):
    organisation_id, admin, _, _ = registered_aml_office(people, new_number)
    first = confirmed(admin, people("Eva Eerste", biv=True, eid=True), organisation_id)
    second = confirmed(admin, people("Frank Tweede", biv=True, eid=True), organisation_id)
    user = confirmed(admin, people("Gert Gebruiker", sf323=True), organisation_id)
    admin.rpc.set_tool_role(organisation_id=organisation_id, account_id=user.account_id, tool="aml", role="user")

    status = user.rpc.aml_officer_status(organisation_id=organisation_id)
    assert status["warning"] is True and status["officers"] == [] and status["users"] == 1
    assert status["can_enrol"] is False and status["my_missing"] == ["biv", "eid"]
    with refused("accreditation_missing"):
        user.rpc.enrol_aml_officer(organisation_id=organisation_id, position="Makelaar", declaration=True)
    with refused("validation_failed", "declaration"):
        first.rpc.enrol_aml_officer(organisation_id=organisation_id, position="Zaakvoerder", declaration=False)

    assert first.rpc.aml_officer_status(organisation_id=organisation_id)["enrol_outcome"] == "appointed"
    assert first.rpc.enrol_aml_officer(organisation_id=organisation_id, position="Zaakvoerder", declaration=True) == {
        "outcome": "appointed"
    }
    assert db.last_access(organisation_id, first.account_id)["tools"] == {"aml": "aml_officer"}
    status = user.rpc.aml_officer_status(organisation_id=organisation_id)
    assert status["warning"] is False and [o["display_name"] for o in status["officers"]] == ["Eva Eerste"]

    assert second.rpc.enrol_aml_officer(
        organisation_id=organisation_id, position="Kantoorleider", declaration=True
    ) == {"outcome": "requested"}
    assert db.last_access(organisation_id, second.account_id)["tools"] == {"aml": "none"}
    assert "Frank Tweede wil antiwitwasverantwoordelijke worden" in db.mails(admin.email)[-1].subject
    with refused("conflict", "already waiting"):
        second.rpc.enrol_aml_officer(organisation_id=organisation_id, position="x", declaration=True)
    requests = admin.rpc.aml_officer_status(organisation_id=organisation_id)["pending_requests"]
    assert [(r["display_name"], r["position"]) for r in requests] == [("Frank Tweede", "Kantoorleider")]
    assert admin.rpc.decide_officer_request(
        organisation_id=organisation_id, account_id=second.account_id, approve=True
    ) == {"account_id": second.account_id, "tool": "aml", "role": "aml_officer"}
    assert db.last_access(organisation_id, second.account_id)["tools"] == {"aml": "aml_officer"}
    assert admin.rpc.aml_officer_status(organisation_id=organisation_id)["pending_requests"] == []

    # an admin who is eligible becomes officer without approval
    assert admin.rpc.enrol_aml_officer(organisation_id=organisation_id, position="Zaakvoerder", declaration=True) == {
        "outcome": "appointed"
    }
    officers = {o["display_name"] for o in user.rpc.aml_officers(organisation_id=organisation_id)}
    assert officers == {"Eva Eerste", "Frank Tweede", "Anna Admin"}

    # ending every officer role while a user remains brings the warning back
    for officer in (first, second):
        result = admin.rpc.end_aml_officer(organisation_id=organisation_id, account_id=officer.account_id)
        assert result["role"] == "user"
    with refused("forbidden"):
        user.rpc.end_aml_officer(organisation_id=organisation_id, account_id=admin.account_id)
    result = admin.rpc.end_aml_officer(organisation_id=organisation_id, account_id=admin.account_id)
    assert result["warning"] is True
    assert user.rpc.aml_officer_status(organisation_id=organisation_id)["warning"] is True


def test_officer_who_loses_the_biv_number_steps_down_and_admins_are_told(people, db, new_number, amqp_uri):
    organisation_id, admin, _, _ = registered_aml_office(people, new_number)
    officer = confirmed(admin, people("Hilde Officier", biv=True, eid=True), organisation_id)
    officer.rpc.enrol_aml_officer(organisation_id=organisation_id, position="Zaakvoerder", declaration=True)
    publish_identity(
        amqp_uri,
        "accreditations_changed",
        {"account_id": officer.account_id, "eid_linked": True, "accreditations": [{"kind": "sf323", "number": "S"}]},
    )
    wait_until(
        lambda: db.last_access(organisation_id, officer.account_id)["tools"] == {"aml": "user"}, what="step down"
    )
    assert "Hilde Officier is geen antiwitwasverantwoordelijke meer" in db.mails(admin.email)[-1].subject
    decision = admin.rpc.authorize(
        account_id=officer.account_id, organisation_id=organisation_id, tool="aml", action="officer"
    )
    assert decision == {"allowed": False, "role": "user", "reason": "role_insufficient"}


def test_names_follow_identity_and_a_late_event_changes_nothing(people, db, new_number, amqp_uri):
    from datetime import UTC, datetime, timedelta

    ann = people("Ann Oud")
    organisation_id = create(ann, new_number())["organisation_id"]
    publish_identity(
        amqp_uri,
        "account_profile_changed",
        {"account_id": ann.account_id, "first_name": "Ann", "last_name": "Nieuw", "language": "fr"},
    )
    wait_until(lambda: db.last_access(organisation_id, ann.account_id)["display_name"] == "Ann Nieuw", what="rename")
    publish_identity(
        amqp_uri,
        "account_profile_changed",
        {"account_id": ann.account_id, "first_name": "Ann", "last_name": "Oudste", "language": "nl"},
        occurred_at=datetime.now(UTC) - timedelta(hours=1),
    )
    wait_until(
        lambda: (
            db.scalar(
                "SELECT count(*) FROM processed_events WHERE consumer = 'organisation.on_account_profile_changed'"
            )
            >= 2
        ),
        what="the late event handled",
    )
    assert db.scalar("SELECT last_name FROM accounts WHERE account_id = :a", a=ann.account_id) == "Nieuw"


def test_anonymised_account_leaves_its_organisations_without_details_once(people, db, new_number, amqp_uri):
    organisation_id, admin, _, _ = registered_aml_office(people, new_number)
    bert = confirmed(admin, people("Bert Anoniem", biv=True, eid=True), organisation_id)
    bert.rpc.enrol_aml_officer(organisation_id=organisation_id, position="Makelaar", declaration=True)
    envelope = publish_identity(amqp_uri, "account_anonymised", {"account_id": bert.account_id})
    wait_until(
        lambda: db.last_access(organisation_id, bert.account_id)["membership_status"] == "removed", what="anonymised"
    )
    last = db.last_access(organisation_id, bert.account_id)
    assert last["display_name"] is None and last["tools"] == {} and last["admin"] is False
    row = db.rows("SELECT contact_email, job_title, status FROM memberships WHERE account_id = :a", a=bert.account_id)[
        0
    ]
    assert tuple(row) == (None, None, "removed")
    assert db.scalar("SELECT first_name FROM accounts WHERE account_id = :a", a=bert.account_id) is None
    count = len(db.events("access_changed", account_id=bert.account_id))
    # the same event again (a redelivery) and a second anonymisation change nothing
    import kombu

    with kombu.Connection(amqp_uri) as conn:
        conn.Producer(serializer="json").publish(envelope, exchange="identity.events", routing_key="account_anonymised")
    publish_identity(amqp_uri, "account_anonymised", {"account_id": bert.account_id})
    wait_until(
        lambda: (
            db.scalar("SELECT count(*) FROM processed_events WHERE consumer = 'organisation.on_account_anonymised'")
            >= 2
        ),
        what="second anonymisation handled",
    )
    assert len(db.events("access_changed", account_id=bert.account_id)) == count
    assert [m["display_name"] for m in admin.rpc.list_members(organisation_id=organisation_id)] == ["Anna Admin"]


def test_switching_sets_the_session_organisation_in_identity(people, identity_stand_in, new_number):
    from org_helpers import StandInIdentity

    ann, bert = people("Ann Wissel"), people("Bert Wachter")
    organisation_id = create(ann, new_number())["organisation_id"]
    second_id = create(ann, new_number(), name="Tweede Kantoor")["organisation_id"]
    assert ann.rpc.switch_organisation(organisation_id=second_id) == {
        "organisation_id": second_id,
        "name": "Tweede Kantoor",
    }
    assert StandInIdentity.calls == [(ann.session_id, second_id)]
    assert ann.rpc.choose_at_login() == {"organisation_id": organisation_id, "choices": 2}  # the first one is starred
    ann.rpc.set_default_organisation(organisation_id=second_id)
    assert ann.rpc.choose_at_login() == {"organisation_id": second_id, "choices": 2}
    join(bert, organisation_id)
    with refused("forbidden"):
        bert.rpc.switch_organisation(organisation_id=organisation_id)
    with refused("not_found"):
        bert.rpc.switch_organisation(organisation_id=second_id)
    with refused("conflict"):
        bert.rpc.set_default_organisation(organisation_id=organisation_id)
    assert bert.rpc.choose_at_login() == {"organisation_id": None, "choices": 0}
    assert len(StandInIdentity.calls) == 1


def test_identitys_refusal_reaches_the_user_as_such_and_a_stopped_identity_fails_fast(
    people, identity_stand_in, new_number
):
    import time

    from org_helpers import StandInIdentity

    from servicekit.calls import CONSUMERS_CHECKED_EVERY_SECONDS

    ann = people("Ann Wissel")
    organisation_id = create(ann, new_number())["organisation_id"]
    StandInIdentity.refusal = ("not_found", "This session is not open")  # logged out meanwhile
    with refused("not_found", "This session is not open"):  # not a 500 (Nameko's RemoteError)
        ann.rpc.switch_organisation(organisation_id=organisation_id)
    identity_stand_in.stop()
    time.sleep(CONSUMERS_CHECKED_EVERY_SECONDS + 0.1)
    started = time.monotonic()
    with refused("service_unavailable", "identity service is not available"):
        ann.rpc.switch_organisation(organisation_id=organisation_id)
    assert time.monotonic() - started < 3  # not after identity's deadline of 5 s, nor forever
    assert StandInIdentity.calls == []


def test_authorize_answers_for_each_situation(people, new_number):
    organisation_id, admin, operator, number = registered_aml_office(people, new_number)
    user = confirmed(admin, people("Ine User", sf323=True), organisation_id)
    admin.rpc.set_tool_role(organisation_id=organisation_id, account_id=user.account_id, tool="aml", role="user")
    pending = people("Jan Pending")
    join(pending, organisation_id)
    outsider = people("Kim Buiten")

    def ask(person_id, tool="aml", action="use", org=organisation_id):
        return operator.rpc.authorize(account_id=person_id, organisation_id=org, tool=tool, action=action)

    assert ask(user.account_id) == {"allowed": True, "role": "user", "reason": "ok"}
    assert ask(user.account_id, action="officer")["reason"] == "role_insufficient"
    assert ask(admin.account_id) == {"allowed": False, "role": "none", "reason": "no_access"}
    assert ask(admin.account_id, action="manage")["allowed"] is True
    assert ask(admin.account_id, action="register")["allowed"] is True
    assert ask(user.account_id, action="manage")["reason"] == "not_admin"
    assert ask(pending.account_id)["reason"] == "membership_pending"
    assert ask(outsider.account_id)["reason"] == "not_member"
    assert ask(outsider.account_id, org="00000000-0000-0000-0000-000000000000")["reason"] == "not_member"
    assert ask(user.account_id, org="not-a-uuid")["reason"] == "not_member"
    assert ask(user.account_id, tool="kbo_syndic")["reason"] == "tool_not_registered"
    assert ask(user.account_id, tool="payroll")["reason"] == "unknown_tool"
    assert ask(user.account_id, action="fly")["reason"] == "unknown_action"
    operator.rpc.remove_from_allow_list(tool="aml", enterprise_number=number)
    assert ask(user.account_id)["reason"] == "not_on_allow_list"
