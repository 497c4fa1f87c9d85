"""The screening part of the aml-workflow service's RPC and timer entrypoints (a mixin).

Tenant data (runs, hits, decisions, alerts) needs the AML tool role in the caller's active
organisation, checked here against the organisation_access read model; list imports need a
platform administrator. Everything else lives in screening.api / screening.monitoring.
"""

from __future__ import annotations

import base64
import binascii
import logging
import time

import eventlet

from aww_aml_workflow import audit
from aww_aml_workflow.screening import api
from aww_aml_workflow.screening.monitoring import rescreen_step
from aww_contracts.errors import DomainError, field_error
from servicekit.access import require_tool_role
from servicekit.config import env_float
from servicekit.entrypoints import rpc, timer

log = logging.getLogger(__name__)

AML_TOOL = "aml"
RESCREEN_TICK_SECONDS = env_float("SCREENING_RESCREEN_SECONDS", 1.0)
RESCREEN_BUDGET_SECONDS = env_float("SCREENING_RESCREEN_BUDGET_SECONDS", 2.0)


def _decode(content_base64) -> bytes:
    if not isinstance(content_base64, str) or not content_base64:
        raise field_error("content", "send the file")
    try:
        return base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise field_error("content", "the file must be base64-encoded") from None


class ScreeningEntrypoints:
    def _screening_member(self):
        return require_tool_role(self.db, self.context.principal, AML_TOOL)

    def _platform_admin(self):
        principal = self.context.require_principal()
        if not principal.platform_admin:
            raise DomainError("forbidden", "Only platform administrators may import screening lists")
        return principal

    # ---- results and decisions (employees of the office) -------------------------------------

    @rpc
    def screening_contact_results(self, contact_id):
        """The latest screening of a contact with its hits, the contact's earlier screenings and
        every decision taken on its hits."""
        access = self._screening_member()
        if not isinstance(contact_id, str) or not contact_id:
            raise field_error("contact_id", "is required")
        latest = api.latest_run(self.db, access.organisation_id, contact_id)
        audit.record_for_access(self.db, access, "view", "screening", contact_id)
        return {
            "contact_id": contact_id,
            "latest": latest.as_dict() if latest else None,
            "runs": api.runs_of_contact(self.db, access.organisation_id, contact_id),
            "decisions": api.hit_decisions(self.db, access.organisation_id, contact_id),
            "facts": api.screening_facts(self.db, access.organisation_id, contact_id),
        }

    @rpc
    def screening_run(self, run_id):
        access = self._screening_member()
        found = api.run(self.db, access.organisation_id, run_id).as_dict()
        audit.record_for_access(self.db, access, "view", "screening_run", run_id)
        return found

    @rpc
    def screening_decide_hit(self, hit_id, decision, reason):
        access = self._screening_member()
        return api.decide_hit(
            self.db,
            organisation_id=access.organisation_id,
            hit_id=hit_id,
            decision=decision,
            reason=reason,
            decided_by=access.account_id,
        ).as_dict()

    @rpc
    def screening_alerts(self):
        access = self._screening_member()
        return api.alerts(self.db, access.organisation_id)

    @rpc
    def screening_country_risk(self, iso2):
        self.context.require_principal()
        return api.country_risk(self.db, iso2)

    # ---- lists (platform administrators import, every logged-in user may see the versions) -----

    @rpc
    def screening_lists(self):
        self.context.require_principal()
        return {
            "snapshots": api.list_snapshots(self.db),
            "country_lists": api.country_lists_in_force(self.db),
            "monitored_contacts": api.monitored_count(self.db),
        }

    @rpc
    def screening_import_list(self, source, content_base64, filename=None):
        principal = self._platform_admin()
        content = _decode(content_base64)
        snapshot = api.import_list(
            self.db, source=source, content=content, filename=filename, imported_by=principal.account_id
        )
        log.info(
            "screening list imported: %s, %s entries, sha256 %s",
            snapshot["source"],
            snapshot["entry_count"],
            snapshot["checksum"][:12],
        )
        return snapshot

    @rpc
    def screening_import_country_list(self, content_base64):
        principal = self._platform_admin()
        return api.import_country_list(self.db, content=_decode(content_base64), imported_by=principal.account_id)

    # ---- ongoing monitoring ------------------------------------------------------------------

    @timer(interval=RESCREEN_TICK_SECONDS)
    def screening_rescreen_tick(self):
        """Re-screen monitored contacts in chunks after an import, committing after each chunk and
        yielding to other green threads between chunks, for at most RESCREEN_BUDGET_SECONDS."""
        deadline = time.monotonic() + RESCREEN_BUDGET_SECONDS
        while time.monotonic() < deadline:
            step = rescreen_step(self.db)
            self.db.commit()
            if step is None or step["done"]:
                return
            eventlet.sleep(0)
