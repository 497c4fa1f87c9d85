"""Codes and tokens: drawn from the `secrets` module, stored only as hashes.

- session tokens and reset links: 256 random bits, so a plain SHA-256 is enough to store them;
- activation and e-mail codes: 8 characters from 32 (40 bits), typed by a person, limited in
  attempts and time; stored as an HMAC keyed per account so equal codes never look alike.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(typed: str) -> str:
    cleaned = "".join(ch for ch in str(typed).upper() if ch.isalnum())
    return f"{cleaned[:4]}-{cleaned[4:]}" if len(cleaned) == 8 else cleaned


def code_hash(code: str, salt: str) -> bytes:
    return hmac.new(salt.encode(), normalise_code(code).encode(), hashlib.sha256).digest()


def codes_equal(stored: bytes, typed: str, salt: str) -> bool:
    return hmac.compare_digest(bytes(stored), code_hash(typed, salt))
