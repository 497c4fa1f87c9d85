"""Filling a person in from a Belgian eID: the card's authentication certificate names its holder
(subject serialNumber = national register number, G = given names, SN = surname; DOMAIN.md §4).

The certificate is only believed when it chains up to a configured eID trust anchor (root →
citizen CA → "Name (Authentication)"), is within its validity period and names a valid national
number. Pure: anchors and the time come in as arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.x509.oid import NameOID

from aww_aml_workflow.cases.domain.identifiers import InvalidIdentifier, parse_person_number


class EidRefused(ValueError):
    pass


@dataclass(frozen=True)
class EidHolder:
    person_number: str
    first_names: str
    last_name: str
    birth_date: str | None
    sex: str | None
    country: str | None


def load_certificates(blob: bytes) -> list[x509.Certificate]:
    blob = blob.strip()
    try:
        if blob.startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificates(blob)
        return [x509.load_der_x509_certificate(blob)]
    except ValueError:
        raise EidRefused("The file is not an X.509 certificate (PEM or DER)") from None


def _attribute(name: x509.Name, oid) -> str | None:
    values = name.get_attributes_for_oid(oid)
    return values[0].value if values else None


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, Exception):  # InvalidSignature is not a ValueError
        return False
    return True


def verify_chain(cert: x509.Certificate, pool: list[x509.Certificate], anchors: list[x509.Certificate], now) -> None:
    """Walk up from `cert` through `pool` (intermediates) to one of `anchors`."""
    anchor_keys = {anchor.fingerprint(anchor.signature_hash_algorithm or _sha256()) for anchor in anchors}
    current = cert
    for _ in range(5):
        if not (current.not_valid_before_utc <= now <= current.not_valid_after_utc):
            raise EidRefused("A certificate of the eID chain is expired or not yet valid")
        for anchor in anchors:
            if _issued_by(current, anchor):
                if not (anchor.not_valid_before_utc <= now <= anchor.not_valid_after_utc):
                    raise EidRefused("The eID root certificate is expired")
                return
        parent = next((c for c in pool if c is not current and _issued_by(current, c)), None)
        if parent is None:
            raise EidRefused("The certificate does not come from a trusted eID certification authority")
        if parent.fingerprint(parent.signature_hash_algorithm or _sha256()) in anchor_keys:
            return
        current = parent
    raise EidRefused("The eID certificate chain is too long")


def _sha256():
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256()


def read_holder(
    blob: bytes, *, anchors: list[x509.Certificate], intermediates: list[x509.Certificate], now: datetime
) -> EidHolder:
    certificates = load_certificates(blob)
    leaf = next(
        (
            c
            for c in certificates
            if _attribute(c.subject, NameOID.SERIAL_NUMBER) and _attribute(c.subject, NameOID.SURNAME)
        ),
        None,
    )
    if leaf is None:
        raise EidRefused("This is not the authentication certificate of an eID card")
    if not anchors:
        raise EidRefused("No eID trust anchor is configured: the card cannot be verified")
    verify_chain(leaf, [c for c in certificates if c is not leaf] + intermediates, anchors, now)
    try:
        number = parse_person_number(_attribute(leaf.subject, NameOID.SERIAL_NUMBER) or "")
    except InvalidIdentifier:
        raise EidRefused("The certificate does not hold a valid national register number") from None
    return EidHolder(
        person_number=number.digits,
        first_names=_attribute(leaf.subject, NameOID.GIVEN_NAME) or "",
        last_name=_attribute(leaf.subject, NameOID.SURNAME) or "",
        birth_date=number.birth_date.isoformat() if number.birth_date else None,
        sex=number.sex,
        country=_attribute(leaf.subject, NameOID.COUNTRY_NAME),
    )
