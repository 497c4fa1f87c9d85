"""Queue the service's e-mails (aww_organisation.mails) in the worker's transaction."""

from __future__ import annotations

import logging

from aww_organisation import mails, store
from servicekit.mail import InvalidRecipient, queue_mail

log = logging.getLogger(__name__)


class Mailing:
    def _queue(self, to: str | None, kind: str, account_row, **values) -> None:
        if not to:
            return
        subject, body = mails.render(kind, account_row.language if account_row is not None else None, **values)
        try:
            queue_mail(self.db, to=to, subject=subject, body_text=body)
        except InvalidRecipient:
            log.warning("not mailing %s: the stored contact address is unusable", kind)

    def _mail_admins(self, organisation, kind: str, about_account_id, path: str) -> None:
        person = store.display_name(store.account(self.db, about_account_id))
        admins = [
            row
            for row in store.memberships_of_organisation(self.db, organisation.id, ("confirmed",))
            if row.admin and row.account_id != about_account_id
        ]
        for admin in admins:
            self._queue(
                admin.contact_email,
                kind,
                store.account(self.db, admin.account_id),
                person=person,
                organisation=organisation.name,
                link=mails.public_url(path),
            )

    def mail_admins_about_request(self, organisation, account_id) -> None:
        self._mail_admins(organisation, "join_requested", account_id, f"/organisations/{organisation.id}/members")

    def mail_admins_about_officer_request(self, organisation, account_id) -> None:
        self._mail_admins(
            organisation, "officer_requested", account_id, f"/organisations/{organisation.id}/aml-officer"
        )

    def mail_admins_about_lost_officer(self, organisation, account_id) -> None:
        self._mail_admins(organisation, "officer_lost", account_id, f"/organisations/{organisation.id}/aml-officer")

    def mail_outcome(self, organisation, account_id, approved: bool) -> None:
        row = store.membership(self.db, organisation.id, account_id)
        self._queue(
            row.contact_email,
            "membership_confirmed" if approved else "membership_refused",
            store.account(self.db, account_id),
            organisation=organisation.name,
            link=mails.public_url("/organisations"),
        )
