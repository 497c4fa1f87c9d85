"""The wallet's rules as plain Python (no broker, no database): money in cents and VAT, top-up
limits, structured communications, safe CSV cells, what a statement entry does, and statements
that are malformed or hostile (refused by name, before anything could be booked)."""

from datetime import date
from pathlib import Path

import pytest

from aww_contracts.errors import DomainError
from aww_wallet.domain.export import neutralise, to_csv
from aww_wallet.domain.identifiers import format_ogm, normalise_ogm, ogm_digits, valid_iban, valid_ogm_digits
from aww_wallet.domain.money import (
    amount,
    parse_decimal_eur,
    require_topup_amount,
    to_decimal_string,
    vat_cents,
)
from aww_wallet.domain.statements import BOOK, IGNORE, REVIEW, StatementEntry, decide, parse_statement

SPECS = Path(__file__).resolve().parents[3].parent / "shared" / "specs"
CODA_SAMPLE = (SPECS / "coda" / "Ontvangen_CODA.2013-01-11-18.59.15.txt").read_bytes()
CAMT_MINIMAL = (SPECS / "camt" / "camt053.v2.minimal.xml").read_bytes()


def refused(fn) -> DomainError:
    with pytest.raises(DomainError) as error:
        fn()
    return error.value


# ---- money -------------------------------------------------------------------------------------


def test_vat_is_per_line_rounded_half_up_to_the_cent():
    assert amount(1900, 2100).gross_cents == 2299 and amount(1900, 2100).vat_cents == 399
    assert amount(44_000, 2100).gross_cents == 53_240  # Silver
    assert vat_cents(2, 2100) == 0 and vat_cents(3, 2100) == 1  # 0.42 → 0, 0.63 → 1
    assert vat_cents(50, 2100) == 11  # 10.5 → 11: half-up, not banker's rounding
    with pytest.raises(ValueError):
        vat_cents(-1, 2100)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "more than zero"),
        (-5000, "more than zero"),
        (4999, "at least EUR 50.00"),
        (500_001, "may not exceed EUR 5000.00"),
        (50.5, "whole number of cents"),
        (5000.0, "whole number of cents"),
        ("5000", "whole number of cents"),
        (True, "whole number of cents"),
        (None, "whole number of cents"),
    ],
)
def test_top_up_amounts_outside_the_rules_are_refused_by_name(value, message):
    error = refused(lambda: require_topup_amount(value))
    assert error.code == "validation_failed" and "amount_cents" in str(error) and message in str(error)


def test_top_up_limits_themselves_are_allowed():
    assert require_topup_amount(5000) == 5000 and require_topup_amount(500_000) == 500_000


@pytest.mark.parametrize(
    ("text", "cents"),
    [("50", 5000), ("50.5", 5050), ("50.05", 5005), ("0.01", 1), ("4999.99", 499_999)],
)
def test_provider_and_bank_amounts_parse_to_cents(text, cents):
    assert parse_decimal_eur(text) == cents
    assert parse_decimal_eur(to_decimal_string(cents)) == cents


@pytest.mark.parametrize("text", ["-50.00", "50.005", "1e3", "50,00", "", " ", "+5", "050", "NaN", "١٢"])
def test_amounts_with_sign_fraction_of_a_cent_or_other_forms_do_not_parse(text):
    assert parse_decimal_eur(text) is None


# ---- identifiers -------------------------------------------------------------------------------


def test_structured_communications_carry_valid_check_digits():
    assert valid_ogm_digits("010806817183") and valid_ogm_digits("123456789002")
    assert not valid_ogm_digits("010806817180")
    assert normalise_ogm("+++010/8068/17183+++") == "010806817183"
    assert normalise_ogm("+++010/8068/17180+++") is None
    for base in (1, 97, 1_000_000, 9_999_999_999):
        digits = ogm_digits(base)
        assert len(digits) == 12 and valid_ogm_digits(digits)
        assert normalise_ogm(format_ogm(digits)) == digits


def test_ibans_are_checked_including_the_belgian_check():
    assert valid_iban("BE68539007547034")
    assert not valid_iban("BE41091811735141")  # passes mod 97 of the IBAN, fails the Belgian check


# ---- CSV export --------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["=1+1", "+32 2 123", "-2", "@SUM(A1)", "\tx", "\rx", "=cmd|' /C calc'!A0"])
def test_cells_a_spreadsheet_would_run_get_an_apostrophe(cell):
    assert neutralise(cell) == "'" + cell


def test_plain_cells_and_whole_rows_stay_as_they_are():
    assert neutralise("TX-1") == "TX-1" and neutralise(None) == "" and neutralise(12) == "12"
    text = to_csv(["reference", "amount"], [['=HYPERLINK("x")', "22.99"], ["Dossier; 1", "0.00"]])
    lines = text.split("\r\n")
    assert lines[0] == "reference;amount"
    assert lines[1] == '"\'=HYPERLINK(""x"")";22.99'
    assert lines[2] == '"Dossier; 1";0.00'


# ---- what a statement entry does ----------------------------------------------------------------


def entry(**changes) -> StatementEntry:
    values = {
        "entry_key": "k",
        "booking_date": date(2026, 11, 2),
        "amount_cents": 15_000,
        "currency": "EUR",
        "direction": "credit",
        "structured_ref": "010806817183",
        "raw_ref": "010806817183",
        "counterparty": "Payer",
        "counterparty_iban": "",
        "free_text": "",
    }
    return StatementEntry(**{**values, **changes})


@pytest.mark.parametrize(
    ("changes", "known", "outcome"),
    [
        ({}, True, (BOOK, None)),
        ({"amount_cents": 500_000}, True, (BOOK, None)),
        ({"amount_cents": 500_001}, True, (REVIEW, "over_limit")),
        ({"currency": "USD"}, True, (REVIEW, "foreign_currency")),
        ({"amount_cents": 0}, True, (REVIEW, "zero_amount")),
        ({}, False, (REVIEW, "unknown_reference")),
        ({"structured_ref": None, "raw_ref": None}, False, (REVIEW, "no_structured_reference")),
        ({"structured_ref": None, "raw_ref": "010806817180"}, False, (REVIEW, "invalid_reference")),
        ({"direction": "debit"}, True, (IGNORE, None)),
    ],
)
def test_only_euro_credits_up_to_the_limit_with_a_known_communication_are_booked(changes, known, outcome):
    assert decide(entry(**changes), known) == outcome


# ---- malformed and hostile statements -------------------------------------------------------------


def coda_with(movement_change) -> bytes:
    lines = CODA_SAMPLE.decode("latin-1").split("\r\n")
    index = next(i for i, line in enumerate(lines) if line.startswith("21"))
    lines[index] = movement_change(lines[index])
    return "\r\n".join(lines).encode("latin-1")


MALFORMED = {
    "coda amount with letters": (coda_with(lambda r: r[:32] + "00000000000AB00" + r[47:]), "invalid amount"),
    "coda fraction of a cent": (coda_with(lambda r: r[:32] + "000000000004355" + r[47:]), "fraction of a cent"),
    "coda unknown sign": (coda_with(lambda r: r[:31] + "7" + r[32:]), "invalid amount"),
    "coda short record": (coda_with(lambda r: r[:100]), "instead of 128"),
    "coda unknown record type": (coda_with(lambda r: "7" + r[1:]), "unknown type"),
    "coda without old balance": (
        b"\r\n".join(line for line in CODA_SAMPLE.split(b"\r\n") if not line.startswith(b"1")),
        "old-balance",
    ),
    "camt xxe": (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&x;</Document>',
        "document type declaration",
    ),
    "camt parameter entity": (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]><d/>',
        "",
    ),
    "camt fraction of a cent": (CAMT_MINIMAL.replace(b">8.85<", b">8.851<"), "invalid amount"),
    "camt negative amount": (CAMT_MINIMAL.replace(b">8.85<", b">-8.85<"), "invalid amount"),
    "camt neither credit nor debit": (CAMT_MINIMAL.replace(b"CRDT", b"XXXX").replace(b"DBIT", b"XXXX"), "neither"),
    "camt of another message": (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>', "not an ISO"),
    "not a statement": (b"%PDF-1.7\n", "neither a camt.053"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_or_hostile_statements_are_refused_naming_the_file(name):
    content, message = MALFORMED[name]
    error = refused(lambda: parse_statement(content, "statement"))
    assert error.code == "validation_failed"
    assert str(error).startswith("file:") and message in str(error), str(error)
    assert "root:" not in str(error)


def test_the_real_coda_sample_parses_into_global_movements_only():
    statement = parse_statement(CODA_SAMPLE, "sample.cod")
    assert statement.format == "coda" and statement.entries
    assert all(e.entry_key.endswith(":0000") for e in statement.entries)
    assert all(e.amount_cents > 0 and e.currency == "EUR" for e in statement.entries)
