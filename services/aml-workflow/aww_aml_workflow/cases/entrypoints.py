"""The case-handling part of the aml-workflow service's RPC entrypoints (a mixin).

Each RPC checks the AML tool role of the caller in the caller's active organisation (servicekit
access read model), then calls one use case of aww_aml_workflow.cases.handling. Binary content
crosses the wire base64-encoded.
"""

from __future__ import annotations

import base64
import binascii
import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path

from aww_aml_workflow import audit
from aww_aml_workflow.cases import company_register, handling
from aww_aml_workflow.cases.domain import eid, uploads
from aww_aml_workflow.cases.domain.identifiers import InvalidIdentifier, normalise_enterprise_number
from aww_contracts.errors import DomainError, field_error
from servicekit.access import members_with_role, require_tool_role
from servicekit.calls import ServiceRpc
from servicekit.config import env, env_int
from servicekit.entrypoints import rpc

log = logging.getLogger(__name__)

TOOL = "aml"
MAX_UPLOAD_BYTES = env_int("AML_MAX_UPLOAD_BYTES", uploads.DEFAULT_MAX_BYTES)
IDENTITY_TIMEOUT_SECONDS = 5
REPORTING_TIMEOUT_SECONDS = 30  # rendering a document; the annual report waits longer (annual.reports)


def _b64(value, field: str, limit: int) -> bytes:
    if not isinstance(value, str):
        raise field_error(field, "must be base64 text")
    if len(value) > (limit * 4) // 3 + 8:
        raise DomainError("payload_too_large", f"The file is larger than {limit / 1048576:.1f} MB", field="file")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise field_error(field, "is not valid base64") from None


def _eid_trust():
    """AML_EID_TRUST_STORE, else identity's IDENTITY_EID_TRUST_STORE: PEM files or folders, ':'-separated."""
    paths = [p for p in (env("AML_EID_TRUST_STORE", "") or env("IDENTITY_EID_TRUST_STORE", "")).split(":") if p]
    certificates = []
    for raw in paths:
        path = Path(raw)
        for file in sorted(path.glob("*.pem")) if path.is_dir() else [path]:
            if file.is_file():
                certificates += eid.load_certificates(file.read_bytes())
    anchors = [c for c in certificates if c.issuer == c.subject]
    intermediates = [c for c in certificates if c.issuer != c.subject]
    return anchors, intermediates


class CaseEntrypoints:
    identity_rpc = ServiceRpc("identity", timeout=IDENTITY_TIMEOUT_SECONDS)
    reporting_rpc = ServiceRpc("reporting", timeout=REPORTING_TIMEOUT_SECONDS)

    # ---- who is calling ----------------------------------------------------------------------

    def _actor(self) -> handling.Actor:
        principal = self.context.principal
        access = require_tool_role(self.db, principal, TOOL)
        return handling.Actor(
            organisation_id=uuid.UUID(principal.organisation_id),
            account_id=uuid.UUID(principal.account_id),
            role=access.role(TOOL),
            language=self.context.language,
        )

    # ---- contacts ----------------------------------------------------------------------------

    @rpc
    def create_contact(self, kind, data, answers=None):
        return handling.create_contact(self.db, self._actor(), kind=kind, data=data, answers=answers)

    @rpc
    def get_contact(self, contact_id, version_no=None):
        actor = self._actor()
        found = handling.get_contact(self.db, actor, contact_id, version_no)
        audit.record_for(
            self.db, actor, "view", "contact", found["contact_id"], {"version_no": found["version"]["version_no"]}
        )
        return found

    @rpc
    def update_contact(self, contact_id, data):
        return handling.update_contact(self.db, self._actor(), contact_id, data=data)

    @rpc
    def answer_contact_questions(self, contact_id, answers):
        return handling.answer_questions(self.db, self._actor(), contact_id, answers=answers)

    @rpc
    def new_contact_version(self, contact_id):
        return handling.new_version(self.db, self._actor(), contact_id)

    @rpc
    def list_contact_versions(self, contact_id):
        return handling.list_versions(self.db, self._actor(), contact_id)

    @rpc
    def search_contacts(self, query=None, kind=None, status=None, level=None, employee_id=None,
                        created_from=None, created_to=None, review_due=False, limit=25, after=None):  # fmt: skip
        actor = self._actor()
        found = handling.search_contacts(
            self.db,
            actor,
            query=query,
            kind=kind,
            status=status,
            level=level,
            employee_id=employee_id,
            created_from=created_from,
            created_to=created_to,
            review_due=bool(review_due),
            limit=limit,
            after=after,
        )
        # never the search text itself: it may be a national number
        audit.record_for(
            self.db, actor, "search", "contact_list", None, {"query": bool(query), "results": len(found["items"])}
        )
        return found

    @rpc
    def contact_timeline(self, contact_id):
        return handling.timeline_of(self.db, self._actor(), contact_id)

    # ---- documents ---------------------------------------------------------------------------

    @rpc
    def upload_document(self, contact_id, proof_kind, filename, content_b64):
        actor = self._actor()
        content = _b64(content_b64, "content_b64", MAX_UPLOAD_BYTES)
        return handling.upload_document(
            self.db,
            actor,
            contact_id,
            proof_kind=proof_kind,
            filename=filename,
            content=content,
            max_bytes=MAX_UPLOAD_BYTES,
        )

    @rpc
    def get_document(self, contact_id, document_id):
        actor = self._actor()
        found = handling.document_content(self.db, actor, contact_id, document_id)
        audit.record_for(self.db, actor, "download", "document", document_id, {"contact_id": str(contact_id)})
        return found | {"content": None, "content_b64": base64.b64encode(found["content"]).decode()}

    @rpc
    def withdraw_document(self, contact_id, document_id):
        return handling.withdraw_document(self.db, self._actor(), contact_id, document_id)

    # ---- screening and decision ------------------------------------------------------------------

    @rpc
    def screen_contact(self, contact_id):
        return handling.screen_contact(self.db, self._actor(), contact_id)

    @rpc
    def decide_contact(self, contact_id, decision, reason=None):
        return handling.decide_contact(
            self.db, self._actor(), contact_id, decision=decision, reason=reason, notify=self._notify_officers
        )

    def _notify_officers(self, session, actor, contact, version_no, level):
        """An enhanced-vigilance acceptance is told to the office's AML officers (DOMAIN.md §1)."""
        officers, accounts = officer_accounts(session, self.identity_rpc, actor.organisation_id)
        mailed = _mail_officers(session, accounts, contact, version_no) if accounts else 0
        handling.record(
            session,
            actor,
            "officer_notified",
            contact_id=contact.id,
            details={
                "version_no": version_no,
                "level": level,
                "officers": [officer.account_id for officer in officers],
                "mailed": mailed,
            },
            marker="officer",
        )

    # ---- risk profiles ---------------------------------------------------------------------------

    @rpc
    def risk_profile_questions(self, contact_id):
        return handling.risk_questions(self.db, self._actor(), contact_id)

    @rpc
    def start_risk_profile(self, contact_id, answers=None, skip=False):
        return handling.start_risk_profile(self.db, self._actor(), contact_id, answers=answers, skip=bool(skip))

    @rpc
    def answer_risk_profile(self, risk_profile_id, answers):
        return handling.answer_risk_profile(self.db, self._actor(), risk_profile_id, answers=answers)

    @rpc
    def decide_risk_profile(self, risk_profile_id, decision, reason=None):
        return handling.decide_risk_profile(self.db, self._actor(), risk_profile_id, decision=decision, reason=reason)

    @rpc
    def escalate_risk_profile(self, risk_profile_id, motivation, proposal):
        return handling.escalate_risk_profile(
            self.db, self._actor(), risk_profile_id, motivation=motivation, proposal=proposal
        )

    @rpc
    def get_risk_profile(self, risk_profile_id):
        return handling.get_risk_profile(self.db, self._actor(), risk_profile_id)

    @rpc
    def list_risk_profiles(self, contact_id):
        return handling.list_risk_profiles(self.db, self._actor(), contact_id)

    @rpc
    def due_reviews(self, within_days=30, limit=100):
        return handling.due_reviews(self.db, self._actor(), within_days=within_days, limit=limit)

    # ---- acceptance document -------------------------------------------------------------------

    @rpc
    def generate_acceptance_document(self, contact_id, version_no=None, language=None):
        from aww_aml_workflow.cases import acceptance

        actor = self._actor()
        return acceptance.generate(
            self.db, actor, contact_id, version_no, language or actor.language, self.reporting_rpc
        )

    @rpc
    def get_acceptance_document(self, contact_id, document_id):
        from aww_aml_workflow.cases import acceptance

        actor = self._actor()
        found = acceptance.download(self.db, actor, contact_id, document_id, self.reporting_rpc)
        audit.record_for(
            self.db, actor, "download", "acceptance_document", document_id, {"contact_id": str(contact_id)}
        )
        return found

    # ---- filling in from the eID or the enterprise number -----------------------------------------

    @rpc
    def prefill_from_eid(self, certificate_b64):
        self._actor()
        blob = _b64(certificate_b64, "certificate_b64", 64 * 1024)
        anchors, intermediates = _eid_trust()
        try:
            holder = eid.read_holder(blob, anchors=anchors, intermediates=intermediates, now=datetime.now(UTC))
        except eid.EidRefused as refused:
            raise field_error("certificate", str(refused)) from None
        data = {
            "first_names": holder.first_names,
            "last_name": holder.last_name,
            "person_number": holder.person_number,
            "nationalities": ["BE"],
            "id_document": {"type": "id_card", "issuing_country": "BE"},
        }
        if holder.birth_date:
            data["birth_date"] = holder.birth_date
        if holder.sex:
            data["sex"] = holder.sex
        return {"kind": "person", "data": data, "source": "eid"}

    @rpc
    def prefill_from_enterprise_number(self, enterprise_number):
        self._actor()
        try:
            number = normalise_enterprise_number(str(enterprise_number or ""))
        except InvalidIdentifier as exc:
            raise field_error("enterprise_number", str(exc)) from None
        register = company_register.configured()
        if register is None:
            raise DomainError("service_unavailable", "No company register is configured", service="company_register")
        try:
            found = register.lookup(number)
        except company_register.RegisterUnavailable as exc:
            raise DomainError("service_unavailable", str(exc), service="company_register") from None
        if found is None:
            raise DomainError("not_found", "The company register does not know this enterprise number")
        directors = [
            {
                key: value
                for key, value in director.items()
                if key in ("name", "function", "appointed_on", "gazette_reference")
            }
            for director in found.directors
        ]
        data = {
            "name": found.name,
            "enterprise_number": found.enterprise_number,
            "legal_form": found.legal_form,
            "seat": {
                k: v for k, v in found.seat.items() if k in ("street", "number", "box", "postcode", "city", "country")
            },
            "directors": directors,
        }
        return {
            "kind": "organisation",
            "data": {k: v for k, v in data.items() if v},
            "source": "company_register",
            "status": found.status,
        }


MAIL_TEXTS = {
    "nl": (
        "Contactpersoon aanvaard met verhoogde waakzaamheid",
        "{name} (versie {version}) werd aanvaard met verhoogde waakzaamheid. Bekijk het dossier in de AML-tool.",
    ),
    "fr": (
        "Contact accepté sous vigilance renforcée",
        "{name} (version {version}) a été accepté sous vigilance renforcée. Consultez le dossier dans l'outil AML.",
    ),
    "en": (
        "Contact accepted with enhanced vigilance",
        "{name} (version {version}) was accepted with enhanced vigilance. See the file in the AML tool.",
    ),
}


def officer_accounts(session, identity_rpc, organisation_id) -> tuple[list, list[dict]]:
    """The office's AML officers (access read model) and their accounts from identity (e-mail,
    language); no accounts when identity does not answer (the caller still records what happened)."""
    officers = members_with_role(session, str(organisation_id), TOOL, "aml_officer")
    accounts: list[dict] = []
    if officers:
        try:
            accounts = identity_rpc.get_accounts([officer.account_id for officer in officers])
        except Exception as exc:  # identity down: the timeline still records it
            log.warning("could not read the AML officers' e-mail addresses: %s", type(exc).__name__)
    return officers, accounts


def _mail_officers(session, accounts: list[dict], contact, version_no: int) -> int:
    return mail_accounts(session, accounts, MAIL_TEXTS, name=contact.display_name, version=version_no)


def mail_accounts(session, accounts: list[dict], texts: dict, **values) -> int:
    """Queue one e-mail per active account in its language; texts = {language: (subject, body)}
    with `{name}`-style fields filled from `values`. Returns how many were queued."""
    from servicekit import mail

    sent = 0
    for account in accounts:
        if not account.get("email") or account.get("status") not in (None, "active"):
            continue
        subject, body = texts.get(account.get("language"), texts["nl"])
        try:
            mail.queue_mail(
                session,
                to=account["email"],
                subject=subject.format(**values),
                body_text=body.format(**values),
            )
            sent += 1
        except (mail.InvalidRecipient, ValueError):
            log.warning("an AML officer's e-mail address was refused")
    return sent
