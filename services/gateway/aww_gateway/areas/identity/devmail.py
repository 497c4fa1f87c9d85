"""Development helpers: the mail catcher's mailbox (MAIL_CATCHER_DIR, .eml files) and the test
eID cards (EID_TEST_CARDS_DIR). The pages using them exist only when AWW_ENVIRONMENT=development."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
from pathlib import Path

MAIL_ID = re.compile(r"^[A-Za-z0-9T-]{1,80}$")


def mailbox_dir() -> Path | None:
    folder = os.environ.get("MAIL_CATCHER_DIR")
    return Path(folder) if folder else None


def _parse(path: Path, with_body: bool) -> dict:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    found = {
        "id": path.stem,
        "to": str(message.get("To", "")),
        "subject": str(message.get("Subject", "")),
        "date": str(message.get("Date", "")),
    }
    if with_body:
        part = message.get_body(preferencelist=("plain",))
        found["text"] = part.get_content() if part is not None else ""
    return found


def list_mails(folder: Path, limit: int = 200) -> list[dict]:
    if not folder.is_dir():
        return []
    paths = sorted(folder.glob("*.eml"), reverse=True)[:limit]
    return [_parse(path, False) for path in paths]


def read_mail(folder: Path, mail_id: str) -> dict | None:
    if not MAIL_ID.match(mail_id):
        return None
    path = folder / f"{mail_id}.eml"
    return _parse(path, True) if path.is_file() else None


def cards_dir() -> Path | None:
    folder = os.environ.get("EID_TEST_CARDS_DIR")
    return Path(folder) if folder else None


def test_cards() -> list[dict]:
    folder = cards_dir()
    if folder is None or not folder.is_dir():
        return []
    cards = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text())
        cards.append({"slug": data["slug"], "name": f"{data['first_name']} {data['last_name']}"})
    return cards


def test_card_pem(slug: str) -> str | None:
    folder = cards_dir()
    path = folder / f"{slug}.pem" if folder else None
    return path.read_text() if path is not None and path.is_file() else None
