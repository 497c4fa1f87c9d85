"""Entrypoints of the annual package, mixed into AmlWorkflowService (see service.py): the AML
officer's annual report, retention (end of a relationship, overview, the purge timer), the audit
log, and the reaction to identity's account anonymisation.

Identity's `account_anonymised`: AML records name accounts by id only (who decided, who viewed);
the law keeps them ten years after the relationship (art. 60), so nothing is changed or deleted.
The handler records the account as anonymised, so the audit log and reports show "anonymised"
instead of a name the office's read model may still hold until organisation's next
`access_changed` arrives.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.dialects.postgresql import insert as pg_insert

from aww_aml_workflow import audit
from aww_aml_workflow.annual import reports, retention
from aww_aml_workflow.annual.store import anonymised_accounts
from aww_aml_workflow.cases import handling
from servicekit.access import require_tool_role
from servicekit.calls import ServiceRpc
from servicekit.config import env_float, env_int
from servicekit.entrypoints import event_handler, rpc, timer

log = logging.getLogger(__name__)

TOOL = "aml"
PREFILL_TIMEOUT_SECONDS = 5  # organisation and identity: what does not come in time stays empty
PURGE_TICK_SECONDS = env_float("AML_RETENTION_PURGE_SECONDS", 3600.0)
PURGE_BATCH = env_int("AML_RETENTION_PURGE_BATCH", 100)


class AnnualReportEntrypoints:
    EVENTS: tuple[str, ...] = ("annual_report_finalised", retention.DOCUMENTS_EXPIRED)

    organisation_rpc = ServiceRpc("organisation", timeout=PREFILL_TIMEOUT_SECONDS)

    def _annual_actor(self, roles=("aml_officer",)) -> handling.Actor:
        principal = self.context.principal
        access = require_tool_role(self.db, principal, TOOL, roles)
        return handling.Actor(
            organisation_id=uuid.UUID(principal.organisation_id),
            account_id=uuid.UUID(principal.account_id),
            role=access.role(TOOL),
            language=self.context.language,
        )

    def _office_prefill(self, actor) -> dict:
        """The office's name and enterprise number (organisation) and the officer's name and BIV
        number (identity); what does not answer in time stays empty for the officer to fill in."""
        office = {}
        try:
            found = self.organisation_rpc.get_organisation(organisation_id=str(actor.organisation_id))
            office |= {"name": found.get("name") or "", "enterprise_number": found.get("enterprise_number") or ""}
        except Exception as exc:
            log.warning("annual report: no office details from organisation (%s)", type(exc).__name__)
        try:
            accounts = self.identity_rpc.with_timeout(PREFILL_TIMEOUT_SECONDS).get_accounts([str(actor.account_id)])
            if accounts:
                account = accounts[0]
                name = " ".join(p for p in (account.get("first_name"), account.get("last_name")) if p)
                biv = next((a["number"] for a in account.get("accreditations") or [] if a.get("kind") == "biv"), "")
                office |= {"officer_name": name, "biv_number": biv or ""}
        except Exception as exc:
            log.warning("annual report: no officer details from identity (%s)", type(exc).__name__)
        return office

    # ---- the annual report (AML officers) ----------------------------------------------------

    @rpc
    def annual_reports(self):
        return reports.list_reports(self.db, self._annual_actor())

    @rpc
    def open_annual_report(self, year):
        actor = self._annual_actor()
        return reports.open_report(self.db, actor, year, lambda: self._office_prefill(actor))

    @rpc
    def get_annual_report(self, year):
        return reports.get_report(self.db, self._annual_actor(), year)

    @rpc
    def update_annual_report(self, year, office=None, texts=None):
        return reports.update_report(self.db, self._annual_actor(), year, office=office, texts=texts)

    @rpc
    def finalise_annual_report(self, year, language=None):
        actor = self._annual_actor()
        return reports.finalise(self.db, actor, year, language or actor.language, self.reporting_rpc)

    @rpc
    def get_annual_report_document(self, year, language=None):
        actor = self._annual_actor()
        found = reports.document(self.db, actor, year, language or actor.language, self.reporting_rpc)
        audit.record_for(
            self.db,
            actor,
            "download",
            "annual_report",
            found["document_id"],
            {"year": year, "language": found["language"]},
        )
        return found

    # ---- the audit log (AML officers) -----------------------------------------------------------

    @rpc
    def audit_log(self, actor_id=None, subject_kind=None, subject_id=None, before=None, limit=50):
        actor = self._annual_actor()
        return audit.entries(
            self.db,
            actor.organisation_id,
            actor_id=actor_id,
            subject_kind=subject_kind,
            subject_id=subject_id,
            before=before,
            limit=limit,
        )

    # ---- retention ------------------------------------------------------------------------------

    @rpc
    def retention_overview(self, limit=50):
        return retention.overview(self.db, self._annual_actor(), limit=limit, reporting=self.reporting_rpc)

    @rpc
    def contact_retention(self, contact_id):
        return retention.retention_of(self.db, self._annual_actor(("user", "aml_officer")), contact_id)

    @rpc
    def end_relationship(self, contact_id, ended_on=None, reason=None):
        actor = self._annual_actor(("user", "aml_officer"))
        return retention.end_relationship(self.db, actor, contact_id, ended_on=ended_on, reason=reason)

    @rpc
    def reopen_relationship(self, contact_id):
        return retention.reopen_relationship(self.db, self._annual_actor(("user", "aml_officer")), contact_id)

    @timer(interval=PURGE_TICK_SECONDS)
    def retention_purge_tick(self):
        """Purge the personal data of records past their retention date, a batch per tick."""
        done = retention.purge_due(self.db, limit=PURGE_BATCH)
        if done["purged"] or done["mails"]:
            log.info("retention purge: %d contact(s), %d transaction(s), %d old e-mail(s) purged, %d archived "
                     "document id(s) handed to reporting", done["contacts"], done["transactions"], done["mails"],
                     done["documents"])  # fmt: skip

    # ---- identity's anonymisation -----------------------------------------------------------------

    @event_handler("identity", "account_anonymised")
    def on_account_anonymised(self, data, envelope):
        self.db.execute(
            pg_insert(anonymised_accounts)
            .values(account_id=uuid.UUID(data["account_id"]), anonymised_at=retention.now())
            .on_conflict_do_nothing()
        )
