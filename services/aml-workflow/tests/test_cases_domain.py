"""Case-handling rules without I/O: identifiers, identification data, beneficial owners, wizard."""

from datetime import date

import pytest

from aww_aml_workflow.cases.domain import contacts, lifecycle, ubo, wizard
from aww_aml_workflow.cases.domain.identifiers import (
    InvalidIdentifier,
    make_enterprise_number,
    make_person_number,
    normalise_enterprise_number,
    parse_person_number,
)
from aww_aml_workflow.cases.domain.rules import current
from aww_contracts.errors import DomainError

TODAY = date(2026, 6, 1)

# ---- identifiers (DOMAIN.md §3) ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["0403019261", "0428759497", "BE 0403.019.261", "403019261"])
def test_valid_enterprise_numbers_are_normalised(value):
    assert normalise_enterprise_number(value) in ("0403019261", "0428759497")


@pytest.mark.parametrize("value", ["0431150351", "2403019261", "12345", "abcdefghij"])
def test_invalid_enterprise_numbers_are_refused(value):
    with pytest.raises(InvalidIdentifier):
        normalise_enterprise_number(value)


def test_national_numbers_of_both_centuries_and_bis_numbers():
    born_1985 = parse_person_number("85073003328")
    assert (born_1985.kind, born_1985.birth_date, born_1985.sex) == ("national_register", date(1985, 7, 30), "M")
    assert parse_person_number("17073003384").birth_date == date(2017, 7, 30)
    bis = parse_person_number("98472899765")
    assert bis.kind == "bis" and bis.birth_date == date(1998, 7, 28)


def test_a_wrong_check_digit_is_refused_without_repeating_the_number():
    with pytest.raises(InvalidIdentifier) as refused:
        parse_person_number("12345678901")
    assert "12345678901" not in str(refused.value)


def test_generated_numbers_are_valid():
    assert normalise_enterprise_number(make_enterprise_number(4_030_192)) == "0403019261"
    for birth in (date(1961, 2, 3), date(2004, 11, 30)):
        number = make_person_number(birth, 17)
        assert parse_person_number(number).birth_date == birth
    assert parse_person_number(make_person_number(date(1990, 5, 6), 3, bis="sex_unknown")).sex is None


# ---- identification data -----------------------------------------------------------------------

PERSON = {
    "role": "client",
    "first_names": "Anne  Marie",
    "last_name": "Peeters",
    "birth_date": "1985-07-30",
    "birth_place": "Leuven",
    "nationalities": ["be"],
    "address": {"street": "Bondgenotenlaan", "number": "1", "postcode": "3000", "city": "Leuven", "country": "BE"},
    "person_number": "85.07.30-033.28",
    "id_document": {"type": "id_card", "number": "592-1234567-89", "expiry": "2030-01-01"},
    "profession": "Teacher",
    "pep": {"self": False},
}


def test_a_complete_person_is_cleaned_and_complete():
    cleaned = contacts.clean_person(PERSON, TODAY)
    assert cleaned["first_names"] == "Anne Marie" and cleaned["nationalities"] == ["BE"]
    assert cleaned["person_number"] == "85073003328"
    assert contacts.person_missing(cleaned, TODAY) == []


def test_every_bad_field_is_named_at_once():
    bad = dict(PERSON, birth_date="30/07/1985", nationalities=["Belgium"], person_number="85073003329", hobby="x")
    with pytest.raises(DomainError) as refused:
        contacts.clean_person(bad, TODAY)
    fields = {error["field"] for error in refused.value.details["errors"]}
    assert fields == {"birth_date", "nationalities.0", "person_number", "hobby"}


def test_national_number_must_match_the_birth_date():
    with pytest.raises(DomainError) as refused:
        contacts.clean_person(dict(PERSON, birth_date="1985-07-31"), TODAY)
    assert refused.value.details["errors"][0]["field"] == "person_number"


def test_missing_fields_and_an_expired_document_are_listed():
    partial = contacts.clean_person({"first_names": "Jan", "last_name": "Janssens", "nationalities": ["BE"]}, TODAY)
    missing = {item["field"] for item in contacts.person_missing(partial, TODAY)}
    assert {"birth_date", "person_number", "id_document", "pep.self", "address.street"} <= missing
    expired = contacts.clean_person(
        dict(PERSON, id_document={"type": "id_card", "number": "1", "expiry": "2020-01-01"}), TODAY
    )
    assert [item["field"] for item in contacts.person_missing(expired, TODAY)] == ["id_document.expiry"]


def test_a_declared_pep_needs_a_function():
    cleaned = contacts.clean_person(dict(PERSON, pep={"self": True}), TODAY)
    assert [item["field"] for item in contacts.person_missing(cleaned, TODAY)] == ["pep.function"]


# ---- beneficial owners (the > 25 % rule through chains) ---------------------------------------------


def structure(*links, entities):
    return {
        "entities": entities,
        "links": [{"holder": h, "held": d, "percent": p, **({"control": True} if c else {})} for h, d, p, c in links],
    }


PEOPLE = [
    {"id": "ann", "kind": "person", "first_names": "Ann", "last_name": "A"},
    {"id": "bob", "kind": "person", "first_names": "Bob", "last_name": "B"},
    {"id": "cas", "kind": "person", "first_names": "Cas", "last_name": "C"},
]


def test_indirect_ownership_multiplies_along_the_chain():
    holding = {"id": "hold", "kind": "organisation", "name": "Holding", "country": "BE"}
    result = ubo.compute(
        structure(
            ("ann", "hold", "90", False),
            ("hold", "self", "30", False),
            ("bob", "self", "70", False),
            entities=[*PEOPLE, holding],
        )
    )
    owners = {owner.entity_id: owner for owner in result.owners}
    assert ubo.percent_text(owners["ann"].share) == "27"
    assert owners["ann"].reasons[0] == "ownership" and owners["ann"].chains == [["ann", "hold", "self"]]
    assert not result.fallback_to_senior_managers


def test_exactly_25_percent_is_not_more_than_25():
    result = ubo.compute(
        structure(
            *((p["id"], "self", "25", False) for p in PEOPLE),
            ("x", "self", "25", False),
            entities=[*PEOPLE, {"id": "x", "kind": "person"}],
        )
    )
    assert result.owners == [] and result.fallback_to_senior_managers


def test_holdings_through_two_chains_add_up():
    h1 = {"id": "h1", "kind": "organisation", "name": "H1"}
    h2 = {"id": "h2", "kind": "organisation", "name": "H2"}
    result = ubo.compute(
        structure(
            ("ann", "h1", "50", False),
            ("ann", "h2", "50", False),
            ("h1", "self", "30", False),
            ("h2", "self", "30", False),
            entities=[PEOPLE[0], h1, h2],
        )
    )
    assert [(o.entity_id, ubo.percent_text(o.share)) for o in result.owners] == [("ann", "30")]


def test_control_of_an_intermediate_holder_makes_a_beneficial_owner():
    holding = {"id": "hold", "kind": "organisation", "name": "Holding"}
    result = ubo.compute(
        structure(("ann", "hold", "51", False), ("hold", "self", "40", False), entities=[PEOPLE[0], holding])
    )
    assert result.owners[0].reasons == ["control_through_chain"]  # 51 % × 40 % = 20.4 %, but controls the holder


def test_control_by_other_means_without_shares():
    result = ubo.compute(structure(("cas", "self", None, True), entities=PEOPLE))
    assert result.owners[0].entity_id == "cas" and result.owners[0].reasons == ["control"]


def test_complex_structures_are_flagged():
    a = {"id": "a", "kind": "organisation", "name": "A", "country": "LU"}
    b = {"id": "b", "kind": "organisation", "name": "B", "country": "CY", "legal_form": "trust"}
    result = ubo.compute(
        structure(
            ("ann", "b", "90", False),
            ("b", "a", "100", False),
            ("a", "self", "100", False),
            ("a", "b", "10", False),
            entities=[PEOPLE[0], a, b],
        )
    )
    assert result.circular and result.trust_or_foundation_in_chain and result.foreign_layers == 2 and result.complex


@pytest.mark.parametrize(
    ("links", "field"),
    [
        ([("ann", "self", "60", False), ("bob", "self", "50", False)], "ownership.links.1.percent"),
        ([("ann", "self", "0", False)], "ownership.links.0.percent"),
        ([("nobody", "self", "10", False)], "ownership.links.0.holder"),
        ([("ann", "bob", "10", False)], "ownership.links.0.held"),
    ],
)
def test_impossible_structures_name_the_field(links, field):
    with pytest.raises(ubo.OwnershipError) as refused:
        ubo.compute(structure(*links, entities=PEOPLE))
    assert refused.value.field == field


def test_an_organisation_without_owners_falls_back_to_senior_managers():
    organisation = contacts.clean_organisation(
        {
            "name": "Immo Demo",
            "legal_form": "srl_bv",
            "enterprise_number": "0403.019.261",
            "seat": {"street": "Rue Haute", "number": "1", "postcode": "1000", "city": "Brussels", "country": "BE"},
            "directors": [{"name": "Ann A", "function": "manager"}],
            "representatives": [{"first_names": "Ann", "last_name": "A", "capacity": "manager"}],
            "ownership": structure(*((p["id"], "self", "20", False) for p in PEOPLE), entities=PEOPLE),
        },
        TODAY,
    )
    missing = contacts.organisation_missing(organisation, TODAY)
    assert [m["field"] for m in missing] == ["senior_managers"]
    organisation["senior_managers"] = [{"first_names": "Ann", "last_name": "A", "function": "CEO"}]
    assert contacts.organisation_missing(organisation, TODAY) == []
    people = contacts.related_people("organisation", organisation)
    assert [p["role"] for p in people] == ["senior_manager", "representative", "director"]


# ---- wizard and lifecycle ------------------------------------------------------------------------


def wizard_state(answers, proofs, screening_done=True, open_hits=0, data=None):
    book = current(TODAY)
    data = data or contacts.clean_person(PERSON, TODAY)
    facts = {"kind": "person", "screening.done": screening_done, "screening.open_hits": open_hits}
    facts |= {f"answers.{k}": v for k, v in answers.items()}
    return wizard.state(
        rulebook=book,
        kind="person",
        data=data,
        answers=answers,
        proof_kinds=set(proofs),
        facts=facts,
        assessment=None,
        version_state="draft",
        today=TODAY,
    )


def test_the_wizard_asks_the_remote_identification_question_only_after_no_face_to_face():
    shown = wizard_state({"face_to_face": True}, [])["steps"][2]["shown"]
    assert "electronic_identification" not in shown
    shown = wizard_state({"face_to_face": False}, [])["steps"][2]["shown"]
    assert "electronic_identification" in shown


def test_the_wizard_asks_an_extra_proof_for_remote_identification_without_eid():
    answers = {"face_to_face": False, "electronic_identification": False}
    assert wizard_state(answers, ["identity_document"])["steps"][1]["missing"] == ["proof_of_address"]
    answers["electronic_identification"] = True
    assert wizard_state(answers, ["identity_document"])["steps"][1]["missing"] == []


def test_the_contact_can_be_accepted_only_when_nothing_blocks():
    book = current(TODAY)
    all_answers = {q["id"]: False for q in book.questions if q["scope"] == "contact" and "person" in q["applies_to"]}
    all_answers["sector"] = []
    all_answers["face_to_face"] = True
    state = wizard_state(all_answers, ["identity_document"])
    assert state["can_accept"] and state["next_step"] == "decision"
    blocked = wizard_state(all_answers, ["identity_document"], open_hits=2)
    assert not blocked["can_accept"] and blocked["blockers"] == [{"code": "open_hits", "count": 2}]
    assert wizard_state(all_answers, [], screening_done=False)["blockers"][0]["code"] == "missing_proofs"


def test_a_refused_risk_profile_is_closed_for_good():
    assert lifecycle.move("assessed", "refuse") == "refused"
    with pytest.raises(DomainError) as refused:
        lifecycle.move("refused", "reassess")
    assert "closed for good" in refused.value.message


def test_enhanced_profiles_go_to_the_officer_and_normal_ones_do_not():
    with pytest.raises(DomainError):
        lifecycle.check_employee_decision("enhanced", "accept")
    with pytest.raises(DomainError):
        lifecycle.check_employee_decision("standard", "escalate")
    lifecycle.check_employee_decision("enhanced", "escalate")
    assert lifecycle.move("assessed", "escalate") == "awaiting_officer"
