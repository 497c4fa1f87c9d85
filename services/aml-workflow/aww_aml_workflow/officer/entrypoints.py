"""Entrypoints of the officer package, mixed into AmlWorkflowService (see service.py).

Thin: each RPC resolves the calling member (cases' `_actor`: a confirmed member with an AML tool
role in the active organisation) and calls one use case of officer.handling, which checks the
officer role where the rule needs it.
"""

from __future__ import annotations

import importlib
import uuid

import aww_aml_workflow.cases.officer_adapter  # noqa: F401 - registers the "risk_profile" adapter
from aww_aml_workflow import audit
from aww_aml_workflow.officer import handling, notify
from servicekit.config import env
from servicekit.entrypoints import event_handler, rpc

try:  # the transactions package registers the "transaction" adapter when it is there
    importlib.import_module("aww_aml_workflow.transactions.officer_adapter")
except ModuleNotFoundError as missing:
    if missing.name != "aww_aml_workflow.transactions.officer_adapter":
        raise


def _id(value) -> str:
    """The id as the audit log keeps it (the use case has checked it already)."""
    return str(uuid.UUID(str(value)))


class OfficerEntrypoints:
    EVENTS: tuple[str, ...] = ("officer_decided", "report_answered")

    # ---- inbox, counts, notifications ---------------------------------------------------------

    @rpc
    def officer_inbox(self):
        actor = self._actor()
        found = handling.inbox(self.db, actor)
        counts = found["counts"]
        audit.record_for(
            self.db, actor, "view", "officer_inbox", None,
            {"cases": counts["awaiting_decision"], "reports": counts["awaiting_cfi"]},
        )  # fmt: skip
        return found

    @rpc
    def officer_counts(self):
        return handling.counts(self.db, self._actor())

    @rpc
    def officer_notifications(self, limit=50, mark_read=False):
        actor = self._actor()
        found = handling.notifications(self.db, actor, limit=limit, mark_read=bool(mark_read))
        audit.record_for(self.db, actor, "view", "officer_notifications", None, {"results": len(found["items"])})
        return found

    @rpc
    def case_timeline(self, kind, case_id):
        actor = self._actor()
        found = handling.case_timeline(self.db, actor, kind, case_id)
        audit.record_for(self.db, actor, "view", f"{kind}_timeline", _id(case_id), {"entries": len(found)})
        return found

    # ---- decisions ---------------------------------------------------------------------------------

    @rpc
    def officer_case(self, kind, case_id):
        actor = self._actor()
        found = handling.get_case(self.db, actor, kind, case_id)
        audit.record_for(self.db, actor, "view", kind, _id(case_id), {"officer_case": True})
        return found

    @rpc
    def officer_decide(self, kind, case_id, decision, reason=None, indicators=None):
        return handling.decide(
            self.db, self._actor(), kind, case_id, decision=decision, reason=reason, indicators=indicators
        )

    # ---- CTIF-CFI reports --------------------------------------------------------------------------

    @rpc
    def cfi_reports(self, state=None, limit=100):
        actor = self._actor()
        found = handling.list_reports(self.db, actor, state=state, limit=limit)
        audit.record_for(self.db, actor, "view", "cfi_report_list", None, {"results": len(found)})
        return found

    @rpc
    def cfi_report(self, report_id):
        actor = self._actor()
        found = handling.get_report(self.db, actor, report_id)
        details = {"case_kind": found["kind"], "case_id": found["case_id"], "revision": found["revision"]}
        audit.record_for(self.db, actor, "view", "cfi_report", found["report_id"], details)
        return found

    @rpc
    def edit_cfi_report(self, report_id, reason=None, indicators=None):
        return handling.edit_report(self.db, self._actor(), report_id, reason=reason, indicators=indicators)

    @rpc
    def validate_cfi_report(self, report_id, language=None):
        actor = self._actor()
        return handling.validate_report(self.db, actor, report_id, self.reporting_rpc, language or actor.language)

    @rpc
    def download_cfi_report(self, report_id):
        actor = self._actor()
        found = handling.download_report(self.db, actor, report_id, self.reporting_rpc)
        audit.record_for(self.db, actor, "download", "cfi_report", _id(report_id), {"sha256": found["sha256"]})
        return found

    @rpc
    def submit_cfi_report(self, report_id, goaml_reference):
        return handling.submit_report(self.db, self._actor(), report_id, goaml_reference=goaml_reference)

    @rpc
    def answer_cfi_report(self, report_id, answer, answer_date, answer_reference):
        return handling.answer_report(
            self.db,
            self._actor(),
            report_id,
            answer=answer,
            answer_date=answer_date,
            answer_reference=answer_reference,
        )

    # ---- settings ------------------------------------------------------------------------------------

    @rpc
    def officer_settings(self):
        return handling.get_settings(self.db, self._actor())

    @rpc
    def save_officer_settings(self, settings=None, reporting_user_code=None):
        return handling.save_settings(
            self.db, self._actor(), settings=settings, reporting_user_code=reporting_user_code
        )

    # ---- e-mails to the officers when a case needs them ---------------------------------------------

    @event_handler("aml_workflow", "risk_profile_escalated")
    def mail_officers_of_risk_profile(self, data, envelope):
        notify.case_needs_officer(
            self.db, self.identity_rpc, data["organisation_id"], "risk_profile", data["risk_profile_id"],
            env("PUBLIC_URL", ""),
        )  # fmt: skip

    @event_handler("aml_workflow", "transaction_escalated")
    def mail_officers_of_transaction(self, data, envelope):
        if "transaction" in handling.subjects.ADAPTERS:
            notify.case_needs_officer(
                self.db, self.identity_rpc, data["organisation_id"], "transaction", data["transaction_id"],
                env("PUBLIC_URL", ""),
            )  # fmt: skip
