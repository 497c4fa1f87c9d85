"""A mail catcher: a real SMTP server (aiosmtpd) that stores every message it accepts as an .eml
file under <var>/mail/, for the development mailbox page, the tests and the demo.

    python -m aww_devtools.fakes.mail --port 1025 --dir var/mail

`read_messages(directory)` parses what it stored (newest last); tests and tools use it.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import os
import re
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from aww_devtools.fakes import Fake


@dataclass(frozen=True)
class StoredMail:
    id: str
    to: str
    sender: str
    subject: str
    date: str
    text: str
    html: str | None
    message_id: str

    def code(self, pattern: str = r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b") -> str | None:
        """The first activation-style code in the text body."""
        match = re.search(pattern, self.text)
        return match.group(1) if match else None

    def link(self, path_prefix: str) -> str | None:
        match = re.search(r"(https?://\S*" + re.escape(path_prefix) + r"\S*)", self.text)
        return match.group(1) if match else None


def parse_mail(path: Path) -> StoredMail:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    return StoredMail(
        id=path.stem,
        to=str(message.get("To", "")),
        sender=str(message.get("From", "")),
        subject=str(message.get("Subject", "")),
        date=str(message.get("Date", "")),
        text=text_part.get_content() if text_part is not None else "",
        html=html_part.get_content() if html_part is not None else None,
        message_id=str(message.get("Message-ID", "")),
    )


def read_messages(directory: Path | str, to: str | None = None) -> list[StoredMail]:
    folder = Path(directory)
    if not folder.is_dir():
        return []
    mails = [parse_mail(path) for path in sorted(folder.glob("*.eml"))]
    if to is not None:
        mails = [mail for mail in mails if to.lower() in mail.to.lower()]
    return mails


def wait_for_mail(directory: Path | str, to: str, count: int = 1, timeout: float = 15.0) -> list[StoredMail]:
    """Wait until `to` has received at least `count` mails; returns them all (oldest first)."""
    deadline = time.monotonic() + timeout
    while True:
        mails = read_messages(directory, to)
        if len(mails) >= count:
            return mails
        if time.monotonic() > deadline:
            raise AssertionError(f"{to} received {len(mails)} mail(s), expected {count}, within {timeout} s")
        time.sleep(0.1)


class StoringHandler:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        # a way for tests to see a permanent refusal: the .invalid top-level domain never exists
        if address.lower().endswith(".invalid"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{time.time_ns() % 10**9:09d}-{uuid.uuid4().hex[:8]}"
        temporary = self.directory / f".{name}.tmp"
        temporary.write_bytes(envelope.original_content or envelope.content)
        os.replace(temporary, self.directory / f"{name}.eml")  # readers never see half a message
        return "250 Message accepted for delivery"


async def serve(host: str, port: int, directory: Path) -> None:
    from aiosmtpd.smtp import SMTP

    loop = asyncio.get_running_loop()
    handler = StoringHandler(directory)
    server = await loop.create_server(lambda: SMTP(handler, hostname="mail-catcher"), host, port)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"mail catcher on {host}:{port}, storing in {directory}", flush=True)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main() -> None:
    parser = argparse.ArgumentParser(prog="aww_devtools.fakes.mail")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", default="var/mail")
    args = parser.parse_args()
    asyncio.run(serve(args.host, args.port, Path(args.dir)))


FAKE = Fake(
    name="mail",
    argv=["-m", "aww_devtools.fakes.mail", "--port", "{port}", "--dir", "{var}/mail"],
    service_env=lambda port, var: {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "MAIL_CATCHER_DIR": f"{var}/mail",
    },
)

if __name__ == "__main__":
    main()
