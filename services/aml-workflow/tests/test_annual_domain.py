"""Rules of the annual report and of retention, without I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from aww_aml_workflow.annual import domain
from aww_aml_workflow.annual.figures import Rows, figures
from aww_aml_workflow.annual.statistics import _ubo_count
from aww_aml_workflow.cases.domain.identifiers import normalise_enterprise_number
from aww_contracts.errors import DomainError

TODAY = date(2026, 11, 26)


def test_the_year_runs_in_belgian_time():
    start, end = domain.year_bounds(2025)
    assert start == datetime(2024, 12, 31, 23, 0, tzinfo=UTC) and end == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize("year", [2016, 2027, "2025", True, None])
def test_a_year_outside_the_law_or_in_the_future_is_refused(year):
    with pytest.raises(DomainError) as refused:
        domain.check_year(year, TODAY)
    assert refused.value.details["errors"][0]["field"] == "year"


def test_retention_runs_ten_years_from_the_end_and_a_29_february_lands_on_the_28th():
    assert domain.retain_until(date(2020, 2, 29)) == date(2030, 2, 28)
    assert domain.retain_until(None) is None
    explicit = domain.retention_state(date(2019, 5, 1), refused_on=date(2018, 1, 1))
    assert (explicit.ended_by, explicit.retain_until) == ("office", date(2029, 5, 1))
    refusal = domain.retention_state(None, refused_on=date(2018, 1, 1))
    assert (refusal.ended_by, refusal.retain_until) == ("refusal", date(2028, 1, 1))
    ongoing = domain.retention_state(None, None)
    assert ongoing.retain_until is None and not domain.due_for_purge(ongoing, date(2100, 1, 1))


def test_a_linked_transaction_keeps_the_contact_longer():
    state = domain.retention_state(date(2015, 1, 1), None, linked_until=date(2031, 6, 1))
    assert state.retain_until == date(2031, 6, 1)


def test_nothing_is_due_before_the_day_after_the_retention_date():
    state = domain.retention_state(date(2015, 3, 1), None)
    assert not domain.due_for_purge(state, date(2025, 3, 1))
    assert domain.due_for_purge(state, date(2025, 3, 2))


@pytest.mark.parametrize(("value", "message"), [("2099-01-01", "future"), ("yesterday", "YYYY-MM-DD"), (5, "date")])
def test_the_end_of_a_relationship_is_a_real_past_date(value, message):
    with pytest.raises(DomainError) as refused:
        domain.check_end_date(value, TODAY)
    assert message in str(refused.value)


def test_a_final_report_needs_the_office_and_the_officers_parts():
    office = {"name": "Immo", "enterprise_number": "0403019261", "officer_name": ""}
    texts = {"risk_assessment": "x", "procedures": " ", "training": "y", "action_plan": "z"}
    assert domain.missing_for_final(office, texts) == ["office.officer_name", "texts.procedures"]
    with pytest.raises(DomainError) as refused:
        domain.check_complete(office, texts)
    assert refused.value.code == "validation_failed" and refused.value.details["field"] == "office.officer_name"
    with pytest.raises(DomainError):
        domain.require_draft("final")
    domain.require_draft("draft")


def test_edits_are_checked_field_by_field():
    assert domain.clean_texts({"training": "  Two sessions  ", "procedures": None}) == {
        "training": "Two sessions",
        "procedures": "",
    }
    for bad, field in (({"x": "y"}, "texts.x"), ({"training": 3}, "texts.training"),
                       ({"training": "a" * 20_001}, "texts.training")):  # fmt: skip
        with pytest.raises(DomainError) as refused:
            domain.clean_texts(bad)
        assert refused.value.details["errors"][0]["field"] == field
    assert domain.clean_office({"enterprise_number": "BE 403.019.261"}, normalise_enterprise_number) == {
        "enterprise_number": "0403019261"
    }
    with pytest.raises(DomainError) as refused:
        domain.clean_office({"enterprise_number": "0431150351"}, normalise_enterprise_number)
    assert refused.value.details["errors"][0]["field"] == "office.enterprise_number"


def test_figures_count_a_contact_once_at_its_last_decision_of_the_year():
    rows = Rows(
        decisions=[
            {"contact_id": "1", "kind": "person", "state": "refused", "role": "client", "level": "standard",
             "factors": [], "ubos": 0},
            {"contact_id": "1", "kind": "person", "state": "accepted", "role": "client", "level": "enhanced",
             "factors": ["pep", "eu_high_risk_country"], "ubos": 0},
            {"contact_id": "2", "kind": "organisation", "state": "accepted", "role": "counterparty",
             "level": "standard", "factors": ["residence_eu"], "ubos": 2},
            {"contact_id": "3", "kind": "person", "state": "refused", "role": None, "level": "enhanced",
             "factors": ["sanctions_match"], "ubos": 0},
        ],
        hit_decisions=[{"list_kind": "sanctions", "decision": "true_match", "count": 1},
                       {"list_kind": "pep", "decision": "false_positive", "count": 4}],
        escalations={"awaiting_officer": 2, "reported": 1},
    )  # fmt: skip
    result = figures(rows)
    assert (result["contacts"]["identified"], result["contacts"]["accepted"], result["contacts"]["refused"]) == (
        3,
        2,
        1,
    )
    assert result["contacts"]["by_role"] == {"client": 1, "counterparty": 1, "other": 1}
    assert result["contacts"]["beneficial_owners"] == 2
    assert result["vigilance"]["accepted"] == {"simplified": 0, "standard": 1, "enhanced": 1}
    assert result["refusals"]["contact_versions"] == 2
    assert (result["hits"]["pep"], result["hits"]["high_risk_country"], result["hits"]["sanctions"]) == (1, 1, 1)
    assert result["hits"]["true_matches_sanctions"] == 1 and result["hits"]["false_positives"] == 4
    assert result["escalations"]["total"] == 3 and result["escalations"]["reported"] == 1
    assert result["due_diligence"]["blocked_by_sanctions"] == 1


HOLDING = {
    "name": "Holding Test NV",
    "seat": {"country": "BE"},
    "ownership": {
        "entities": [
            {"id": "p", "kind": "person", "first_names": "Jan", "last_name": "Claes"},
            {"id": "q", "kind": "person", "first_names": "Eva", "last_name": "Claes"},
            {"id": "h", "kind": "organisation", "name": "Claes Holding", "country": "BE"},
        ],
        "links": [
            {"holder": "p", "held": "h", "percent": "90"},
            {"holder": "h", "held": "self", "percent": "30"},
            {"holder": "q", "held": "self", "percent": "40"},
        ],
    },
}


def test_beneficial_owners_are_counted_from_the_data_and_from_a_purged_residue():
    assert _ubo_count("organisation", HOLDING) == 2
    residue = domain.version_residue("organisation", HOLDING, 2)
    assert residue == {"purged": True, "role": None, "beneficial_owner_count": 2}
    assert _ubo_count("organisation", residue) == 2 and _ubo_count("person", {"last_name": "x"}) == 0


def test_purge_residues_keep_no_free_text():
    details = {"version_no": 2, "level": "enhanced", "reason": "Lied about his job", "fields": ["last_name"]}
    assert domain.timeline_residue(details) == {"version_no": 2, "level": "enhanced"}
    factors = [{"id": "pep", "effect": "enhanced", "weight": 0, "params": {"function": "minister", "name": "X"}}]
    assert domain.factor_residue(factors) == [{"id": "pep", "effect": "enhanced"}]


def test_escalations_add_transactions_to_risk_profiles_and_keep_the_split():
    rows = Rows(escalations={"awaiting_officer": 2, "reported": 1},
                transaction_escalations={"accepted": 1, "reported": 2, "refused": 1})  # fmt: skip
    result = figures(rows)["escalations"]
    assert (result["total"], result["risk_profiles"], result["transactions"]) == (7, 3, 4)
    assert (result["awaiting_officer"], result["accepted"], result["refused"], result["reported"]) == (2, 1, 1, 3)
    assert result["by_kind"] == {
        "risk_profiles": {"total": 3, "awaiting_officer": 2, "accepted": 0, "refused": 0, "reported": 1},
        "transactions": {"total": 4, "awaiting_officer": 0, "accepted": 1, "refused": 1, "reported": 2},
    }
    none = figures(Rows())["escalations"]
    assert none["total"] == 0 and none["by_kind"]["transactions"]["total"] == 0
