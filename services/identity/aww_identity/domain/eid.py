"""Belgian eID authentication certificates: re-verify what the ingress passed on and read the card
holder from it (DOMAIN.md §4, DESIGN.md §7).

The ingress terminates TLS and verifies the client certificate, then passes the PEM on; we check
it again here, on our own, against the configured trust store (root and citizen CA certificates:
shared/specs/eid/ holds the real Belgian ones, the test PKI of aww_devtools.pki builds the same
shape): every link of the chain must be signed by the next, every certificate in its validity
period, every issuer a CA, and the chain must end at a self-signed certificate of the store.
Then the subject must be an *authentication* certificate whose serialNumber is a valid national
number. Revocation (CRL/OCSP) is the ingress's part.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import ExtensionOID, NameOID

from aww_identity.domain import national_number as nn

MAX_CHAIN = 5


class CertificateRefused(Exception):
    """reason: malformed, tampered, unknown_ca, expired, not_yet_valid, not_authentication,
    invalid_national_number."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class CardHolder:
    national_number: nn.NationalNumber
    first_name: str
    last_name: str
    certificate_serial: str
    issuer: str
    valid_until: datetime
    fingerprint: str  # sha256 of the DER certificate, hex


def _attribute(name: x509.Name, oid) -> str | None:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value).strip() if values else None


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS).value.ca)
    except x509.ExtensionNotFound:
        return False


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.subject != cert.issuer:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _check_dates(cert: x509.Certificate, now: datetime, what: str) -> None:
    if now < cert.not_valid_before_utc:
        raise CertificateRefused("not_yet_valid", f"The {what} is not valid yet")
    if now > cert.not_valid_after_utc:
        raise CertificateRefused("expired", f"The {what} has expired")


def load_certificates(pem_or_der: bytes) -> list[x509.Certificate]:
    if b"-----BEGIN" in pem_or_der:
        return x509.load_pem_x509_certificates(pem_or_der)
    return [x509.load_der_x509_certificate(pem_or_der)]


class TrustStore:
    def __init__(self, certificates: list[x509.Certificate]) -> None:
        self.certificates = list(certificates)

    @classmethod
    def from_paths(cls, paths: list[str | Path]) -> TrustStore:
        certificates: list[x509.Certificate] = []
        for raw in paths:
            path = Path(raw)
            files = (
                sorted(p for p in path.iterdir() if p.suffix in (".pem", ".crt", ".der")) if path.is_dir() else [path]
            )
            for file in files:
                certificates += load_certificates(file.read_bytes())
        return cls(certificates)

    def __len__(self) -> int:
        return len(self.certificates)

    def _trusted(self, cert: x509.Certificate) -> bool:
        return any(cert == candidate for candidate in self.certificates)

    def verify(self, pem: str | bytes, now: datetime | None = None) -> CardHolder:
        now = now or datetime.now(UTC)
        raw = pem.encode() if isinstance(pem, str) else pem
        try:
            presented = load_certificates(raw.strip())
        except ValueError:
            raise CertificateRefused("malformed", "The certificate cannot be read") from None
        if not presented:
            raise CertificateRefused("malformed", "The certificate cannot be read")
        leaf, extra = presented[0], presented[1:]
        _check_dates(leaf, now, "certificate")
        self._verify_chain(leaf, extra, now)
        return _card_holder(leaf)

    def _verify_chain(self, leaf: x509.Certificate, extra: list[x509.Certificate], now: datetime) -> None:
        current = leaf
        for _ in range(MAX_CHAIN):
            if self._trusted(current) and _self_signed(current):
                return
            candidates = [
                c
                for c in [*self.certificates, *extra]
                if c.subject == current.issuer and c != current and _same_key_id(current, c)
            ]
            if not candidates:
                raise CertificateRefused("unknown_ca", "The certificate was not issued by a recognised eID authority")
            issuer = None
            for candidate in candidates:
                try:
                    current.verify_directly_issued_by(candidate)
                except (ValueError, TypeError, InvalidSignature):
                    continue
                issuer = candidate
                break
            if issuer is None:
                raise CertificateRefused("tampered", "The certificate's signature does not match its issuer")
            if not _is_ca(issuer):
                raise CertificateRefused("unknown_ca", "The certificate's issuer is not a certification authority")
            _check_dates(issuer, now, "issuing authority's certificate")
            current = issuer
        raise CertificateRefused("unknown_ca", "The certificate chain does not end at a recognised eID root")


def _key_id(cert: x509.Certificate, oid) -> bytes | None:
    try:
        value = cert.extensions.get_extension_for_oid(oid).value
    except x509.ExtensionNotFound:
        return None
    return getattr(value, "key_identifier", None) or getattr(value, "digest", None)


def _same_key_id(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """An issuer with the right name but another key (another PKI using the same names) is an
    unknown authority, not a tampered certificate."""
    wanted = _key_id(cert, ExtensionOID.AUTHORITY_KEY_IDENTIFIER)
    held = _key_id(issuer, ExtensionOID.SUBJECT_KEY_IDENTIFIER)
    return wanted is None or held is None or wanted == held


def _card_holder(leaf: x509.Certificate) -> CardHolder:
    subject = leaf.subject
    common_name = _attribute(subject, NameOID.COMMON_NAME) or ""
    if not common_name.endswith("(Authentication)"):
        raise CertificateRefused("not_authentication", "This is not the authentication certificate of an eID card")
    try:
        usage = leaf.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
        if not usage.digital_signature:
            raise CertificateRefused("not_authentication", "The certificate may not be used for authentication")
    except x509.ExtensionNotFound:
        pass
    serial = _attribute(subject, NameOID.SERIAL_NUMBER) or ""
    try:
        number = nn.parse(serial)
    except nn.InvalidNationalNumber:
        raise CertificateRefused(
            "invalid_national_number", "The certificate does not hold a valid national number"
        ) from None
    first_name = _attribute(subject, NameOID.GIVEN_NAME) or ""
    last_name = _attribute(subject, NameOID.SURNAME) or ""
    if not first_name or not last_name:
        raise CertificateRefused("malformed", "The certificate does not name its holder")
    return CardHolder(
        national_number=number,
        first_name=" ".join(first_name.split()),
        last_name=" ".join(last_name.split()),
        certificate_serial=format(leaf.serial_number, "x"),
        issuer=leaf.issuer.rfc4514_string(),
        valid_until=leaf.not_valid_after_utc,
        fingerprint=hashlib.sha256(leaf.public_bytes(_der())).hexdigest(),
    )


def _der():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def birth_date_of(holder: CardHolder) -> date | None:
    return holder.national_number.birth_date
