"""The vigilance rules engine over the versioned rulebooks (DOMAIN.md §2)."""

from datetime import date

import pytest
import yaml

from aww_aml_workflow.cases.domain import facts as fact_rules
from aww_aml_workflow.cases.domain import rules

TODAY = date(2026, 6, 1)
BOOK = rules.current(TODAY)
NO_RISK = {
    "eu_high_risk": False,
    "fatf_call_for_action": False,
    "fatf_increased_monitoring": False,
    "sanctioned": False,
}
COUNTRY_RISK = {
    "IR": {"eu_high_risk": True, "fatf_call_for_action": True, "fatf_increased_monitoring": False, "sanctioned": True},
    "CD": {"eu_high_risk": True, "fatf_call_for_action": False, "fatf_increased_monitoring": True, "sanctioned": False},
    "BG": {
        "eu_high_risk": False,
        "fatf_call_for_action": False,
        "fatf_increased_monitoring": True,
        "sanctioned": False,
    },
}


def person(**changes):
    data = {
        "first_names": "Jan",
        "last_name": "Peeters",
        "nationalities": ["BE"],
        "address": {"country": "BE"},
        "pep": {"self": False},
    }
    data.update(changes)
    return data


def assess(kind="person", data=None, answers=None, screening=None, scopes=("contact",), contact_level=None):
    gathered = fact_rules.gather(
        kind,
        data if data is not None else person(),
        answers or {},
        screening=screening or {"sanctions_true_match": False, "pep_true_match": False, "open_hits": 0},
        country_risk=lambda code: COUNTRY_RISK.get(code, NO_RISK),
        contact_level=contact_level,
    )
    return BOOK.assess(gathered, scopes=scopes)


def ids(assessment):
    return {factor.id for factor in assessment.factors}


def test_every_rulebook_loads_and_names_only_known_facts():
    for book in rules.rulebooks().values():
        question_ids = {q["id"] for q in book.questions}
        named = set()
        for rule in book.factors:
            named |= book.facts_named(rule["when"]) | book.facts_named(rule.get("applies_if"))
            named |= set(rule.get("params", []))
        for question in book.questions:
            named |= book.facts_named(question.get("show_if"))
        for proof in book.proofs:
            named |= book.facts_named(proof.get("required_if"))
        unknown = {name for name in named if not fact_rules.known(name, question_ids)}
        assert unknown == set(), f"{book.version} names unknown facts"


def test_a_belgian_resident_without_risk_is_standard_not_simplified():
    result = assess()
    assert result.level == "standard" and ids(result) == {"residence_eu"} and result.decided_by == "default"


def test_a_listed_company_in_the_eu_gets_simplified_vigilance():
    data = {"name": "Listed NV", "seat": {"country": "BE"}}
    result = assess("organisation", data, {"listed_regulated_market": True})
    assert result.level == "simplified" and ids(result) == {"listed_company", "residence_eu"}


def test_simplified_is_never_given_when_a_higher_risk_factor_applies():
    data = {"name": "Listed NV", "seat": {"country": "BE"}}
    result = assess("organisation", data, {"listed_regulated_market": True, "cash_intensive": True})
    assert result.level == "standard" and result.decided_by == "some_higher"


@pytest.mark.parametrize(
    ("data", "screening", "factor"),
    [
        (person(pep={"self": True, "function": "member_of_parliament"}), None, "pep"),
        (person(pep={"self": False, "relation": "family", "related_person": "X"}), None, "pep_family_associate"),
        (person(), {"pep_true_match": True, "pep_functions": ["Minister"]}, "pep"),
        (person(nationalities=["BE", "IR"]), None, "eu_high_risk_country"),
        (person(address={"country": "CD"}), None, "eu_high_risk_country"),
        (person(), {"sanctions_true_match": True}, "sanctions_match"),
    ],
)
def test_mandatory_enhanced_vigilance(data, screening, factor):
    result = assess(data=data, screening=screening)
    assert result.level == "enhanced" and factor in ids(result) and result.decided_by == "mandatory_enhanced"


def test_a_sanctions_match_blocks_acceptance():
    assert assess(screening={"sanctions_true_match": True}).blocks_acceptance
    assert not assess(data=person(pep={"self": True, "function": "other"})).blocks_acceptance


def test_higher_risk_factors_add_up_to_enhanced():
    two = assess(answers={"face_to_face": False, "electronic_identification": False})
    assert two.level == "standard" and two.higher_weight == 2
    four = assess(answers={"face_to_face": False, "unusual_circumstances": True})
    assert four.level == "enhanced" and four.decided_by == "accumulated_higher"


def test_country_lists_are_named_with_the_countries_that_matched():
    result = assess(data=person(nationalities=["BG"]))
    factor = next(f for f in result.factors if f.id == "fatf_increased_monitoring")
    assert factor.params == {"countries.fatf_increased_monitoring": ["BG"]}
    text = BOOK.explain(factor.as_dict(), "nl")
    assert "BG" in text["explanation"] and text["title"] == "Land onder verscherpt toezicht van de FATF"


def test_ubo_opacity_of_an_organisation():
    data = {
        "name": "Opaque BV",
        "seat": {"country": "BE"},
        "ownership": {
            "entities": [{"id": "p", "kind": "person", "first_names": "A", "last_name": "B"}],
            "links": [{"holder": "p", "held": "self", "percent": "10"}],
        },
    }
    assert "ubo_not_identified" in ids(assess("organisation", data))


def test_cash_in_the_risk_profile_is_always_enhanced():
    result = assess(answers={"payment_cash": True}, scopes=("contact", "risk_profile"), contact_level="standard")
    assert result.level == "enhanced" and "cash_payment" in ids(result)
    carried = assess(scopes=("contact", "risk_profile"), contact_level="enhanced")
    assert "contact_enhanced" in ids(carried)


def test_every_factor_is_explained_in_three_languages():
    for rule in BOOK.factors:
        for language in ("nl", "fr", "en"):
            text = BOOK.explain({"id": rule["id"], "params": {}}, language)
            assert text["title"] and text["explanation"] and "{" not in text["explanation"]


def test_review_dates_follow_the_level():
    assert BOOK.review_date("enhanced", date(2026, 1, 31)) == date(2027, 1, 31)
    assert BOOK.review_date("standard", date(2024, 2, 29)) == date(2027, 2, 28)


def test_a_rulebook_with_an_unknown_effect_or_missing_translation_is_refused():
    document = yaml.safe_load(rules.files(rules.__package__).joinpath("rules/vigilance-2026.1.yaml").read_text())
    document["factors"][0]["effect"] = "maybe"
    with pytest.raises(rules.RulebookError):
        rules.parse(document)
    document["factors"][0]["effect"] = "enhanced"
    del document["factors"][0]["title"]["fr"]
    with pytest.raises(rules.RulebookError):
        rules.parse(document)


def test_the_rulebook_in_force_is_chosen_by_date():
    assert rules.current(date(2026, 1, 1)).version == "2026.1"
    with pytest.raises(rules.RulebookError):
        rules.current(date(2020, 1, 1))
