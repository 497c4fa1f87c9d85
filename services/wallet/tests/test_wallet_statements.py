"""Bank statements: the real camt.053 and CODA samples parse; transfers with a wallet's structured
communication are booked once; the rest waits for an administrator; hostile files book nothing."""

import base64
from pathlib import Path

import pytest
from nameko.exceptions import RemoteError

SPECS = Path(__file__).resolve().parents[3].parent / "shared" / "specs"
CAMT_SAMPLE = (SPECS / "camt" / "test-camt053").read_bytes()
CAMT_MINIMAL = (SPECS / "camt" / "camt053.v2.minimal.xml").read_bytes()
CODA_SAMPLE = (SPECS / "coda" / "Ontvangen_CODA.2013-01-11-18.59.15.txt").read_bytes()


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def refused(fn):
    with pytest.raises(RemoteError) as error:
        fn()
    assert error.value.exc_type == "DomainError"
    return error.value.value


def camt_credit(ogm_digits: str, amount: str, currency="EUR", statement_id="STMT-1") -> bytes:
    """The minimal real sample with our structured communication, amount and statement id."""
    text = CAMT_MINIMAL.decode()
    text = text.replace("<Ref>4654654654654654</Ref>", f"<Ref>{ogm_digits}</Ref>")
    text = text.replace('<Amt Ccy="EUR">8.85</Amt>', f'<Amt Ccy="{currency}">{amount}</Amt>')
    return text.replace("<Id>253EURNL26VAYB8060476890</Id>", f"<Id>{statement_id}</Id>").encode()


def coda_credit(ogm_digits: str, sequence: str = "201") -> bytes:
    """The real CODA sample, as another statement (sequence number), whose second movement carries
    our structured communication."""
    lines = CODA_SAMPLE.decode("latin-1").split("\r\n")
    lines = [line[:2] + sequence + line[5:] if line.startswith("1") else line for line in lines]
    index = next(i for i, line in enumerate(lines) if line.startswith("2100020000"))
    line = lines[index]
    lines[index] = line[:62] + "101" + ogm_digits + line[77:]
    return "\r\n".join(lines).encode("latin-1")


def ogm_of(office, sql):
    return sql("SELECT ogm FROM wallets WHERE organisation_id = :o", o=office.organisation_id)[0][0]


def test_the_real_samples_parse_and_unmatched_credits_wait_for_review(admin, make_office, sql):
    make_office()
    result = admin.import_statement(filename="test-camt053", content_b64=b64(CAMT_SAMPLE))
    assert (result["format"], result["entries"], result["booked"], result["queued"], result["ignored"]) == (
        "camt.053",
        3,
        0,
        2,
        1,
    )
    assert admin.import_statement(filename="again.xml", content_b64=b64(CAMT_SAMPLE))["duplicate"] is True
    minimal = admin.import_statement(filename="minimal.xml", content_b64=b64(CAMT_MINIMAL))
    assert minimal["queued"] == 1
    coda = admin.import_statement(filename="sample.coda", content_b64=b64(CODA_SAMPLE))
    assert (coda["format"], coda["entries"], coda["queued"], coda["ignored"]) == ("coda", 5, 2, 3)
    reasons = {entry["reason"] for entry in admin.review_queue()}
    assert {"no_structured_reference", "invalid_reference", "unknown_reference"} <= reasons
    unknown = next(e for e in admin.review_queue() if e["reason"] == "unknown_reference")
    assert unknown["structured_ref"] == "+++240/2838/42818+++" and unknown["amount_cents"] == 304_445


def test_a_transfer_with_the_wallet_ogm_is_booked_once(admin, make_office, sql):
    office = make_office()
    ogm = ogm_of(office, sql)
    assert office.wallet.get_wallet()["bank_transfer"]["communication"] == f"+++{ogm[:3]}/{ogm[3:7]}/{ogm[7:]}+++"
    booked = admin.import_statement(filename="a.xml", content_b64=b64(camt_credit(ogm, "125.50")))
    assert booked["booked"] == 1, (booked, admin.review_queue()[-1:])
    assert office.wallet.get_wallet()["balance_cents"] == 12_550
    # the same statement re-exported (other bytes, same entries) books nothing again
    reexported = camt_credit(ogm, "125.50").replace(b"<AddtlInf>", b"<AddtlInf>re-export ")
    again = admin.import_statement(filename="a-again.xml", content_b64=b64(reexported))
    assert (again["duplicate"], again["booked"], again["already_imported"]) == (False, 0, 1)
    coda = admin.import_statement(filename="b.coda", content_b64=b64(coda_credit(ogm)))
    assert coda["booked"] == 1
    assert office.wallet.get_wallet()["balance_cents"] == 12_550 + 304_445
    assert admin.reconcile()["failures"] == []


def test_over_the_limit_or_foreign_currency_goes_to_review_and_an_admin_resolves_it(admin, make_office, sql):
    office = make_office()
    ogm = ogm_of(office, sql)
    result = admin.import_statement(filename="big.xml", content_b64=b64(camt_credit(ogm, "5000.01", statement_id="S2")))
    assert (result["booked"], result["queued"]) == (0, 1)
    dollars = admin.import_statement(filename="usd.xml", content_b64=b64(camt_credit(ogm, "80.00", "USD", "S3")))
    assert dollars["queued"] == 1
    queue = {e["reason"]: e for e in admin.review_queue()}
    big, usd = queue["over_limit"], queue["foreign_currency"]
    assert "only credits in EUR" in refused(
        lambda: admin.resolve_review(entry_id=usd["entry_id"], action="assign", organisation_id=office.organisation_id)
    )
    assert "say why" in refused(lambda: admin.resolve_review(entry_id=usd["entry_id"], action="dismiss"))
    admin.resolve_review(entry_id=usd["entry_id"], action="dismiss", note="refunded to the sender")
    admin.resolve_review(
        entry_id=big["entry_id"],
        action="assign",
        organisation_id=office.organisation_id,
        note="checked with the office",
    )
    assert office.wallet.get_wallet()["balance_cents"] == 500_001
    assert "already assigned" in refused(
        lambda: admin.resolve_review(entry_id=big["entry_id"], action="assign", organisation_id=office.organisation_id)
    )
    assert admin.reconcile()["failures"] == []


HOSTILE = {
    "external entity": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&x;</Document>',
    "billion laughs": b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&b;</Document>',
    "malformed xml": b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>',
    "other xml": b"<Invoice/>",
    "short coda record": b"0" * 100 + b"\r\n",
    "binary": bytes(range(1, 255)),
    "empty": b"",
    "camt without amount": CAMT_MINIMAL.replace(b'<Amt Ccy="EUR">8.85</Amt>', b""),
    "fraction of a cent": CAMT_MINIMAL.replace(b">8.85<", b">8.855<"),
    "negative amount": CAMT_MINIMAL.replace(b">8.85<", b">-8.85<"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_or_malformed_files_are_refused_and_book_nothing(admin, make_office, sql, name):
    make_office()
    before = sql("SELECT count(*) FROM statements")[0][0]
    message = refused(lambda: admin.import_statement(filename="x", content_b64=b64(HOSTILE[name])))
    assert message.startswith("file:"), message
    assert "root:" not in message
    assert sql("SELECT count(*) FROM statements")[0][0] == before


def test_only_platform_admins_import_statements(make_office):
    office = make_office(admin=True)
    assert "platform administrators" in refused(
        lambda: office.wallet.import_statement(filename="x.xml", content_b64=b64(CAMT_SAMPLE))
    )
