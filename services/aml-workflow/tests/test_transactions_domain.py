"""The rules of transactions without I/O: the data and its checks, the cash rule, the transaction
rulebook and its facts, who may be a party, the state machine over every path, the goAML facts."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest

from aww_aml_workflow.transactions.domain import assessment, lifecycle, model, report
from aww_aml_workflow.transactions.domain import retention as tx_retention
from aww_contracts.errors import DomainError

TODAY = date(2026, 11, 26)


def sale(**changes) -> dict:
    data = {
        "reference": "T-2026-001",
        "type": "sale",
        "property": {"street": "Meir", "number": "10", "postcode": "2000", "city": "Antwerpen"},
        "price_cents": 35_000_000,
        "payment": {"parts": [{"method": "transfer", "amount_cents": 35_000_000}]},
        "agreed_on": "2026-11-20",
    }
    data.update(changes)
    return data


def errors_of(call) -> dict[str, str]:
    with pytest.raises(DomainError) as raised:
        call()
    assert raised.value.code == "validation_failed"
    return {item["field"]: item["message"] for item in raised.value.details["errors"]}


# ---- data -----------------------------------------------------------------------------------------


def test_a_sale_is_cleaned_with_belgium_as_default_country_and_euro():
    cleaned = model.clean(sale(), TODAY)
    assert cleaned["property"]["country"] == "BE" and cleaned["currency"] == "EUR"
    assert cleaned["agreed_on"] == "2026-11-20" and cleaned["price_cents"] == 35_000_000


def test_every_bad_field_is_named_at_once():
    errors = errors_of(
        lambda: model.clean(
            sale(
                reference=" ",
                type="barter",
                property={"street": "Meir", "postcode": "20000", "city": "Antwerpen", "floor": 2},
                price_cents=12.5,
                currency="USD",
                agreed_on="20/11/2026",
                colour="red",
            ),
            TODAY,
        )
    )
    assert set(errors) >= {
        "reference",
        "type",
        "property.postcode",
        "property.floor",
        "price_cents",
        "currency",
        "agreed_on",
        "colour",
    }
    assert errors["property.postcode"] == "a Belgian postcode has 4 digits"


def test_payment_parts_must_add_up_to_the_price():
    errors = errors_of(
        lambda: model.clean(sale(payment={"parts": [{"method": "transfer", "amount_cents": 30_000_000}]}), TODAY)
    )
    assert errors["payment.parts"] == "the parts add up to EUR 300,000.00, the price is EUR 350,000.00"
    errors = errors_of(lambda: model.clean(sale(payment={"parts": [{"method": "gold", "amount_cents": 1}]}), TODAY))
    assert "payment.parts.0.method" in errors


def test_an_edit_checks_only_the_fields_it_gives():
    assert model.clean({"price_cents": 100}, TODAY, partial=True) == {"price_cents": 100}
    with pytest.raises(DomainError):
        model.check_payment_against_price({"parts": [{"method": "cash", "amount_cents": 5}]}, 100)


# ---- the cash rule ------------------------------------------------------------------------------------


def cash_sale_payment(cash=1_000_000, total=35_000_000):
    return {"parts": [{"method": "transfer", "amount_cents": total - cash}, {"method": "cash", "amount_cents": cash}]}


def test_any_cash_in_a_sale_price_is_flagged_and_must_be_reported():
    flag = model.cash_flag("sale", 35_000_000, cash_sale_payment(cash=1))
    assert flag["code"] == "cash_in_sale" and flag["must_report"] is True and flag["cash_cents"] == 1
    assert "reported to CTIF-CFI" in flag["message"]


def test_cash_in_a_rental_is_flagged_but_not_a_mandatory_report():
    flag = model.cash_flag("rental", 120_000, {"parts": [{"method": "cash", "amount_cents": 120_000}]})
    assert flag["code"] == "cash_payment" and flag["must_report"] is False


def test_no_cash_no_flag_and_no_parts_means_transfer():
    assert model.cash_flag("sale", 35_000_000, {"parts": []}) is None
    assert model.summarise_payment(35_000_000, {}).by_method == {"transfer": 35_000_000}


# ---- the rulebook ------------------------------------------------------------------------------------------


def book():
    return assessment.current(TODAY)


def test_the_rulebook_names_only_known_facts():
    named = set()
    for rule in book().factors:
        assert rule["scope"] == "transaction"
        named |= book().facts_named(rule["when"]) | book().facts_named(rule.get("applies_if"))
    unknown = {name for name in named if name not in assessment.FACT_NAMES}
    answers = {q["id"] for q in book().questions}
    assert {name.removeprefix("answers.") for name in unknown if name.startswith("answers.")} <= answers
    assert not {name for name in unknown if not name.startswith("answers.")}


def assess(transaction_type="sale", price=35_000_000, payment=None, answers=None, parties=None):
    parties = (
        parties
        if parties is not None
        else [
            assessment.PartyRisk("Anne Peeters", "seller", "standard"),
            assessment.PartyRisk("Jan Janssens", "buyer", "standard"),
        ]
    )
    facts = assessment.gather(transaction_type, price, payment or {}, answers or {}, parties)
    return assessment.assess(book(), facts)


def test_a_plain_sale_between_standard_parties_is_standard():
    result = assess()
    assert result.level == "standard" and result.factors == [] and result.rules_version == "tx-2026.1"


def test_cash_in_a_sale_makes_it_enhanced_with_a_blocking_factor():
    result = assess(payment=cash_sale_payment())
    assert result.level == "enhanced" and result.decided_by == "mandatory_enhanced"
    factor = next(f for f in result.factors if f.id == "cash_in_sale")
    assert factor.blocks_acceptance and factor.params == {"payment.cash_eur": "EUR 10,000.00"}
    text = book().explain(factor.as_dict(), "nl")
    assert "EUR 10,000.00" in text["explanation"] and "CFI" in text["explanation"]


def test_cash_in_a_rental_weighs_but_alone_is_not_enhanced():
    result = assess("rental", 120_000, {"parts": [{"method": "cash", "amount_cents": 120_000}]})
    assert result.level == "standard" and [f.id for f in result.factors] == ["cash_payment"]


def test_a_party_under_enhanced_vigilance_makes_the_transaction_enhanced():
    parties = [
        assessment.PartyRisk("Anne Peeters", "seller", "enhanced"),
        assessment.PartyRisk("Jan Janssens", "buyer", "standard"),
    ]
    result = assess(parties=parties)
    assert result.level == "enhanced"
    assert result.factors[0].params == {"parties.enhanced": ["Anne Peeters (seller)"]}


def test_higher_risk_answers_add_up_to_enhanced():
    assert assess(answers={"unusual_price": True}).level == "standard"
    result = assess(answers={"unusual_price": True, "funds_from_abroad": True})
    assert result.level == "enhanced" and result.decided_by == "accumulated_higher" and result.higher_weight == 3


def test_only_simplified_parties_and_nothing_else_is_simplified():
    parties = [assessment.PartyRisk("A", "seller", "simplified"), assessment.PartyRisk("B", "buyer", "simplified")]
    assert assess(parties=parties).level == "simplified"
    assert assess(parties=parties, answers={"quick_resale": True}).level == "standard"


def test_questionnaire_answers_are_checked():
    assert assessment.clean_answers(book(), "sale", {"quick_resale": True}) == {"quick_resale": True}
    with pytest.raises(DomainError) as raised:
        assessment.clean_answers(book(), "rental", {"quick_resale": True, "unusual_price": "yes"})
    fields = {item["field"] for item in raised.value.details["errors"]}
    assert fields == {"answers.quick_resale", "answers.unusual_price"}


# ---- parties ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "profile", "expected"),
    [
        ("draft", None, "current version is not accepted"),
        ("refused", None, "was refused"),
        ("accepted", None, "has no risk profile"),
        ("accepted", "assessed", "waits for a decision"),
        ("accepted", "awaiting_officer", "waits for the AML officer"),
        ("accepted", "reported", "reported to CTIF-CFI"),
        ("accepted", "refused", "risk profile was refused"),
    ],
)
def test_a_party_needs_an_accepted_risk_profile_and_is_told_what_is_missing(status, profile, expected):
    message = model.party_blocker(model.PartyStanding("c1", "Anne Peeters", status, profile, "standard"))
    assert message.startswith("Anne Peeters: ") and expected in message


def test_an_accepted_profile_is_enough():
    assert model.party_blocker(model.PartyStanding("c1", "Anne", "accepted", "accepted", "standard")) is None


def test_roles_fit_the_type_and_both_sides_are_needed():
    assert model.check_role("sale", "buyer") == "buyer"
    with pytest.raises(DomainError):
        model.check_role("sale", "tenant")
    assert model.ready_to_assess("sale", []) == ["add the parties (contacts with an accepted risk profile)"]
    assert model.ready_to_assess("sale", [{"role": "seller"}]) == ["add a buyer"]
    assert model.ready_to_assess("rental", [{"role": "landlord"}, {"role": "tenant"}]) == []
    assert model.ready_to_assess("other", [{"role": "representative"}]) == []


# ---- the state machine -----------------------------------------------------------------------------------------

EXPECTED = {
    ("draft", "edit"): "draft",
    ("draft", "pay"): "payment_pending",
    ("payment_pending", "pay"): "payment_pending",
    ("payment_pending", "payment_refused"): "draft",
    ("payment_pending", "assess"): "assessed",
    ("assessed", "accept"): "accepted",
    ("assessed", "refuse"): "refused",
    ("assessed", "escalate"): "awaiting_officer",
    ("assessed", "escalate_refusal"): "refused",
    ("awaiting_officer", "officer_accept"): "accepted",
    ("awaiting_officer", "officer_refuse"): "refused",
    ("awaiting_officer", "report_to_cfi"): "reported",
    ("accepted", "report_to_cfi"): "reported",
    ("reported", "cfi_cleared"): "accepted",
    ("reported", "cfi_refused"): "refused",
}


@pytest.mark.parametrize(("state", "action"), list(itertools.product(lifecycle.STATES, lifecycle.MOVES)))
def test_every_state_and_action(state, action):
    if (state, action) in EXPECTED:
        assert lifecycle.move(state, action) == EXPECTED[(state, action)]
    else:
        with pytest.raises(DomainError) as raised:
            lifecycle.move(state, action)
        assert raised.value.code == "conflict"


def test_a_refused_transaction_is_closed_for_good():
    for action in lifecycle.MOVES:
        with pytest.raises(DomainError) as raised:
            lifecycle.move("refused", action)
        assert "closed for good" in raised.value.message


def test_a_reported_transaction_only_moves_on_ctif_cfis_answer():
    allowed = {action for action in lifecycle.MOVES if ("reported", action) in EXPECTED}
    assert allowed == {"cfi_cleared", "cfi_refused"}
    with pytest.raises(DomainError) as raised:
        lifecycle.move("reported", "accept")
    assert "blocked until CTIF-CFI answers" in raised.value.message


def test_every_path_from_draft_ends_in_accepted_refused_or_waits():
    """Walk every sequence of moves (up to 7) from draft: a refused transaction never moves again,
    and a reported one never reaches accepted except through CTIF-CFI's answer."""
    paths = [["draft"]]
    for _ in range(7):
        longer = []
        for path in paths:
            for action in lifecycle.MOVES:
                try:
                    target = lifecycle.move(path[-1], action)
                except DomainError:
                    continue
                assert path[-1] != "refused"
                if path[-1] == "reported":
                    assert action in ("cfi_cleared", "cfi_refused")
                longer.append([*path, target])
        paths = longer
    assert paths  # the walk did go somewhere


def test_escalation_goes_to_the_officer_unless_the_employee_proposes_to_refuse():
    assert lifecycle.escalation_target("accept", must_report=False) == "awaiting_officer"
    assert lifecycle.escalation_target("refuse", must_report=False) == "refused"
    assert lifecycle.escalation_target("refuse", must_report=True) == "awaiting_officer"  # only the officer reports
    with pytest.raises(DomainError):
        lifecycle.escalation_target("maybe", must_report=False)


def test_who_decides_at_which_level():
    lifecycle.check_employee_decision("standard", "accept")
    with pytest.raises(DomainError):
        lifecycle.check_employee_decision("enhanced", "accept")
    with pytest.raises(DomainError):
        lifecycle.check_employee_decision("standard", "escalate")
    with pytest.raises(DomainError):
        lifecycle.check_not_blocking(True, "accept")


# ---- goAML facts ---------------------------------------------------------------------------------------------------


def test_report_facts_carry_everything_a_goaml_transaction_report_needs():
    transaction = {
        "reference": "T-2026-009",
        "type": "sale",
        "property": {"street": "Meir", "number": "10", "postcode": "2000", "city": "Antwerpen", "country": "BE"},
        "price_cents": 35_000_000,
        "currency": "EUR",
        "payment": cash_sale_payment(),
        "agreed_on": date(2026, 11, 20),
        "description": None,
        "level": "enhanced",
        "created_at": datetime(2026, 11, 21, tzinfo=UTC),
    }
    parties = [{"role": "seller", "contact_id": "c1"}, {"role": "buyer", "contact_id": "c2"}]
    facts = report.transaction_report_facts(
        transaction, parties, {"level": "enhanced", "factors": [{"id": "cash_in_sale", "title": "Cash in a sale"}]}
    )
    deal = facts["transaction"]
    assert facts["subject"] == "transaction" and facts["parties"] == parties
    assert deal["date"] == "2026-11-20" and deal["price_cents"] == 35_000_000 and deal["currency"] == "EUR"
    assert deal["cash_cents"] == 1_000_000 and deal["cash_must_be_reported"] is True
    assert deal["payment_terms"] == "cash EUR 10,000.00, transfer EUR 340,000.00"
    assert deal["property_address"]["city"] == "Antwerpen" and "Antwerpen" in deal["description"]
    assert facts["factors"] == [{"id": "cash_in_sale", "text": "Cash in a sale"}]


def test_beneficial_owners_fall_back_to_senior_managers():
    data = {
        "ownership": {
            "entities": [{"id": "p1", "kind": "person", "first_names": "Ann", "last_name": "Claes"}],
            "links": [{"holder": "p1", "held": "self", "percent": "60"}],
        }
    }
    owners = report.beneficial_owners("organisation", data)
    assert owners == [{"role": "ubo", "first_names": "Ann", "last_name": "Claes", "pep": False, "percent": "60"}]
    managers = report.beneficial_owners("organisation", {"senior_managers": [{"first_names": "Bo", "last_name": "X"}]})
    assert managers[0]["role"] == "senior_manager"
    assert report.beneficial_owners("person", data) == []


def test_a_purged_transaction_keeps_codes_and_amounts_but_no_free_text():
    payment = {"parts": [{"method": "cash", "amount_cents": 500, "note": "from Jan's brother"},
                         {"method": "transfer", "amount_cents": 9500}], "note": "Jan pays late"}  # fmt: skip
    assert tx_retention.payment_residue(payment) == {
        "parts": [{"method": "cash", "amount_cents": 500}, {"method": "transfer", "amount_cents": 9500}]
    }
    assert tx_retention.payment_residue({}) == {"parts": []}
    factors = [{"id": "cash_in_sale", "effect": "enhanced", "params": {"name": "Jan"}}]
    assert tx_retention.factor_residue(factors) == [{"id": "cash_in_sale", "effect": "enhanced"}]
    details = {"reference": "Peeters house", "name": "Peeters, Jan", "role": "seller", "reason": "ok", "note": "n",
               "motivation": "m", "answers": {"x": 1}, "level": "enhanced", "from": "awaiting_officer",
               "to": "accepted"}  # fmt: skip
    assert tx_retention.timeline_residue(details) == {
        "role": "seller", "level": "enhanced", "from": "awaiting_officer", "to": "accepted"}  # fmt: skip
    assert tx_retention.purged_reference("4f1c") == "— 4f1c"
