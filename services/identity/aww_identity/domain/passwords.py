"""Password rules and hashing.

argon2id with m = 19 MiB, t = 2, p = 1: OWASP's minimum for argon2id (Password Storage Cheat
Sheet). A hash takes about 20-30 ms of one core here (bench/identity_bench.py measures it), so a
login is run in a thread of its own (eventlet.tpool) by the service. Hashes record their
parameters: raising them later rehashes at the next successful login.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 128  # a bound on hashing work per request

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16)

# used when the username does not exist, so that both answers take the time of one hash
_DUMMY_HASH = HASHER.hash("timing equaliser for unknown usernames")

# a few of the most used passwords that pass the length rule; the length rule does most of the work
COMMON = frozenset(
    {
        "123456789012",
        "password1234",
        "passwordpassword",
        "qwertyuiopas",
        "azertyuiopqs",
        "111111111111",
        "000000000000",
        "abcdefghijkl",
        "iloveyou1234",
        "welcome12345",
        "wachtwoord12",
        "wachtwoord123",
        "motdepasse12",
        "motdepasse123",
        "administrator",
    }
)


def password_problem(password: str, *, username: str = "", email: str = "") -> str | None:
    """Why a new password is refused (an English sentence), or None if it is acceptable."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters"
    lowered = password.lower()
    if lowered in COMMON or len(set(password)) < 5:
        return "This password is too easy to guess"
    if username and username.lower() in lowered:
        return "The password may not contain the username"
    local = email.split("@")[0].lower() if email else ""
    if len(local) >= 4 and local in lowered:
        return "The password may not contain the e-mail address"
    return None


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant work whether or not there is a hash to check."""
    if not isinstance(password, str) or len(password) > MAX_LENGTH:
        password = ""
    try:
        return HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
