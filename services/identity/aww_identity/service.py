"""The Nameko entrypoints of the identity service: thin, they call domain and store."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from eventlet import tpool

from aww_contracts.errors import DomainError, field_error
from aww_identity import adapters, config, store
from aww_identity.domain import accounts as rules
from aww_identity.domain import eid, mails, passwords
from aww_identity.domain import national_number as nn
from aww_identity.domain import secrets_ as secrets
from aww_identity.domain.accreditations import RegisterUnavailable
from aww_identity.lookup import FastSessions
from servicekit.entrypoints import event_handler, rpc, timer
from servicekit.mail import MailSender, queue_mail
from servicekit.outbox import add_event
from servicekit.service import ServiceBase

log = logging.getLogger(__name__)

SESSION_TOKEN_PREFIX = "aww_s_"  # noqa: S105 - a prefix, not a secret
RESET_TOKEN_PREFIX = "aww_r_"  # noqa: S105
DEVICE_TOKEN_PREFIX = "aww_d_"  # noqa: S105


def _now() -> datetime:
    return datetime.now(UTC)


def _uuid(value, field: str = "account_id"):
    import uuid

    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise field_error(field, "This is not a valid identifier") from None


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


class IdentityService(MailSender, ServiceBase):
    name = "identity"
    publishes = (
        "account_registered",
        "account_activated",
        "account_profile_changed",
        "eid_linked",
        "accreditations_changed",
        "account_deactivated",
        "account_anonymised",
    )

    sessions = FastSessions()

    # ---- registration and activation ---------------------------------------------------------

    @rpc
    def register(self, **data):
        registration = rules.registration(data)
        if store.username_taken(self.db, registration.username):
            raise DomainError(
                "conflict",
                "username: This username is taken; choose another one",
                errors=[{"field": "username", "message": "This username is taken; choose another one"}],
            )
        account_id = store.new_id()
        password_hash = tpool.execute(passwords.hash_password, data["password"])
        store.insert_account(
            self.db,
            id=account_id,
            username=registration.username,
            email=registration.email,
            first_name=registration.first_name,
            last_name=registration.last_name,
            language=registration.language,
            status=rules.PENDING,
            password_hash=password_hash,
            platform_admin=registration.username in config.platform_admin_usernames(),
        )
        account = store.account_by_id(self.db, account_id)
        self._send_activation_code(account)
        add_event(
            self.db,
            "account_registered",
            {
                "account_id": str(account_id),
                "username": registration.username,
                "first_name": registration.first_name,
                "last_name": registration.last_name,
                "language": registration.language,
            },
        )
        return {"account_id": str(account_id), "username": registration.username, "status": rules.PENDING}

    @rpc
    def propose_username(self, first_name, last_name):
        """A free username made from the names; the person may change it before registering."""
        for candidate in rules.username_candidates(str(first_name or ""), str(last_name or "")):
            if not store.username_taken(self.db, candidate):
                return {"username": candidate}
        return {
            "username": f"{rules.username_base(str(first_name or ''), str(last_name or ''))}.{store.new_id().hex[:6]}"
        }

    def _send_activation_code(self, account) -> None:
        code = secrets.new_code()
        expires = _now() + timedelta(hours=config.ACTIVATION_CODE_HOURS)
        store.insert_code(
            self.db, account.id, "activation", secrets.code_hash(code, str(account.id)), account.email, expires
        )
        link = f"{config.public_url()}/activate?username={account.username}"
        self._mail(account, account.email, "activation", code=code, link=link, hours=config.ACTIVATION_CODE_HOURS)

    def _mail(self, account, to: str, kind: str, **values) -> None:
        mail = mails.render(
            kind,
            account.language,
            name=rules.display_name(account.first_name, account.last_name),
            username=account.username,
            **values,
        )
        queue_mail(self.db, to=to, subject=mail.subject, body_text=mail.body_text, body_html=mail.body_html)

    @rpc
    def resend_activation(self, username):
        """Always the same answer: it does not tell whether the username exists."""
        account = store.account_by_username(self.db, str(username or "").strip().lower())
        if account is not None and account.status == rules.PENDING:
            self._send_activation_code(account)
        return None

    @rpc
    def activate(self, username, code):
        account = store.account_by_username(self.db, str(username or "").strip().lower())
        if account is None or account.status != rules.PENDING:
            raise DomainError("invalid_code", "This code is wrong, or the account is already active")
        self._check_code(account, "activation", code)
        store.update_account(self.db, account.id, status=rules.ACTIVE, activated_at=_now())
        add_event(self.db, "account_activated", {"account_id": str(account.id)})
        return {"account_id": str(account.id), "username": account.username}

    def _check_code(self, account, purpose: str, typed):
        """The live code of this purpose if `typed` matches; each try counts, even a right one
        after the limit. A wrong try is committed before the refusal, so it always counts."""
        row = store.live_code(self.db, account.id, purpose)
        if row is None or row.expires_at <= _now() or row.attempts >= config.CODE_ATTEMPTS:
            raise DomainError("code_expired", "This code has expired or was used up; ask for a new one")
        attempts = store.count_code_attempt(self.db, row.id)
        if not isinstance(typed, str) or not secrets.codes_equal(row.code_hash, typed, str(account.id)):
            self.db.commit()
            left = max(config.CODE_ATTEMPTS - attempts, 0)
            raise DomainError("invalid_code", "This code is wrong", attempts_left=left)
        store.use_code(self.db, row.id)
        return row

    # ---- login and sessions --------------------------------------------------------------------

    @rpc
    def login(self, username, password, user_agent=None, client_ip=None, device_token=None):
        """Password login. Failed attempts are counted before the slow hash check (parallel guesses
        cannot slip past) and lock password login for a while. A browser the account logged in
        from before shows its device token and has a counter of its own (OWASP "device cookies"),
        so a stranger's guesses never lock the owner out of their own devices."""
        account = store.account_by_username(self.db, str(username or "").strip().lower())
        if account is None or account.status == rules.ANONYMISED:
            tpool.execute(passwords.verify_password, None, password)  # the same time as a real check
            raise DomainError("invalid_credentials", "The username or password is wrong")
        device = None
        if isinstance(device_token, str) and device_token.startswith(DEVICE_TOKEN_PREFIX) and len(device_token) < 200:
            device = store.trusted_device(self.db, account.id, secrets.token_hash(device_token))
        if device is not None:
            attempt = store.reserve_device_attempt(self.db, device.id, config.MAX_FAILED_LOGINS, config.LOCK_SECONDS)
        else:
            attempt = store.reserve_login_attempt(self.db, account.id, config.MAX_FAILED_LOGINS, config.LOCK_SECONDS)
        self.db.commit()  # the attempt counts before the slow check
        if attempt is None:
            raise DomainError(
                "account_locked",
                "Too many failed attempts: password login is locked for a while. Log in with your eID or "
                "itsme, or ask for a new password",
                retry_after=store.lock_remaining_seconds(self.db, account.id) if device is None else None,
            )
        if not tpool.execute(passwords.verify_password, account.password_hash, password):
            raise DomainError("invalid_credentials", "The username or password is wrong")
        if device is not None:
            store.device_succeeded(self.db, device.id)
            store.update_account(self.db, account.id, last_login_at=_now())
        else:
            store.login_succeeded(self.db, account.id)
        self._refuse_unusable(account)
        if passwords.needs_rehash(account.password_hash):
            store.update_account(self.db, account.id, password_hash=tpool.execute(passwords.hash_password, password))
        return self._open_session(account, "password", user_agent, client_ip, keep_device=device is not None)

    def _refuse_unusable(self, account) -> None:
        if account.status == rules.PENDING:
            raise DomainError("account_not_activated", "Activate the account first with the code we e-mailed")
        if account.status == rules.DEACTIVATED:
            raise DomainError(
                "account_deactivated", "This account is deactivated; choose a new password to reactivate it"
            )
        if account.status != rules.ACTIVE:
            raise DomainError("invalid_credentials", "The username or password is wrong")

    def _open_session(self, account, method: str, user_agent, client_ip, keep_device: bool = False) -> dict:
        device_token = None
        if not keep_device:  # a new device token for the browser to keep (login proved who this is)
            device_token = secrets.new_token(DEVICE_TOKEN_PREFIX)
            store.trust_device(self.db, account.id, secrets.token_hash(device_token))
        token = secrets.new_token(SESSION_TOKEN_PREFIX)
        session_id = store.new_id()
        expires = _now() + timedelta(seconds=config.SESSION_ABSOLUTE_SECONDS)
        store.insert_session(
            self.db,
            id=session_id,
            account_id=account.id,
            token_hash=secrets.token_hash(token),
            method=method,
            expires_at=expires,
            user_agent=str(user_agent)[:300] if user_agent else None,
            client_ip=str(client_ip)[:64] if client_ip else None,
        )
        if account.username in config.platform_admin_usernames() and not account.platform_admin:
            store.update_account(self.db, account.id, platform_admin=True)
        log.info("session opened", extra={"account_id": str(account.id), "method": method})
        return {
            "token": token,
            "session_id": str(session_id),
            "account_id": str(account.id),
            "expires_at": expires.isoformat(),
            "idle_timeout_seconds": config.SESSION_IDLE_SECONDS,
            "language": account.language,
            "device_token": device_token,
        }

    @rpc
    def resolve_session(self, token):
        if not isinstance(token, str) or not token.startswith(SESSION_TOKEN_PREFIX) or len(token) > 200:
            return None
        row = self.sessions.resolve(secrets.token_hash(token), config.SESSION_IDLE_SECONDS)
        if row is None:
            return None
        if row.stale:  # last_seen is kept to the minute: no write on every request
            self.sessions.touch(row.id)
        return {
            "account_id": str(row.account_id),
            "session_id": str(row.id),
            "organisation_id": str(row.organisation_id) if row.organisation_id else None,
            "platform_admin": bool(row.platform_admin or row.username in config.platform_admin_usernames()),
            "username": row.username,
            "display_name": rules.display_name(row.first_name, row.last_name),
            "language": row.language,
        }

    @rpc
    def logout(self):
        principal = self.context.require_principal()
        if principal.session_id:
            store.revoke_sessions(self.db, principal.account_id, session_id=_uuid(principal.session_id, "session_id"))
        return None

    @rpc
    def logout_everywhere(self):
        principal = self.context.require_principal()
        return {"revoked": store.revoke_sessions(self.db, principal.account_id)}

    @rpc
    def list_sessions(self):
        principal = self.context.require_principal()
        rows = store.live_sessions(self.db, principal.account_id, config.SESSION_IDLE_SECONDS)
        return [
            {
                "session_id": str(row.id),
                "method": row.method,
                "created_at": _iso(row.created_at),
                "last_seen_at": _iso(row.last_seen_at),
                "expires_at": _iso(row.expires_at),
                "user_agent": row.user_agent,
                "client_ip": row.client_ip,
                "current": str(row.id) == principal.session_id,
            }
            for row in rows
        ]

    @rpc
    def revoke_session(self, session_id):
        principal = self.context.require_principal()
        if not store.revoke_sessions(self.db, principal.account_id, session_id=_uuid(session_id, "session_id")):
            raise DomainError("not_found", "There is no such session of yours")
        return None

    @rpc
    def set_session_organisation(self, session_id, organisation_id):
        """Called by the organisation service once it checked the membership, with the user's
        principal forwarded: only the session of that very request can be changed."""
        principal = self.context.require_principal()
        if principal.session_id is None or str(principal.session_id) != str(session_id):
            raise DomainError("forbidden", "Only the session of the calling user can be changed")
        organisation = _uuid(organisation_id, "organisation_id") if organisation_id is not None else None
        if not store.set_session_organisation(self.db, _uuid(session_id, "session_id"), organisation):
            raise DomainError("not_found", "This session is not open")
        return None

    @event_handler("organisation", "access_changed")
    def on_access_changed(self, data, envelope):
        if data["membership_status"] != "confirmed":
            store.clear_active_organisation(self.db, data["account_id"], data["organisation_id"])

    # ---- password ----------------------------------------------------------------------------

    @rpc
    def change_password(
        self, current_password, new_password, new_password_confirmation=None, user_agent=None, client_ip=None
    ):
        principal = self.context.require_principal()
        account = store.account_by_id(self.db, principal.account_id, for_update=True)
        if not tpool.execute(passwords.verify_password, account.password_hash, current_password):
            raise field_error("current_password", "The current password is wrong")
        rules.new_password(new_password, new_password_confirmation, username=account.username, email=account.email)
        store.update_account(self.db, account.id, password_hash=tpool.execute(passwords.hash_password, new_password))
        store.revoke_sessions(self.db, account.id)
        self._mail(account, account.email, "password_changed", link=f"{config.public_url()}/password/forgot")
        method = "password"
        return self._open_session(account, method, user_agent, client_ip)

    @rpc
    def request_password_reset(self, email):
        """The same answer whether or not the address is known (no account enumeration)."""
        errors = rules.FieldErrors()
        address = rules.clean_email(errors, email)
        errors.raise_if_any()
        for account in store.accounts_by_email(self.db, address):
            token = secrets.new_token(RESET_TOKEN_PREFIX)
            expires = _now() + timedelta(hours=config.RESET_LINK_HOURS)
            store.insert_code(self.db, account.id, "password_reset", secrets.token_hash(token), address, expires)
            link = f"{config.public_url()}/password/reset?token={token}"
            self._mail(account, address, "password_reset", link=link, hours=config.RESET_LINK_HOURS)
        return None

    @rpc
    def reset_password(self, token, new_password, new_password_confirmation=None):
        row = None
        if isinstance(token, str) and token.startswith(RESET_TOKEN_PREFIX) and len(token) < 200:
            row = store.code_by_hash(self.db, "password_reset", secrets.token_hash(token))
        if row is None or row.used_at is not None or row.expires_at <= _now():
            raise DomainError("code_expired", "This link has expired or was already used; ask for a new one")
        account = store.account_by_id(self.db, row.account_id, for_update=True)
        rules.new_password(new_password, new_password_confirmation, username=account.username, email=account.email)
        store.use_code(self.db, row.id)
        values = {
            "password_hash": tpool.execute(passwords.hash_password, new_password),
            "failed_logins": 0,
            "locked_until": None,
        }
        if account.status == rules.DEACTIVATED:
            values["status"] = rules.ACTIVE  # proving the mailbox reactivates the account
        if account.status == rules.PENDING:
            values.update(status=rules.ACTIVE, activated_at=_now())  # the link proves the address
            add_event(self.db, "account_activated", {"account_id": str(account.id)})
        store.update_account(self.db, account.id, **values)
        store.revoke_sessions(self.db, account.id)
        return {"username": account.username}

    # ---- profile and e-mail ------------------------------------------------------------------

    @rpc
    def get_profile(self):
        principal = self.context.require_principal()
        account = store.account_by_id(self.db, principal.account_id)
        if account is None:
            raise DomainError("unauthenticated", "This account no longer exists")
        return self._profile(account)

    def _profile(self, account) -> dict:
        number = account.national_number
        return {
            "account_id": str(account.id),
            "username": account.username,
            "first_name": account.first_name,
            "last_name": account.last_name,
            "email": account.email,
            "pending_email": account.pending_email,
            "birth_date": _iso(account.birth_date),
            "gender": account.gender,
            "phone": account.phone,
            "language": account.language,
            "status": account.status,
            "platform_admin": bool(account.platform_admin),
            "profile_locked": number is not None,
            "eid": {
                "linked": number is not None,
                "national_number": ("*" * 7 + number[-4:]) if number else None,
                "linked_at": _iso(account.eid_linked_at),
                "card_valid_until": (account.eid_card or {}).get("valid_until"),
            },
            "itsme_linked": account.itsme_subject is not None,
            "accreditations": store.accreditations_of(self.db, [account.id]).get(account.id, []),
            "created_at": _iso(account.created_at),
        }

    @rpc
    def update_profile(self, **changes):
        principal = self.context.require_principal()
        account = store.account_by_id(self.db, principal.account_id, for_update=True)
        allowed = {"first_name", "last_name", "phone", "language", "birth_date", "gender"}
        unknown = sorted(set(changes) - allowed)
        if unknown:
            raise field_error(unknown[0], "This field cannot be changed here")
        locked = [f for f in ("first_name", "last_name", "birth_date", "gender") if f in changes]
        if locked and account.national_number is not None:
            current = {
                "first_name": account.first_name,
                "last_name": account.last_name,
                "birth_date": _iso(account.birth_date),
                "gender": account.gender,
            }
            if any(changes[f] != current[f] for f in locked):
                raise DomainError(
                    "profile_locked",
                    f"{locked[0]}: name, birth date and gender come from your eID card and cannot be edited",
                    errors=[{"field": f, "message": "This comes from your eID card"} for f in locked],
                )
        errors = rules.FieldErrors()
        values: dict = {}
        if "first_name" in changes:
            values["first_name"] = rules.clean_name(errors, "first_name", changes["first_name"])
        if "last_name" in changes:
            values["last_name"] = rules.clean_name(errors, "last_name", changes["last_name"])
        if "phone" in changes:
            values["phone"] = rules.clean_phone(errors, changes["phone"])
        if "language" in changes:
            values["language"] = rules.clean_language(errors, changes["language"])
        if "birth_date" in changes:
            values["birth_date"] = _birth_date(errors, changes["birth_date"])
        if "gender" in changes:
            if changes["gender"] not in ("male", "female", None):
                errors.add("gender", "Choose male, female or nothing")
            values["gender"] = changes["gender"]
        errors.raise_if_any()
        if account.national_number is not None:
            for field in ("first_name", "last_name", "birth_date", "gender"):
                values.pop(field, None)
        if values:
            store.update_account(self.db, account.id, **values)
        updated = store.account_by_id(self.db, account.id)
        if (updated.first_name, updated.last_name, updated.language) != (
            account.first_name,
            account.last_name,
            account.language,
        ):
            add_event(
                self.db,
                "account_profile_changed",
                {
                    "account_id": str(account.id),
                    "first_name": updated.first_name,
                    "last_name": updated.last_name,
                    "language": updated.language,
                },
            )
        return self._profile(updated)

    @rpc
    def request_email_change(self, new_email):
        principal = self.context.require_principal()
        account = store.account_by_id(self.db, principal.account_id, for_update=True)
        errors = rules.FieldErrors()
        address = rules.clean_email(errors, new_email, "new_email")
        errors.raise_if_any()
        if account.email and address.lower() == account.email.lower():
            raise field_error("new_email", "This is already your e-mail address")
        code = secrets.new_code()
        expires = _now() + timedelta(hours=config.ACTIVATION_CODE_HOURS)
        store.insert_code(
            self.db, account.id, "email_change", secrets.code_hash(code, str(account.id)), address, expires
        )
        store.update_account(self.db, account.id, pending_email=address)
        link = f"{config.public_url()}/profile/email"
        self._mail(account, address, "email_change", code=code, link=link, hours=config.ACTIVATION_CODE_HOURS)
        if account.email:
            self._mail(
                account, account.email, "email_change_notice", email=address, link=f"{config.public_url()}/profile"
            )
        return {"pending_email": address}

    @rpc
    def confirm_email_change(self, code):
        principal = self.context.require_principal()
        account = store.account_by_id(self.db, principal.account_id, for_update=True)
        if account.pending_email is None:
            raise DomainError("code_expired", "There is no e-mail change waiting for a code")
        row = self._check_code(account, "email_change", code)
        store.update_account(self.db, account.id, email=row.email, pending_email=None)
        return {"email": row.email}

    @rpc
    def cancel_email_change(self):
        principal = self.context.require_principal()
        store.update_account(self.db, principal.account_id, pending_email=None)
        return None

    # ---- eID ---------------------------------------------------------------------------------

    def _card_holder(self, certificate) -> eid.CardHolder:
        store_ = config.trust_store()
        if not len(store_):
            raise DomainError("eid_refused", "eID login is not configured on this platform", reason="not_configured")
        if not isinstance(certificate, str) or not certificate.strip() or len(certificate) > 20000:
            raise DomainError("eid_refused", "No eID certificate was presented", reason="missing")
        try:
            return store_.verify(certificate)
        except eid.CertificateRefused as refused:
            log.warning("eID certificate refused", extra={"reason": refused.reason})
            raise DomainError("eid_refused", refused.message, reason=refused.reason) from None

    @rpc
    def link_eid(self, certificate):
        principal = self.context.require_principal()
        holder = self._card_holder(certificate)
        account = store.account_by_id(self.db, principal.account_id, for_update=True)
        number = holder.national_number.digits
        other = store.account_by_national_number(self.db, number)
        if other is not None and other.id != account.id:
            raise DomainError("eid_already_linked", "This eID card is already linked to another account")
        if account.national_number not in (None, number):
            raise DomainError("eid_already_linked", "Another eID card is linked to this account")
        store.update_account(
            self.db,
            account.id,
            national_number=number,
            first_name=holder.first_name,
            last_name=holder.last_name,
            birth_date=holder.national_number.birth_date,
            gender=holder.national_number.gender,
            eid_linked_at=account.eid_linked_at or _now(),
            eid_card={
                "serial": holder.certificate_serial,
                "issuer": holder.issuer,
                "valid_until": holder.valid_until.date().isoformat(),
                "fingerprint": holder.fingerprint,
            },
        )
        add_event(
            self.db,
            "eid_linked",
            {
                "account_id": str(account.id),
                "first_name": holder.first_name,
                "last_name": holder.last_name,
                "birth_date": _iso(holder.national_number.birth_date),
                "gender": holder.national_number.gender,
            },
        )
        self._refresh_accreditations(account.id, number, always_publish=True)
        return self._profile(store.account_by_id(self.db, account.id))

    @rpc
    def login_eid(self, certificate, user_agent=None, client_ip=None):
        holder = self._card_holder(certificate)
        account = store.account_by_national_number(self.db, holder.national_number.digits)
        if account is None:
            raise DomainError(
                "eid_unknown", "No account is linked to this eID card; log in with your password and link it"
            )
        self._refuse_unusable(account)
        store.login_succeeded(self.db, account.id)
        return self._open_session(account, "eid", user_agent, client_ip)

    # ---- accreditations ----------------------------------------------------------------------

    def _refresh_accreditations(self, account_id, number: str, always_publish: bool = False) -> bool:
        """Fetch from the register; True if it answered. A register that is down leaves what we
        held (a later refresh retries)."""
        held = store.accreditations_of(self.db, [account_id]).get(account_id, [])
        try:
            found = adapters.accreditation_register().lookup(number)
        except RegisterUnavailable as exc:
            log.warning("accreditation register unavailable: %s", exc)
            if always_publish:
                self._publish_accreditations(account_id, held)
            return False
        fresh = [a.as_dict() for a in found]
        store.replace_accreditations(self.db, account_id, found)
        store.update_account(self.db, account_id, accreditations_checked_at=_now())
        if always_publish or fresh != held:
            self._publish_accreditations(account_id, fresh)
        return True

    def _publish_accreditations(self, account_id, items: list[dict]) -> None:
        account = store.account_by_id(self.db, account_id)
        add_event(
            self.db,
            "accreditations_changed",
            {"account_id": str(account_id), "eid_linked": account.national_number is not None, "accreditations": items},
        )

    @rpc
    def refresh_accreditations(self):
        principal = self.context.require_principal()
        account = store.account_by_id(self.db, principal.account_id)
        if account.national_number is None:
            raise DomainError("eid_required", "Link your eID card first: accreditations are found by national number")
        if not self._refresh_accreditations(account.id, account.national_number):
            raise DomainError("register_unavailable", "The accreditation register does not answer; try again later")
        return store.accreditations_of(self.db, [account.id]).get(account.id, [])

    # ---- itsme -------------------------------------------------------------------------------

    @rpc
    def itsme_start(self, purpose, redirect_uri):
        client = adapters.itsme_client()
        if not client.configured:
            raise DomainError("itsme_refused", "itsme is not configured on this platform", reason="not_configured")
        if purpose not in ("login", "link"):
            raise field_error("purpose", "Choose login or link")
        if not isinstance(redirect_uri, str) or not redirect_uri.startswith(config.public_url() + "/"):
            raise field_error("redirect_uri", "The redirect address must be on this platform")
        account_id = session_id = None
        if purpose == "link":
            principal = self.context.require_principal()
            account = store.account_by_id(self.db, principal.account_id)
            if account.national_number is None:
                raise DomainError("eid_required", "Link your eID card before you link itsme")
            account_id, session_id = account.id, _uuid(principal.session_id, "session_id")
        state, nonce, verifier = secrets.new_token(), secrets.new_token(), secrets.new_token()
        store.insert_oidc_flow(
            self.db,
            state_hash=secrets.token_hash(state),
            purpose=purpose,
            account_id=account_id,
            session_id=session_id,
            nonce=nonce,
            code_verifier=verifier,
            redirect_uri=redirect_uri,
            expires_at=_now() + timedelta(seconds=config.OIDC_FLOW_SECONDS),
        )
        try:
            url = client.authorization_url(redirect_uri, state, nonce, verifier)
        except Exception as exc:
            log.warning("itsme provider unavailable: %s", type(exc).__name__)
            raise DomainError("register_unavailable", "itsme does not answer; try again later") from None
        return {"authorization_url": url}

    @rpc
    def itsme_finish(self, state, code, user_agent=None, client_ip=None):
        if not isinstance(state, str) or not isinstance(code, str) or not state or not code:
            raise DomainError("itsme_refused", "The itsme answer is incomplete", reason="missing")
        flow = store.take_oidc_flow(self.db, secrets.token_hash(state))
        if flow is None:
            raise DomainError(
                "itsme_refused", "This itsme answer does not belong to a login we started", reason="state"
            )
        if flow.used_at is not None:
            raise DomainError("itsme_refused", "This itsme answer was already used", reason="replayed")
        if flow.expires_at <= _now():
            raise DomainError("itsme_refused", "This itsme login took too long; start again", reason="expired")
        store.use_oidc_flow(self.db, flow.state_hash)
        self.db.commit()  # single use, even if what follows fails
        try:
            identity = adapters.itsme_client().finish(code, flow.code_verifier, flow.redirect_uri, flow.nonce)
        except adapters.OidcRefused as refused:
            log.warning("itsme answer refused", extra={"reason": refused.reason})
            raise DomainError("itsme_refused", refused.message, reason=refused.reason) from None
        if flow.purpose == "link":
            return self._link_itsme(flow, identity)
        account = store.account_by_itsme_subject(self.db, identity.subject)
        if account is None:
            raise DomainError("itsme_unknown", "No account is linked to this itsme identity; link it in your profile")
        self._refuse_unusable(account)
        store.login_succeeded(self.db, account.id)
        return {"purpose": "login", "session": self._open_session(account, "itsme", user_agent, client_ip)}

    def _link_itsme(self, flow, identity: adapters.OidcIdentity) -> dict:
        principal = self.context.principal
        if principal is None or str(principal.account_id) != str(flow.account_id):
            raise DomainError("itsme_refused", "Log in with the account that started the link", reason="account")
        account = store.account_by_id(self.db, flow.account_id, for_update=True)
        if not identity.national_number or not nn.is_valid(identity.national_number):
            raise DomainError("itsme_refused", "itsme did not give a valid national number", reason="claim")
        if identity.national_number != account.national_number:
            raise DomainError(
                "itsme_refused", "This itsme identity is not the person of your eID card", reason="mismatch"
            )
        other = store.account_by_itsme_subject(self.db, identity.subject)
        if other is not None and other.id != account.id:
            raise DomainError("itsme_refused", "This itsme identity is linked to another account", reason="taken")
        store.update_account(self.db, account.id, itsme_subject=identity.subject, itsme_linked_at=_now())
        return {"purpose": "link", "profile": self._profile(store.account_by_id(self.db, account.id))}

    @rpc
    def unlink_itsme(self):
        principal = self.context.require_principal()
        store.update_account(self.db, principal.account_id, itsme_subject=None, itsme_linked_at=None)
        return None

    # ---- privacy -----------------------------------------------------------------------------

    def _confirm_password(self, account, password) -> None:
        if not tpool.execute(passwords.verify_password, account.password_hash, password):
            raise field_error("password", "The password is wrong")

    @rpc
    def deactivate_account(self, password):
        principal = self.context.require_principal()
        account = store.account_by_id(self.db, principal.account_id, for_update=True)
        self._confirm_password(account, password)
        store.update_account(self.db, account.id, status=rules.DEACTIVATED)
        store.revoke_sessions(self.db, account.id)
        add_event(self.db, "account_deactivated", {"account_id": str(account.id)})
        return None

    @rpc
    def delete_account(self, password):
        """Never active → deleted; active once → anonymised (DOMAIN.md §1): history elsewhere stays
        pseudonymous, and other services drop what they may (`account_anonymised`)."""
        principal = self.context.require_principal()
        account = store.account_by_id(self.db, principal.account_id, for_update=True)
        self._confirm_password(account, password)
        add_event(self.db, "account_anonymised", {"account_id": str(account.id)})
        if account.activated_at is None:
            store.delete_account(self.db, account.id)
            return {"outcome": "deleted"}
        store.revoke_sessions(self.db, account.id)
        store.forget_devices(self.db, account.id)
        store.replace_accreditations(self.db, account.id, [])
        store.update_account(
            self.db,
            account.id,
            username=f"anonymised-{str(account.id)[:8]}",
            email=None,
            pending_email=None,
            first_name="Anonymised",
            last_name="Account",
            birth_date=None,
            gender=None,
            phone=None,
            status=rules.ANONYMISED,
            password_hash=None,
            platform_admin=False,
            national_number=None,
            eid_card=None,
            itsme_subject=None,
            itsme_linked_at=None,
        )
        return {"outcome": "anonymised"}

    @timer(interval=3600)
    def purge_unactivated(self):
        """Registrations never activated are deleted after a while: no activity, nothing to keep."""
        for account_id in store.stale_registrations(self.db, config.UNACTIVATED_DAYS):
            add_event(self.db, "account_anonymised", {"account_id": str(account_id)})
            store.delete_account(self.db, account_id)

    # ---- for other services and platform administrators ----------------------------------------

    @rpc
    def get_accounts(self, account_ids):
        if not isinstance(account_ids, list) or len(account_ids) > 1000:
            raise field_error("account_ids", "Give a list of at most 1000 account ids")
        ids = [_uuid(value, "account_ids") for value in account_ids]
        from sqlalchemy import select

        rows = self.db.execute(select(store.accounts).where(store.accounts.c.id.in_(ids))).all() if ids else []
        accreditations = store.accreditations_of(self.db, [row.id for row in rows])
        return [
            {
                "account_id": str(row.id),
                "username": row.username,
                "first_name": row.first_name,
                "last_name": row.last_name,
                "email": row.email,
                "language": row.language,
                "status": row.status,
                "eid_linked": row.national_number is not None,
                "accreditations": accreditations.get(row.id, []),
            }
            for row in rows
        ]

    @rpc
    def get_account(self, account_id):
        found = self.get_accounts([str(account_id)])
        if not found:
            raise DomainError("not_found", "There is no such account")
        return found[0]

    @rpc
    def set_platform_admin(self, account_id, platform_admin):
        principal = self.context.require_principal()
        if not principal.platform_admin:
            raise DomainError("forbidden", "Only platform administrators may do this")
        if not isinstance(platform_admin, bool):
            raise field_error("platform_admin", "Give true or false")
        target = store.account_by_id(self.db, _uuid(account_id), for_update=True)
        if target is None:
            raise DomainError("not_found", "There is no such account")
        store.update_account(self.db, target.id, platform_admin=platform_admin)
        if not platform_admin:
            store.revoke_sessions(self.db, target.id)  # a removed role takes effect at once
        return None


def _birth_date(errors: rules.FieldErrors, value) -> date | None:
    if value in (None, ""):
        return None
    try:
        born = date.fromisoformat(str(value))
    except ValueError:
        errors.add("birth_date", "Give a date as YYYY-MM-DD")
        return None
    if born > date.today() or born.year < 1900:
        errors.add("birth_date", "This birth date is not plausible")
    return born
