"""A test eID PKI with the shape of the Belgian one (DOMAIN.md §4): a self-signed root, a citizen
CA below it, and per test person an authentication certificate
`SERIALNUMBER=<national number>, G=<given names>, SN=<surname>, CN=<Name> (Authentication), C=BE`.

    python -m aww_devtools.pki var/pki                       # create the root and citizen CA
    python -m aww_devtools.pki var/pki --card "An Peeters"   # issue a test card

Everything is fictitious: national numbers are generated with valid check digits. Files under
<dir>: root-ca.pem, citizen-ca.pem (+ keys), trust-store.pem (both CA certificates: what identity
is configured with), cards/<slug>.pem (certificate), .key.pem, .p12 (for a browser; password
"test"), and cards/<slug>.json (name and national number).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from belgian_ids import random_national_number

P12_PASSWORD = b"test"


def national_number(birth: date, gender: str, rng: random.Random | None = None) -> str:
    """A valid, fictitious national register number (DOMAIN.md §3)."""
    return random_national_number(birth, gender, rng)


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _write_key(path: Path, key) -> None:
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    path.chmod(0o600)


def _load(path: Path):
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _ca(subject: x509.Name, issuer_name: x509.Name, public_key, signing_key, path_length: int, years: int):
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )  # keyCertSign, cRLSign
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()), critical=False)
        .sign(signing_key, hashes.SHA256())
    )


@dataclass(frozen=True)
class TestPki:
    directory: Path

    @property
    def trust_store(self) -> Path:
        return self.directory / "trust-store.pem"

    @property
    def cards(self) -> Path:
        return self.directory / "cards"

    def root(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate((self.directory / "root-ca.pem").read_bytes())

    def citizen_ca(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate((self.directory / "citizen-ca.pem").read_bytes())

    def issue(
        self,
        first_name: str,
        last_name: str,
        *,
        number: str | None = None,
        birth: date | None = None,
        gender: str = "female",
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
        save: bool = True,
        rng: random.Random | None = None,
    ) -> Card:
        """A test card's authentication certificate, signed by the citizen CA."""
        rng = rng or random.Random()
        birth = birth or date(rng.randrange(1950, 2004), rng.randrange(1, 13), rng.randrange(1, 29))
        number = number or national_number(birth, gender, rng)
        key = _key()
        now = datetime.now(UTC)
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"),
                x509.NameAttribute(NameOID.COMMON_NAME, f"{first_name} {last_name} (Authentication)"),
                x509.NameAttribute(NameOID.SURNAME, last_name),
                x509.NameAttribute(NameOID.GIVEN_NAME, first_name),
                x509.NameAttribute(NameOID.SERIAL_NUMBER, number),
            ]
        )
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.citizen_ca().subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(valid_from or now - timedelta(days=1))
            .not_valid_after(valid_until or now + timedelta(days=365 * 10))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True
            )  # digitalSignature
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.citizen_ca().public_key()), critical=False
            )
            .sign(_load(self.directory / "citizen-ca.key.pem"), hashes.SHA256())
        )
        card = Card(first_name, last_name, number, cert, key)
        if save:
            card.save(self.cards)
        return card

    def card(self, name_slug: str) -> Card:
        data = json.loads((self.cards / f"{name_slug}.json").read_text())
        cert = x509.load_pem_x509_certificate((self.cards / f"{name_slug}.pem").read_bytes())
        return Card(data["first_name"], data["last_name"], data["national_number"], cert, None)

    def list_cards(self) -> list[dict]:
        return [json.loads(p.read_text()) for p in sorted(self.cards.glob("*.json"))]


@dataclass(frozen=True)
class Card:
    first_name: str
    last_name: str
    national_number: str
    certificate: x509.Certificate
    key: object | None

    @property
    def slug(self) -> str:
        return slug(f"{self.first_name} {self.last_name}")

    @property
    def pem(self) -> str:
        return _pem(self.certificate).decode()

    def header_value(self) -> str:
        """What ingress-nginx puts in `ssl-client-cert`: the URL-escaped PEM."""
        return quote(self.pem, safe="")

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{self.slug}.pem").write_bytes(_pem(self.certificate))
        if self.key is not None:
            _write_key(folder / f"{self.slug}.key.pem", self.key)
            p12 = pkcs12.serialize_key_and_certificates(
                self.slug.encode(),
                self.key,
                self.certificate,
                None,
                serialization.BestAvailableEncryption(P12_PASSWORD),
            )
            (folder / f"{self.slug}.p12").write_bytes(p12)
        (folder / f"{self.slug}.json").write_text(
            json.dumps(
                {
                    "slug": self.slug,
                    "first_name": self.first_name,
                    "last_name": self.last_name,
                    "national_number": self.national_number,
                    "certificate": f"{self.slug}.pem",
                },
                indent=2,
            )
        )


def ensure(directory: Path | str) -> TestPki:
    """Create the test root and citizen CA once; later calls reuse them."""
    folder = Path(directory)
    pki = TestPki(folder)
    if (folder / "trust-store.pem").exists():
        return pki
    folder.mkdir(parents=True, exist_ok=True)
    root_key, citizen_key = _key(), _key()
    root_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Test Belgium Root CA"),
        ]
    )
    citizen_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Test Citizen CA"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "202601"),
        ]
    )
    root = _ca(root_name, root_name, root_key.public_key(), root_key, 1, 20)
    citizen = _ca(citizen_name, root_name, citizen_key.public_key(), root_key, 0, 10)
    _write_key(folder / "root-ca.key.pem", root_key)
    _write_key(folder / "citizen-ca.key.pem", citizen_key)
    (folder / "root-ca.pem").write_bytes(_pem(root))
    (folder / "citizen-ca.pem").write_bytes(_pem(citizen))
    temporary = folder / "trust-store.pem.tmp"
    temporary.write_bytes(_pem(root) + _pem(citizen))
    temporary.replace(folder / "trust-store.pem")  # its presence means the PKI is complete
    return pki


def main() -> None:
    parser = argparse.ArgumentParser(prog="aww_devtools.pki")
    parser.add_argument("directory")
    parser.add_argument("--card", help='"Firstname Lastname" of a test card to issue')
    parser.add_argument("--gender", choices=("female", "male"), default="female")
    args = parser.parse_args()
    pki = ensure(args.directory)
    if args.card:
        first, _, last = args.card.partition(" ")
        card = pki.issue(first, last or "Test", gender=args.gender)
        print(f"issued {pki.cards / card.slug}.pem (national number {card.national_number})")
    print(f"trust store: {pki.trust_store}")


if __name__ == "__main__":
    main()
