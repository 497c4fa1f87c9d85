"""The AML officer's rules without I/O: who may decide, four-eyes, the CTIF-CFI report lifecycle,
CTIF-CFI's answer, settings and the data sent to the goAML renderer."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from aww_aml_workflow.cases.domain import lifecycle
from aww_aml_workflow.domain.dates import local_date
from aww_aml_workflow.officer import domain
from aww_contracts.errors import DomainError


def code_of(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as raised:
        call(*args, **kwargs)
    return raised.value


def test_only_an_aml_officer_may_decide():
    domain.require_officer("aml_officer")
    for role in ("user", "none", "blocked", ""):
        assert code_of(domain.require_officer, role).code == "forbidden"


def test_four_eyes_blocks_the_proposer_when_another_officer_exists():
    rule = domain.four_eyes("me", "me", ["me", "other"])
    assert rule["applies"] and rule["own_proposal"] and "four-eyes" in rule["message"]
    assert code_of(domain.check_four_eyes, rule).code == "four_eyes"


def test_four_eyes_lets_the_only_officer_decide_and_says_so():
    rule = domain.four_eyes("me", "me", ["me"])
    assert not rule["applies"] and rule["own_proposal"] and "only AML officer" in rule["message"]
    domain.check_four_eyes(rule)


def test_four_eyes_does_not_apply_to_someone_elses_proposal():
    rule = domain.four_eyes("employee", "me", ["me", "other"])
    assert not rule["applies"] and rule["message"] is None


def test_decisions_map_to_the_case_moves_and_need_a_reason_to_refuse_or_report():
    assert domain.check_decision("accept", None) == ("officer_accept", None)
    assert domain.check_decision("report", " cash ") == ("report_to_cfi", "cash")
    for decision in ("refuse", "report"):
        assert code_of(domain.check_decision, decision, "  ").details["errors"][0]["field"] == "reason"
    for bad in ("continue", None, 1, "ACCEPT"):
        assert code_of(domain.check_decision, bad, "x").code == "validation_failed"


def test_every_officer_move_is_in_the_cases_lifecycle_table():
    for action in list(domain.DECISIONS.values()) + list(domain.ANSWERS.values()):
        assert action in lifecycle.PROFILE_MOVES


def _reachable_without_answer(start: str) -> set[str]:
    """States a reported case reaches by any officer decision (answers excluded)."""
    seen, todo = {start}, [start]
    while todo:
        state = todo.pop()
        for action in domain.DECISIONS.values():
            try:
                target = lifecycle.move(state, action)
            except DomainError:
                continue
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_no_officer_decision_lets_a_blocked_case_continue():
    assert _reachable_without_answer("reported") == {"reported"}


def test_a_refused_case_is_never_reopened():
    for action in lifecycle.PROFILE_MOVES:
        with pytest.raises(DomainError):
            lifecycle.move("refused", action)


def test_the_report_lifecycle_goes_forward_only():
    state = "draft"
    for action, expected in (("validate", "validated"), ("download", "downloaded"), ("download", "downloaded"),
                             ("submit", "submitted"), ("answer", "answered")):  # fmt: skip
        state = domain.report_move(state, action)
        assert state == expected
    for action in domain.REPORT_MOVES:
        assert code_of(domain.report_move, "answered", action).code == "conflict"


def test_a_report_cannot_be_downloaded_before_validation_nor_submitted_before_download():
    assert "Validate" in code_of(domain.report_move, "draft", "download").message
    assert code_of(domain.report_move, "validated", "submit").code == "conflict"
    assert code_of(domain.report_move, "draft", "answer").code == "conflict"
    assert code_of(domain.report_move, "submitted", "edit").code == "conflict"
    assert domain.report_move("downloaded", "edit") == "draft"


def test_the_answer_needs_a_known_answer_a_plausible_date_and_a_reference():
    today, submitted = date(2026, 5, 10), date(2026, 5, 1)
    ok = domain.check_answer("continue", "2026-05-09", "CFI-1", today=today, submitted_on=submitted)
    assert ok["case_action"] == "cfi_cleared" and ok["answer_date"] == date(2026, 5, 9)
    assert (
        domain.check_answer("stop", "2026-05-01", "R", today=today, submitted_on=submitted)["case_action"]
        == "cfi_refused"
    )
    for args, field in (
        (("maybe", "2026-05-09", "R"), "answer"),
        (("stop", "2026-05-11", "R"), "answer_date"),
        (("stop", "2026-04-30", "R"), "answer_date"),
        (("stop", "09/05/2026", "R"), "answer_date"),
        (("stop", "2026-05-09", ""), "answer_reference"),
    ):
        error = code_of(domain.check_answer, *args, today=today, submitted_on=submitted)
        assert error.details["errors"][0]["field"] == field


def test_the_answer_date_is_a_belgian_day_even_just_after_midnight():
    just_after_midnight = datetime(2026, 5, 9, 22, 30, tzinfo=UTC)  # 00:30 on 10 May in Brussels
    today = local_date(just_after_midnight)
    assert today == date(2026, 5, 10)
    answered = domain.check_answer("continue", "2026-05-10", "CFI-2", today=today, submitted_on=today)
    assert answered["answer_date"] == date(2026, 5, 10)


def test_settings_are_checked_field_by_field():
    cleaned = domain.clean_settings(
        {
            "rentity_id": "4321",
            "rentity_branch": " Antwerpen ",
            "report_code_activity": "SAR",
            "party_role_codes": {"seller": "A"},
            "indicators": [{"code": "I01", "label": "Cash"}],
            "location": {"street": "Meir", "city": "Antwerpen", "country": "be"},
        }
    )
    assert cleaned["rentity_id"] == 4321 and cleaned["location"]["country"] == "BE"
    assert cleaned["rentity_branch"] == "Antwerpen"
    for bad, field in (
        ({"rentity_id": 0}, "rentity_id"),
        ({"report_code_activity": "no spaces"}, "report_code_activity"),
        ({"party_role_codes": {"pilot": "A"}}, "party_role_codes.pilot"),
        ({"indicators": [{"code": "I1"}, {"code": "I1"}]}, "indicators.1.code"),
        ({"location": {"country": "Belgium"}}, "location.country"),
        ({"colour": "red"}, "colour"),
    ):
        assert code_of(domain.clean_settings, bad).details["errors"][0]["field"] == field


def test_indicator_lines_and_chosen_indicators():
    parsed = domain.parse_indicator_lines("I01 — Cash in a sale\n\nI02 Unusual structure\nI03")
    assert parsed == [{"code": "I01", "label": "Cash in a sale"}, {"code": "I02", "label": "Unusual structure"},
                      {"code": "I03", "label": "I03"}]  # fmt: skip
    assert domain.check_indicators(["I02", "I02"], parsed) == ["I02"]
    assert "officer settings" in code_of(domain.check_indicators, ["X"], parsed).message


def test_goaml_data_takes_the_code_of_the_report_kind_and_the_officers_user_code():
    settings = {"rentity_id": 1, "report_code_activity": "SAR", "report_code_transaction": "STR"}
    report = {"id": "r", "revision": 2, "reason": "why", "indicators": ["I01"]}
    at = datetime(2026, 5, 1, 12, 30, tzinfo=UTC)
    data = domain.goaml_data(kind="transaction", facts={"subject": "transaction"}, settings=settings,
                             user_code="USER1", report=report, at=at)  # fmt: skip
    assert data["settings"]["report_code"] == "STR" and data["settings"]["reporting_user_code"] == "USER1"
    assert data["settings"]["ubo_role_code"] == "UBO" and data["report"]["report_date"] == "2026-05-01T12:30:00"
    assert domain.goaml_data(kind="risk_profile", facts={}, settings=settings, user_code=None, report=report,
                             at=at)["settings"]["report_code"] == "SAR"  # fmt: skip
