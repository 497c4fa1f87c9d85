"""The rules of the organisation service, without broker or database."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aww_contracts.errors import DomainError
from aww_organisation.domain.catalogue import TOOLS, Facts, missing, tool
from aww_organisation.domain.identifiers import clean_address, normalise_enterprise_number
from aww_organisation.domain.rules import (
    Member,
    Registration,
    check_keeps_an_admin,
    check_role_change,
    decide,
    enrolment_outcome,
    officer_warning,
    roles_after_accreditations_changed,
)
from belgian_ids import format_enterprise_number
from belgian_ids import is_valid_enterprise_number as enterprise_number_is_valid

BIV_EID = Facts(True, frozenset({"biv"}))
SF323 = Facts(False, frozenset({"sf323"}))
ACTIVE = Registration(True, True)


@pytest.mark.parametrize("raw", ["0403019261", "0403.019.261", "BE 0403 019 261", "be0403019261", "403019261"])
def test_enterprise_number_written_in_the_usual_ways(raw):
    assert normalise_enterprise_number(raw) == "0403019261"


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("0431150351", "check digits"),
        ("12345", "10 digits"),
        ("", "Enter"),
        (None, "Enter"),
        ("2403019261", "starts with 0 or 1"),
    ],
)
def test_wrong_enterprise_numbers_are_refused_naming_the_field(raw, why):
    with pytest.raises(DomainError) as refused:
        normalise_enterprise_number(raw)
    assert refused.value.details["errors"][0]["field"] == "enterprise_number"
    assert why in str(refused.value)


@given(st.integers(min_value=0, max_value=19_999_999))
def test_every_number_with_the_right_check_digits_is_accepted(first_eight):
    body = f"{first_eight:08d}"
    number = body + f"{97 - first_eight % 97:02d}"
    assert enterprise_number_is_valid(number) == (number[0] in "01")
    if number[0] in "01":
        assert normalise_enterprise_number(format_enterprise_number(number)) == number


def test_belgian_postcode_has_four_digits_and_the_country_defaults_to_belgium():
    assert clean_address({"street": "Meir 1", "postcode": "2000", "city": "Antwerpen"})["country"] == "BE"
    with pytest.raises(DomainError, match="4 digits"):
        clean_address({"street": "Meir 1", "postcode": "200", "city": "Antwerpen", "country": "BE"})
    assert clean_address({"street": "Rue 1", "postcode": "75001", "city": "Paris", "country": "fr"})["country"] == "FR"


def test_catalogue_declares_what_registering_and_each_role_need():
    aml = tool("aml")
    assert aml.requires_allow_list and aml.register_requires == (("biv",),)
    assert aml.requirement_for("aml_officer") == (("biv",), ("eid",))
    assert aml.requirement_for("blocked") == () and aml.requirement_for("none") == ()
    assert "aml_officer" not in tool("kbo_syndic").roles
    for code, entry in TOOLS.items():
        assert entry.code == code and set(entry.role_requires) <= set(entry.roles)
    assert missing(aml.requirement_for("aml_officer"), SF323) == [("biv",), ("eid",)]
    assert missing(aml.requirement_for("user"), SF323) == []


def member(account_id="a", status="confirmed", admin=False, aml=None, facts=BIV_EID):
    return Member(account_id, status, admin, {"aml": aml} if aml else {}, facts)


def test_the_last_admin_cannot_lose_the_right_but_one_of_two_can():
    ann, bert = member("ann", admin=True), member("bert", admin=True)
    with pytest.raises(DomainError, match="at least one admin"):
        check_keeps_an_admin([ann], ann, losing_admin=True)
    check_keeps_an_admin([ann, bert], ann, losing_admin=True)
    blocked_bert = member("bert", status="blocked", admin=True)
    with pytest.raises(DomainError):
        check_keeps_an_admin([ann, blocked_bert], ann, losing_admin=True)
    check_keeps_an_admin([ann], member("carl"), losing_admin=True)  # not an admin: nothing to keep


def test_role_needing_missing_accreditations_is_refused_with_their_names():
    with pytest.raises(DomainError) as refused:
        check_role_change(tool("aml"), member(facts=SF323), "aml_officer", "Carl")
    assert refused.value.code == "accreditation_missing"
    assert str(refused.value) == "Carl cannot be aml officer: missing a BIV number; a linked eID"
    assert refused.value.details["missing"] == ["biv", "eid"]
    check_role_change(tool("aml"), member(facts=Facts()), "blocked", "Carl")
    with pytest.raises(DomainError, match="confirmed"):
        check_role_change(tool("aml"), member(status="pending"), "user", "Carl")


def test_roles_step_down_when_accreditations_are_gone():
    assert roles_after_accreditations_changed(member(aml="aml_officer", facts=SF323)) == {"aml": "user"}
    assert roles_after_accreditations_changed(member(aml="aml_officer", facts=Facts(True))) == {"aml": "none"}
    assert roles_after_accreditations_changed(member(aml="user", facts=Facts())) == {"aml": "none"}
    assert roles_after_accreditations_changed(member(aml="blocked", facts=Facts())) == {}
    assert roles_after_accreditations_changed(member(aml="aml_officer")) == {}


def test_officer_warning_only_when_users_have_no_officer():
    assert officer_warning([member("a", aml="user")]) is True
    assert officer_warning([member("a", aml="user"), member("b", aml="aml_officer")]) is False
    assert officer_warning([member("a", aml="user"), member("b", aml="aml_officer", status="blocked")]) is True
    assert officer_warning([member("a")]) is False


def test_first_officer_is_appointed_the_next_is_requested_unless_admin():
    applicant = member("b")
    assert enrolment_outcome(applicant, [applicant], ACTIVE, "You") == "appointed"
    officer = member("o", aml="aml_officer")
    assert enrolment_outcome(applicant, [applicant, officer], ACTIVE, "You") == "requested"
    admin = member("c", admin=True)
    assert enrolment_outcome(admin, [admin, officer], ACTIVE, "You") == "appointed"
    with pytest.raises(DomainError, match="not registered"):
        enrolment_outcome(applicant, [applicant], Registration(True, False), "You")
    with pytest.raises(DomainError, match="already"):
        enrolment_outcome(officer, [officer], ACTIVE, "You")
    with pytest.raises(DomainError, match="blocked"):
        enrolment_outcome(member("x", aml="blocked"), [], ACTIVE, "You")
    with pytest.raises(DomainError) as refused:
        enrolment_outcome(member("y", facts=SF323), [], ACTIVE, "You")
    assert refused.value.code == "accreditation_missing"


@pytest.mark.parametrize(
    ("who", "action", "registration", "expected"),
    [
        (member(aml="user", facts=SF323), "use", ACTIVE, (True, "user", "ok")),
        (member(aml="aml_officer"), "officer", ACTIVE, (True, "aml_officer", "ok")),
        (member(aml="user", facts=SF323), "officer", ACTIVE, (False, "user", "role_insufficient")),
        (member(aml="aml_officer", facts=SF323), "use", ACTIVE, (False, "aml_officer", "missing_accreditation")),
        (member(aml="blocked"), "use", ACTIVE, (False, "blocked", "blocked")),
        (member(), "use", ACTIVE, (False, "none", "no_access")),
        (member(aml="user", status="pending"), "use", ACTIVE, (False, "none", "membership_pending")),
        (member(aml="user", status="blocked"), "use", ACTIVE, (False, "none", "membership_blocked")),
        (member(aml="user", status="removed"), "use", ACTIVE, (False, "none", "not_member")),
        (None, "use", ACTIVE, (False, "none", "not_member")),
        (member(aml="user"), "use", Registration(False, True), (False, "none", "tool_not_registered")),
        (member(aml="user"), "use", Registration(True, False), (False, "user", "not_on_allow_list")),
        (member(admin=True), "manage", ACTIVE, (True, "none", "ok")),
        (
            member(admin=True, facts=SF323),
            "register",
            Registration(False, True),
            (False, "none", "missing_accreditation"),
        ),
        (member(admin=True), "register", Registration(False, False), (False, "none", "not_on_allow_list")),
        (member(admin=True), "register", Registration(False, True), (True, "none", "ok")),
        (member(aml="user"), "manage", ACTIVE, (False, "user", "not_admin")),
        (member(aml="user"), "launch", ACTIVE, (False, "none", "unknown_action")),
    ],
)
def test_authorization_decisions(who, action, registration, expected):
    decision = decide(who, "aml", action, registration)
    assert (decision.allowed, decision.role, decision.reason) == expected


def test_unknown_tool_is_never_allowed():
    assert decide(member(admin=True), "payroll", "manage", ACTIVE).reason == "unknown_tool"
