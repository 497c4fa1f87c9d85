"""The mail outbox: e-mails are rows written in the worker's transaction, then sent over SMTP by a
relay, exactly like events leave through servicekit.outbox.

- `queue_mail(session, to=..., subject=..., body_text=..., body_html=None)` inside a worker's
  transaction: the mail leaves only if the change that caused it commits, and a failed SMTP
  server never fails the request.
- `MailSender` (a mixin for the service class) adds the relay: nudged right after a commit that
  queued mail, and a timer sweep for what a nudge missed and for retries.
- The relay claims due rows `FOR UPDATE SKIP LOCKED` (several replicas relay side by side), sends
  each over SMTP and marks it sent in the same transaction. A crash between the SMTP answer and
  the commit sends the mail again with the same Message-ID: delivery is at least once, never
  lost. A temporary failure is retried with a growing pause; a permanent refusal (5xx) or too
  many attempts marks the row failed (logged, counted) instead of retrying forever.

Configuration (environment): SMTP_HOST (127.0.0.1), SMTP_PORT (25), SMTP_USERNAME/SMTP_PASSWORD
(optional), SMTP_STARTTLS (0/1), SMTP_TIMEOUT (10 s), MAIL_FROM, MAIL_SWEEP_SECONDS (2).
Mail bodies often hold codes: they are never logged, and sent rows are pruned after a week.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import threading
import uuid
import weakref
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

from nameko.extensions import DependencyProvider, SharedExtension
from prometheus_client import Counter, Gauge
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    create_engine,
    event,
    insert,
    text,
)

from servicekit.config import env, env_float, env_int
from servicekit.entrypoints import timer

log = logging.getLogger(__name__)

metadata = MetaData()

mail_outbox_table = Table(
    "mail_outbox",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("message_id", Text, nullable=False, unique=True),
    Column("recipient", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("sent_at", DateTime(timezone=True)),
    Column("failed_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Index("mail_outbox_due", "next_attempt_at", postgresql_where=text("sent_at IS NULL AND failed_at IS NULL")),
)

MAIL_SENT = Counter("aww_mail_sent_total", "Mails accepted by the SMTP server", ["service"])
MAIL_RETRIED = Counter("aww_mail_retries_total", "Mail sends that failed and will be retried", ["service"])
MAIL_FAILED = Counter(
    "aww_mail_failed_total", "Mails given up on (permanent refusal or too many attempts)", ["service"]
)
MAIL_PENDING = Gauge("aww_mail_pending", "Mails queued and not yet sent", ["service"])

MAX_ATTEMPTS = 12
FIRST_RETRY_SECONDS = 2.0
MAX_RETRY_SECONDS = 3600.0

# relays by database URL, so a commit on a session of that database can nudge them
_relays: dict[str, weakref.WeakSet] = {}


def create_tables(bind) -> None:
    """Call from a migration of the service that sends mail."""
    metadata.create_all(bind=bind, checkfirst=True)


class InvalidRecipient(ValueError):
    pass


def _clean_recipient(to: str) -> str:
    if not isinstance(to, str) or any(ch in to for ch in "\r\n,;") or len(to) > 320:
        raise InvalidRecipient("one plain e-mail address is expected")
    name, address = parseaddr(to)
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        raise InvalidRecipient("one plain e-mail address is expected")
    return formataddr((name, address)) if name else address


def _db_key(url) -> str:
    return url.render_as_string(hide_password=False) if hasattr(url, "render_as_string") else str(url)


def _nudge_after_commit(session) -> None:
    bind = session.get_bind()
    for relay in list(_relays.get(_db_key(bind.url), ())):
        relay.nudge()


def queue_mail(session, *, to: str, subject: str, body_text: str, body_html: str | None = None) -> str:
    """Queue one mail in the session's transaction; returns its Message-ID.

    Raises InvalidRecipient for anything but one plain address (no header injection).
    """
    recipient = _clean_recipient(to)
    if any(ch in subject for ch in "\r\n"):
        raise ValueError("the subject must be one line")
    domain = env("MAIL_DOMAIN", "aww.example")
    message_id = f"<{uuid.uuid4().hex}@{domain}>"
    session.execute(
        insert(mail_outbox_table).values(
            message_id=message_id, recipient=recipient, subject=subject, body_text=body_text, body_html=body_html
        )
    )
    if not session.info.get("mail_nudge_armed"):
        # one nudge per commit; after a rollback the listener stays armed for the next commit,
        # where it can at worst wake the relay for nothing
        session.info["mail_nudge_armed"] = True

        def after_commit(committed_session):
            committed_session.info.pop("mail_nudge_armed", None)
            _nudge_after_commit(committed_session)

        event.listen(session, "after_commit", after_commit, once=True)
    return message_id


def build_message(row, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Message-ID"] = row.message_id
    message["Date"] = format_datetime(row.created_at)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.body_text)
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    return message


def retry_delay(attempts: int) -> float:
    return min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS)


class SmtpSettings:
    def __init__(self) -> None:
        self.host = env("SMTP_HOST", "127.0.0.1")
        self.port = env_int("SMTP_PORT", 25)
        self.username = env("SMTP_USERNAME", "")
        self.password = env("SMTP_PASSWORD", "")
        self.starttls = env("SMTP_STARTTLS", "0").lower() in ("1", "true", "yes")
        self.timeout = env_float("SMTP_TIMEOUT", 10.0)
        self.sender = env("MAIL_FROM", "AML platform <no-reply@aww.example>")

    def connect(self) -> smtplib.SMTP:
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.starttls:
            client.starttls()
        if self.username:
            client.login(self.username, self.password)
        return client


class MailRelay(SharedExtension):
    batch_size = 50

    def setup(self):
        config = self.container.config
        self.service = self.container.service_name
        self.engine = create_engine(config["DATABASE_URL"], pool_size=2, max_overflow=0, pool_pre_ping=True)
        self.smtp = SmtpSettings()
        self._lock = threading.Lock()  # green under eventlet: one pass at a time per container
        self._wake = threading.Event()
        self._running = False
        _relays.setdefault(_db_key(self.engine.url), weakref.WeakSet()).add(self)

    def start(self):
        self._running = True
        self.container.spawn_managed_thread(self._nudged_loop, identifier="mail-relay")

    def stop(self):
        self._running = False
        self._wake.set()
        relays = _relays.get(_db_key(self.engine.url))
        if relays is not None:
            relays.discard(self)
        self.engine.dispose()

    def kill(self):
        self.stop()

    def nudge(self) -> None:
        self._wake.set()

    def _nudged_loop(self) -> None:
        while self._running:
            self._wake.wait()
            self._wake.clear()
            if not self._running:
                return
            try:
                self.send_due()
            except Exception as exc:  # the sweep retries; the mails stay queued
                log.warning("mail relay pass failed: %s", type(exc).__name__)

    def send_due(self) -> int:
        """Send every mail that is due; return how many the SMTP server accepted."""
        total = 0
        with self._lock:
            while True:
                sent, claimed = self._send_batch()
                total += sent
                if claimed < self.batch_size:
                    break
        self.measure()
        return total

    def _send_batch(self) -> tuple[int, int]:
        sent = 0
        with self.engine.begin() as conn:
            rows = conn.execute(
                text(
                    "SELECT * FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL "
                    "AND next_attempt_at <= now() ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED"
                ),
                {"limit": self.batch_size},
            ).all()
            if not rows:
                return 0, 0
            client = None
            try:
                client = self.smtp.connect()
            except (OSError, smtplib.SMTPException) as exc:
                for row in rows:
                    self._failed(conn, row, exc, permanent=False)
                return 0, len(rows)
            try:
                for row in rows:
                    try:
                        client.send_message(build_message(row, self.smtp.sender))
                    except smtplib.SMTPServerDisconnected as exc:
                        self._failed(conn, row, exc, permanent=False)
                        client = self._reconnect(client)
                        if client is None:
                            continue
                    except (OSError, smtplib.SMTPException) as exc:
                        self._failed(conn, row, exc, permanent=_permanent(exc))
                        if isinstance(exc, OSError):
                            client = self._reconnect(client)
                    else:
                        conn.execute(
                            text("UPDATE mail_outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = :id"),
                            {"id": row.id},
                        )
                        MAIL_SENT.labels(self.service).inc()
                        sent += 1
            finally:
                if client is not None:
                    try:
                        client.quit()
                    except (OSError, smtplib.SMTPException):
                        client.close()
        return sent, len(rows)

    def _reconnect(self, client):
        with contextlib.suppress(OSError):
            client.close()
        try:
            return self.smtp.connect()
        except (OSError, smtplib.SMTPException):
            return None

    def _failed(self, conn, row, exc: BaseException, *, permanent: bool) -> None:
        attempts = row.attempts + 1
        # the SMTP answer code and the exception type only: never the address or the body
        reason = f"{type(exc).__name__} {_smtp_code(exc) or ''}".strip()
        if permanent or attempts >= MAX_ATTEMPTS:
            conn.execute(
                text("UPDATE mail_outbox SET failed_at = now(), attempts = :a, last_error = :e WHERE id = :id"),
                {"id": row.id, "a": attempts, "e": reason},
            )
            MAIL_FAILED.labels(self.service).inc()
            log.error("giving up on mail %s after %d attempt(s): %s", row.message_id, attempts, reason)
            return
        delay = retry_delay(attempts)
        conn.execute(
            text(
                "UPDATE mail_outbox SET attempts = :a, last_error = :e, "
                "next_attempt_at = now() + make_interval(secs => :d) WHERE id = :id"
            ),
            {"id": row.id, "a": attempts, "e": reason, "d": delay},
        )
        MAIL_RETRIED.labels(self.service).inc()
        log.warning("mail %s not sent (%s); retrying in %.0f s", row.message_id, reason, delay)

    def measure(self) -> int:
        with self.engine.connect() as conn:
            pending = conn.execute(
                text("SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL")
            ).scalar_one()
        MAIL_PENDING.labels(self.service).set(pending)
        return int(pending)

    def prune(self, keep_days: int = 7) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                text("DELETE FROM mail_outbox WHERE sent_at < now() - make_interval(days => :d)"), {"d": keep_days}
            )


def _smtp_code(exc: BaseException) -> int | None:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return max(codes) if codes else None
    code = getattr(exc, "smtp_code", None)
    return code if isinstance(code, int) else None


def _permanent(exc: BaseException) -> bool:
    code = _smtp_code(exc)
    return code is not None and 500 <= code < 600


class MailOutbox(DependencyProvider):
    relay = MailRelay()

    def get_dependency(self, worker_ctx):
        return self.relay


MAIL_SWEEP_SECONDS = env_float("MAIL_SWEEP_SECONDS", 2.0)
PRUNE_EVERY_SWEEPS = 1800


class MailSender:
    """Mixin for a service class that queues mail: `class X(MailSender, ServiceBase)`."""

    mail_outbox = MailOutbox()
    _mail_sweeps = 0

    @timer(interval=MAIL_SWEEP_SECONDS)
    def relay_mail(self):
        """Sends what a nudge missed and what is due for a retry."""
        self.mail_outbox.send_due()
        type(self)._mail_sweeps += 1
        if type(self)._mail_sweeps % PRUNE_EVERY_SWEEPS == 0:
            self.mail_outbox.prune()
