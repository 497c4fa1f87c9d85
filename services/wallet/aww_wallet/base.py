"""What every part of the wallet service shares: who may do what, argument checks, receipts.

Who may do what (contracts/SERVICES.md, wallet section):
- see the wallet (balance, operations, receipts, CSV, invoices): a confirmed member of the
  organisation who is one of its admins or has the role user or aml_officer in some tool;
- pay from it (charges, holds, subscriptions): a confirmed member with the role user or
  aml_officer in some tool (the tool that charges forwards the user's principal);
- top it up: any confirmed member (adding money cannot hurt the office);
- import bank statements, resolve the review queue, issue invoices, reconcile: platform admins.
"""

from __future__ import annotations

import re
import uuid

from aww_contracts.errors import DomainError, field_error
from aww_wallet import store
from aww_wallet.domain.products import price_amount, price_in_force
from servicekit.access import ROLES_THAT_USE, Access, access_of

# Document ids are derived from (kind, organisation, reference) exactly as the reporting service
# derives them (aww_reporting.domain.document_id), so a receipt's id is known before it is rendered.
DOCUMENT_NAMESPACE = uuid.UUID("6f4d1c2e-4a57-4b8f-9a53-2b1f0c7d9e10")
_KEY = re.compile(r"^[A-Za-z0-9._:\-]{8,200}$")


def document_id(kind: str, organisation_id: str | None, reference: str) -> str:
    return str(uuid.uuid5(DOCUMENT_NAMESPACE, f"{kind}\x1f{organisation_id or '-'}\x1f{reference}"))


def as_uuid(value, field: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        raise field_error(field, "must be a UUID") from None


def as_key(value, field: str = "idempotency_key") -> str:
    if not isinstance(value, str) or not _KEY.match(value):
        raise field_error(field, "must be 8 to 200 characters: letters, digits, '.', '_', ':' or '-'")
    return value


def as_text(value, field: str, maximum: int = 200) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > maximum:
        raise field_error(field, f"must be a text of 1 to {maximum} characters")
    return value.strip()


def has_tool_role(access: Access) -> bool:
    return any(role in ROLES_THAT_USE for role in access.tools.values())


class WalletBase:
    """Mixin with the checks; the service class combines it with the entrypoint mixins."""

    # ---- who is calling --------------------------------------------------------------------

    def _principal(self):
        principal = self.context.principal
        if principal is None:
            raise DomainError("unauthenticated", "This operation needs a logged-in account")
        return principal

    def _member_of(self, organisation_id: str) -> Access:
        principal = self._principal()
        access = access_of(self.db, organisation_id, principal.account_id)
        if access is None or access.membership_status != "confirmed":
            raise DomainError("forbidden", "You are not a confirmed member of this organisation")
        return access

    def _active_organisation(self) -> str:
        principal = self._principal()
        if not principal.organisation_id:
            raise DomainError("forbidden", "Choose an active organisation first")
        return principal.organisation_id

    def _require_viewer(self, organisation_id: str | None = None) -> tuple[str, Access]:
        organisation_id = organisation_id or self._active_organisation()
        access = self._member_of(organisation_id)
        if not (access.admin or has_tool_role(access)):
            raise DomainError("forbidden", "Your role does not give access to the wallet")
        return organisation_id, access

    def _require_payer(self, organisation_id: str | None = None) -> tuple[str, Access]:
        organisation_id = organisation_id or self._active_organisation()
        access = self._member_of(organisation_id)
        if not has_tool_role(access):
            raise DomainError("forbidden", "Only users of a tool may pay from the wallet")
        return organisation_id, access

    def _require_member(self) -> tuple[str, Access]:
        organisation_id = self._active_organisation()
        return organisation_id, self._member_of(organisation_id)

    def _require_platform_admin(self):
        principal = self._principal()
        if not principal.platform_admin:
            raise DomainError("forbidden", "Only platform administrators may do this")
        return principal

    # ---- prices ----------------------------------------------------------------------------

    def _price(self, code: str, field: str = "product"):
        product = store.product(self.db, code) if isinstance(code, str) else None
        if product is None:
            raise field_error(field, "is not a known product")
        row = price_in_force(store.price_rows(self.db, code), code, store.now().date())
        if row is None:
            raise DomainError("conflict", f"There is no price in force for {code}", product=code)
        return product, price_amount(row)

    # ---- receipts --------------------------------------------------------------------------

    def _request_receipt(self, organisation_id: str, document: str, reference: str, data: dict) -> None:
        organisation = store.organisation(self.db, organisation_id)
        if organisation is not None:
            data = {
                "organisation": {"name": organisation.name, "enterprise_number": organisation.enterprise_number},
                **data,
            }
        store.request_document(
            self.db,
            document_id=document,
            kind="receipt",
            organisation_id=organisation_id,
            reference=reference,
            language=self.context.language,
            data=data,
        )
