"""Wallet configuration from the environment, with safe defaults for a local run.

The seller (the platform operator, who issues the invoices) and the bank account that receives
transfers are configuration; the defaults are fictitious but carry valid check digits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aww_wallet.domain.identifiers import valid_enterprise_number, valid_iban
from servicekit.config import env, env_int


@dataclass(frozen=True)
class Seller:
    name: str = field(default_factory=lambda: env("WALLET_SELLER_NAME", "AML Platform (demo operator)"))
    enterprise_number: str = field(default_factory=lambda: env("WALLET_SELLER_ENTERPRISE_NUMBER", "0795148392"))
    street: str = field(default_factory=lambda: env("WALLET_SELLER_STREET", "Kunstlaan 1"))
    postcode: str = field(default_factory=lambda: env("WALLET_SELLER_POSTCODE", "1000"))
    city: str = field(default_factory=lambda: env("WALLET_SELLER_CITY", "Brussel"))
    country: str = field(default_factory=lambda: env("WALLET_SELLER_COUNTRY", "BE"))
    iban: str = field(default_factory=lambda: env("WALLET_BANK_IBAN", "BE68539007547034"))
    bic: str = field(default_factory=lambda: env("WALLET_BANK_BIC", "GKCCBEBB"))

    def __post_init__(self) -> None:
        if not valid_enterprise_number(self.enterprise_number):
            raise SystemExit("configuration error: WALLET_SELLER_ENTERPRISE_NUMBER has invalid check digits")
        if not valid_iban(self.iban):
            raise SystemExit("configuration error: WALLET_BANK_IBAN is not a valid IBAN")

    @property
    def vat_number(self) -> str:
        return "BE" + self.enterprise_number

    def as_party(self) -> dict:
        return {
            "name": self.name,
            "enterprise_number": self.enterprise_number,
            "vat_number": self.vat_number,
            "address": {"street": self.street, "postcode": self.postcode, "city": self.city, "country": self.country},
            "iban": self.iban,
        }


@dataclass(frozen=True)
class Settings:
    public_url: str = field(default_factory=lambda: env("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"))
    mollie_endpoint: str = field(default_factory=lambda: env("MOLLIE_API_ENDPOINT", "https://api.mollie.com"))
    mollie_api_key: str = field(default_factory=lambda: env("MOLLIE_API_KEY", ""))
    hold_minutes: int = field(default_factory=lambda: env_int("WALLET_HOLD_MINUTES", 15))
    document_language: str = field(default_factory=lambda: env("WALLET_DOCUMENT_LANGUAGE", "nl"))
