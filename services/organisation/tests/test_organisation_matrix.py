"""Authorization matrix: every organisation RPC × {anonymous, member of another organisation,
pending member, member, blocked member, admin, platform admin}. Only the allowed callers succeed,
and an outsider cannot tell an existing organisation from an id that does not exist."""

import uuid

from org_helpers import Person, StandInIdentity

from aww_contracts.errors import DomainError

ADDRESS = {"street": "Meir 1", "postcode": "2000", "city": "Antwerpen", "country": "BE"}
ROLES = ("anonymous", "outsider", "pending", "member", "blocked", "admin", "platform_admin")

OK = "ok"
READ = {"anonymous": "unauthenticated", "outsider": "not_found", "pending": "forbidden", "member": OK,
        "blocked": "forbidden", "admin": OK, "platform_admin": OK}  # fmt: skip
ADMIN_ONLY = READ | {"member": "forbidden", "platform_admin": "forbidden"}
ADMIN_READ = READ | {"member": "forbidden"}
MEMBER_WRITE = READ | {"platform_admin": "forbidden"}
PLATFORM = {role: "forbidden" for role in ROLES} | {"anonymous": "unauthenticated", "platform_admin": OK}
ANY_ACCOUNT = {role: OK for role in ROLES} | {"anonymous": "unauthenticated"}
OWN_MEMBERSHIP = {"anonymous": "unauthenticated", "outsider": "not_found", "pending": "forbidden", "member": OK,
                  "blocked": "forbidden", "admin": OK, "platform_admin": "not_found"}  # fmt: skip


class World:
    def __init__(self, people, rpc_proxy, number):
        self.rpc_proxy = rpc_proxy
        self.people = people
        self.operator = people("Paula Platform", platform_admin=True)
        self.admin = people("Adam Admin", biv=True, eid=True)
        self.new_number = number
        self.number = number()
        self.org = self.admin.rpc.create_organisation(
            enterprise_number=self.number, name="Matrix Makelaars", address=ADDRESS, vat_liable=True,
            contact_email="adam@example.be",
        )["organisation_id"]  # fmt: skip
        self.operator.rpc.add_to_allow_list(tool="aml", enterprise_number=self.number)
        self.admin.rpc.register_tool(organisation_id=self.org, tool="aml")
        self.member = self.confirmed(people("Mia Member", sf323=True))
        self.admin.rpc.set_tool_role(
            organisation_id=self.org, account_id=self.member.account_id, tool="aml", role="user"
        )
        self.pending = people("Pieter Pending")
        self.join(self.pending)
        self.blocked = self.confirmed(people("Bo Blocked"))
        self.admin.rpc.block_member(organisation_id=self.org, account_id=self.blocked.account_id)
        self.outsider = people("Olivier Outsider", biv=True, eid=True)
        self.outsider.rpc.create_organisation(
            enterprise_number=number(), name="Andere Makelaars", address=ADDRESS, vat_liable=False,
            contact_email="olivier@example.be",
        )  # fmt: skip
        self.branch = self.admin.rpc.create_branch(organisation_id=self.org, name="Hoofdzetel", address=ADDRESS)
        self.anonymous = Person("Nobody", proxy_factory=rpc_proxy)
        self.counter = 0

    def join(self, person):
        person.rpc.request_membership(organisation_id=self.org, contact_email=person.email)
        return person

    def confirmed(self, person):
        self.join(person)
        self.admin.rpc.decide_membership(organisation_id=self.org, account_id=person.account_id, approve=True)
        return person

    def fresh(self, **facts):
        self.counter += 1
        return self.confirmed(self.people(f"Fresh Person{self.counter}", **facts))

    def caller(self, role):
        return {
            "anonymous": self.anonymous,
            "outsider": self.outsider,
            "pending": self.pending,
            "member": self.member,
            "blocked": self.blocked,
            "admin": self.admin,
            "platform_admin": self.operator,
        }[role]


def anonymous_rpc(rpc_proxy):
    return rpc_proxy("organisation", {"language": "nl"})


def cases(w: World):
    """(name, expected per role, call(rpc) → result); `fresh` targets keep successful changes apart."""
    org = w.org
    m = w.member.account_id
    return [
        ("get_organisation", READ, lambda rpc: rpc.get_organisation(organisation_id=org)),
        ("list_members", READ, lambda rpc: rpc.list_members(organisation_id=org)),
        ("get_member", READ, lambda rpc: rpc.get_member(organisation_id=org, account_id=m)),
        ("list_branches", READ, lambda rpc: rpc.list_branches(organisation_id=org)),
        ("list_tools", READ, lambda rpc: rpc.list_tools(organisation_id=org)),
        ("aml_officer_status", READ, lambda rpc: rpc.aml_officer_status(organisation_id=org)),
        ("aml_officers", READ, lambda rpc: rpc.aml_officers(organisation_id=org)),
        ("activity", ADMIN_READ, lambda rpc: rpc.activity(organisation_id=org)),
        ("tool_members", ADMIN_READ, lambda rpc: rpc.tool_members(organisation_id=org, tool="aml")),
        (
            "update_organisation",
            ADMIN_ONLY,
            lambda rpc: rpc.update_organisation(organisation_id=org, phone="03 123 45 67"),
        ),
        (
            "decide_membership",
            ADMIN_ONLY,
            lambda rpc: rpc.decide_membership(
                organisation_id=org, account_id=w.join(w.people("Req Uester")).account_id, approve=True
            ),
        ),
        (
            "set_admin",
            READ | {"member": "forbidden"},  # a platform admin may appoint (rescue), never remove
            lambda rpc: rpc.set_admin(organisation_id=org, account_id=w.fresh().account_id, admin=True),
        ),
        (
            "update_member",
            MEMBER_WRITE,
            lambda rpc: rpc.update_member(organisation_id=org, account_id=m, job_title="Makelaar"),
        ),
        (
            "block_member",
            ADMIN_ONLY,
            lambda rpc: rpc.block_member(organisation_id=org, account_id=w.fresh().account_id),
        ),
        (
            "remove_member",
            ADMIN_ONLY,
            lambda rpc: rpc.remove_member(organisation_id=org, account_id=w.fresh().account_id),
        ),
        (
            "create_branch",
            ADMIN_ONLY,
            lambda rpc: rpc.create_branch(organisation_id=org, name=f"Filiaal {uuid.uuid4().hex[:6]}", address=ADDRESS),
        ),
        (
            "update_branch",
            ADMIN_ONLY,
            lambda rpc: rpc.update_branch(organisation_id=org, branch_id=w.branch["branch_id"], phone="03 000 00 00"),
        ),
        ("register_tool", ADMIN_ONLY, lambda rpc: rpc.register_tool(organisation_id=org, tool="kbo_syndic")),
        (
            "set_tool_role",
            ADMIN_ONLY,
            lambda rpc: rpc.set_tool_role(organisation_id=org, account_id=m, tool="aml", role="user"),
        ),
        (
            "end_aml_officer",
            READ | {"member": "forbidden", "platform_admin": "forbidden"},
            lambda rpc: rpc.end_aml_officer(organisation_id=org, account_id=officer(w).account_id),
        ),
        (
            "decide_officer_request",
            ADMIN_ONLY,
            lambda rpc: rpc.decide_officer_request(
                organisation_id=org, account_id=requester(w).account_id, approve=False
            ),
        ),
        (
            "enrol_aml_officer",
            MEMBER_WRITE | {"member": "accreditation_missing"},  # allowed, but Mia lacks BIV + eID
            lambda rpc: rpc.enrol_aml_officer(organisation_id=org, position="Zaakvoerder", declaration=True),
        ),
        ("switch_organisation", OWN_MEMBERSHIP, lambda rpc: rpc.switch_organisation(organisation_id=org)),
        (
            "set_default_organisation",
            OWN_MEMBERSHIP | {"pending": "conflict", "blocked": "conflict"},
            lambda rpc: rpc.set_default_organisation(organisation_id=org),
        ),
        ("allow_list", PLATFORM, lambda rpc: rpc.allow_list(tool="aml")),
        (
            "add_to_allow_list",
            PLATFORM,
            lambda rpc: rpc.add_to_allow_list(tool="aml", enterprise_number=w.new_number()),
        ),
        (
            "remove_from_allow_list",
            PLATFORM,
            lambda rpc: rpc.remove_from_allow_list(tool="aml", enterprise_number=allow_listed(w)),
        ),
        ("my_organisations", ANY_ACCOUNT, lambda rpc: rpc.my_organisations()),
        ("search_organisations", ANY_ACCOUNT, lambda rpc: rpc.search_organisations(query="Matrix")),
        ("tool_catalogue", ANY_ACCOUNT | {"anonymous": OK}, lambda rpc: rpc.tool_catalogue()),
    ]


def allow_listed(w: World) -> str:
    """Another enterprise number on the AML allow-list (the matrix office's own stays listed)."""
    number = w.new_number()
    w.operator.rpc.add_to_allow_list(tool="aml", enterprise_number=number)
    return number


def officer(w: World):
    person = w.fresh(biv=True, eid=True)
    w.admin.rpc.set_tool_role(organisation_id=w.org, account_id=person.account_id, tool="aml", role="aml_officer")
    return person


def requester(w: World):
    officer(w)  # with an officer in place, the next one asks for approval
    person = w.fresh(biv=True, eid=True)
    person.rpc.enrol_aml_officer(organisation_id=w.org, position="Makelaar", declaration=True)
    return person


def outcome(call, rpc) -> str:
    try:
        call(rpc)
    except DomainError as error:
        return error.code
    return OK


def test_every_rpc_answers_only_the_allowed_callers(people, rpc_proxy, new_number, identity_stand_in):
    w = World(people, rpc_proxy, new_number)
    wrong = []
    for name, expected, call in cases(w):
        for role in ROLES:
            rpc = anonymous_rpc(rpc_proxy) if role == "anonymous" else w.caller(role).rpc
            got = outcome(call, rpc)
            if got != expected[role]:
                wrong.append(f"{name} as {role}: expected {expected[role]}, got {got}")
    assert wrong == []
    assert {call[0] for call in StandInIdentity.calls} == {w.member.session_id, w.admin.session_id}


def test_an_outsider_cannot_tell_an_existing_organisation_from_a_missing_one(people, rpc_proxy, new_number):
    w = World(people, rpc_proxy, new_number)
    missing = str(uuid.uuid4())
    for name, _, _ in cases(w)[:10]:
        answers = []
        for organisation_id in (w.org, missing, "not-a-uuid"):
            try:
                getattr(w.outsider.rpc, name)(organisation_id=organisation_id, **extra_arguments(name, w))
            except DomainError as error:
                answers.append((error.code, str(error), error.details))
        assert len(answers) == 3 and answers[0] == answers[1] == answers[2], (name, answers)
    # joining is the one thing an outsider may do with an id: a wrong id is not found, like above
    for organisation_id in (missing, "not-a-uuid"):
        try:
            w.outsider.rpc.request_membership(organisation_id=organisation_id, contact_email="o@example.be")
        except DomainError as error:
            assert error.code == "not_found"
    assert w.outsider.rpc.request_membership(organisation_id=w.org, contact_email="o@example.be")["status"] == "pending"


def extra_arguments(name, w):
    return {
        "get_member": {"account_id": w.member.account_id},
        "tool_members": {"tool": "aml"},
        "update_organisation": {"phone": "03 123 45 67"},
    }.get(name, {})
