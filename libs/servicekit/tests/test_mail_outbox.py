"""The mail outbox against the real mail catcher over SMTP and a real database."""

import socket
import subprocess
import sys
import time

import pytest
from nameko.exceptions import RemoteError
from sk_helpers import wait_until
from sqlalchemy import create_engine, text

from aww_devtools.fakes.mail import read_messages
from servicekit.entrypoints import rpc
from servicekit.mail import InvalidRecipient, MailSender, create_tables, queue_mail
from servicekit.outbox import create_tables as create_outbox_tables
from servicekit.service import ServiceBase
from servicekit.testing.infra import free_port


class MailingService(MailSender, ServiceBase):
    name = "probe_mailer"

    @rpc
    def send(self, to, subject, fail_after_queue=False):
        queue_mail(
            self.db,
            to=to,
            subject=subject,
            body_text=f"Your code is ABCD-1234.\n{subject}",
            body_html=f"<p>Your code is <b>ABCD-1234</b>. {subject}</p>",
        )
        if fail_after_queue:
            raise RuntimeError("failing after queueing, on purpose")
        return "queued"

    @rpc
    def send_bad(self, to):
        try:
            queue_mail(self.db, to=to, subject="x", body_text="x")
        except InvalidRecipient:
            return "refused"
        return "queued"


def start_catcher(port, directory):
    process = subprocess.Popen(
        [sys.executable, "-m", "aww_devtools.fakes.mail", "--port", str(port), "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the mail catcher did not start")


@pytest.fixture(scope="module")
def mail_database(run_id):
    from servicekit.testing.infra import create_database, drop_database

    name = f"awwt_{run_id}_probe_mailer"
    url = create_database(name)
    engine = create_engine(url)
    create_tables(engine)
    create_outbox_tables(engine)
    engine.dispose()
    yield url
    drop_database(name)


@pytest.fixture
def smtp_port(monkeypatch):
    port = free_port()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))
    return port


@pytest.fixture
def mailer(container_factory, mail_database, smtp_port):
    return container_factory(MailingService, mail_database)


def rows(url, subject):
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT sent_at, failed_at, attempts, last_error FROM mail_outbox WHERE subject = :s"), {"s": subject}
        ).all()
    engine.dispose()
    return found


def test_committed_mail_reaches_the_catcher_over_smtp_once(mailer, smtp_port, tmp_path, rpc_proxy, mail_database):
    catcher = start_catcher(smtp_port, tmp_path)
    try:
        assert rpc_proxy("probe_mailer").send("Ann Peeters <ann@example.com>", "Welcome") == "queued"
        mails = wait_until(lambda: read_messages(tmp_path, "ann@example.com"), what="mail in the catcher")
        assert len(mails) == 1
        assert mails[0].subject == "Welcome"
        assert mails[0].code() == "ABCD-1234"
        assert "<b>ABCD-1234</b>" in mails[0].html
        assert wait_until(lambda: rows(mail_database, "Welcome")[0].sent_at, what="marked sent")
        time.sleep(2.5)  # a sweep later: still one copy
        assert len(read_messages(tmp_path, "ann@example.com")) == 1
    finally:
        catcher.terminate()


def test_mail_of_a_failed_transaction_is_never_sent(mailer, smtp_port, tmp_path, rpc_proxy, mail_database):
    catcher = start_catcher(smtp_port, tmp_path)
    try:
        with pytest.raises(RemoteError):
            rpc_proxy("probe_mailer").send("bob@example.com", "Doomed", fail_after_queue=True)
        rpc_proxy("probe_mailer").send("bob@example.com", "After")
        wait_until(lambda: read_messages(tmp_path, "bob@example.com"), what="the second mail")
        assert [mail.subject for mail in read_messages(tmp_path, "bob@example.com")] == ["After"]
        assert rows(mail_database, "Doomed") == []
    finally:
        catcher.terminate()


def test_mail_waits_while_the_smtp_server_is_down_and_leaves_once_it_is_back(
    mailer, smtp_port, tmp_path, rpc_proxy, mail_database
):
    rpc_proxy("probe_mailer").send("carl@example.com", "Patience")
    failed = wait_until(lambda: [r for r in rows(mail_database, "Patience") if r.attempts >= 1], what="a failed try")
    assert failed[0].sent_at is None and failed[0].failed_at is None
    assert "carl" not in (failed[0].last_error or "")  # no address in the stored reason
    catcher = start_catcher(smtp_port, tmp_path)
    try:
        wait_until(lambda: read_messages(tmp_path, "carl@example.com"), timeout=20, what="mail after the retry")
        time.sleep(2.5)
        assert len(read_messages(tmp_path, "carl@example.com")) == 1
    finally:
        catcher.terminate()


def test_permanent_refusal_is_marked_failed_not_retried_forever(mailer, smtp_port, tmp_path, rpc_proxy, mail_database):
    catcher = start_catcher(smtp_port, tmp_path)
    try:
        rpc_proxy("probe_mailer").send("nobody@mailbox.invalid", "Refused")
        row = wait_until(lambda: [r for r in rows(mail_database, "Refused") if r.failed_at], what="marked failed")[0]
        assert row.sent_at is None and row.attempts == 1
        assert "550" in row.last_error
    finally:
        catcher.terminate()


def test_header_injection_in_the_recipient_is_refused(mailer, rpc_proxy):
    assert rpc_proxy("probe_mailer").send_bad("a@example.com\r\nBcc: victim@example.com") == "refused"
    assert rpc_proxy("probe_mailer").send_bad("a@example.com, b@example.com") == "refused"
    assert rpc_proxy("probe_mailer").send_bad("not an address") == "refused"
