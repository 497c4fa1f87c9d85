"""Bank statements: ISO 20022 camt.053 (any 001.xx version) and Belgian CODA, parsed into the
same entries, and the rule that decides what an entry does to a wallet.

XML is parsed with entity expansion, DTD loading and network access off, and a document that
carries a DOCTYPE at all is refused (DESIGN.md §7: no XXE, no billion laughs).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from lxml import etree

from aww_contracts.errors import field_error
from aww_wallet.domain.identifiers import normalise_ogm, valid_ogm_digits
from aww_wallet.domain.money import TOPUP_MAX_CENTS, parse_decimal_eur

MAX_STATEMENT_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class StatementEntry:
    entry_key: str  # stable across re-imports of the same statement: the duplicate guard
    booking_date: date | None
    amount_cents: int
    currency: str
    direction: str  # credit | debit
    structured_ref: str | None  # 12 digits of a valid OGM, if the entry carries one
    raw_ref: str | None  # what the bank sent as structured reference, valid or not
    counterparty: str
    counterparty_iban: str
    free_text: str


@dataclass(frozen=True)
class Statement:
    format: str  # camt.053 | coda
    source_id: str
    account: str
    entries: list[StatementEntry]


# ---- what an entry does --------------------------------------------------------------------

BOOK = "book"
REVIEW = "review"
IGNORE = "ignore"


def decide(entry: StatementEntry, known_ogm: bool) -> tuple[str, str | None]:
    """(outcome, reason): book a credit with a known OGM up to EUR 5,000; queue the rest of the
    credits for an administrator; ignore debits (the platform's own payments)."""
    if entry.direction != "credit":
        return IGNORE, None
    if entry.currency != "EUR":
        return REVIEW, "foreign_currency"
    if entry.amount_cents <= 0:
        return REVIEW, "zero_amount"
    if entry.structured_ref is None:
        return REVIEW, "invalid_reference" if entry.raw_ref else "no_structured_reference"
    if not known_ogm:
        return REVIEW, "unknown_reference"
    if entry.amount_cents > TOPUP_MAX_CENTS:
        return REVIEW, "over_limit"
    return BOOK, None


# ---- detection -----------------------------------------------------------------------------


def parse_statement(content: bytes, filename: str = "") -> Statement:
    if not isinstance(content, bytes | bytearray) or not content:
        raise field_error("file", "is empty")
    if len(content) > MAX_STATEMENT_BYTES:
        raise field_error("file", f"is larger than {MAX_STATEMENT_BYTES // (1024 * 1024)} MB")
    head = content.lstrip()[:200]
    if head.startswith(b"<") or head.startswith(b"\xef\xbb\xbf<"):
        return parse_camt053(content)
    if head[:1] == b"0":
        return parse_coda(content)
    raise field_error("file", "is neither a camt.053 XML statement nor a CODA file")


# ---- camt.053 ------------------------------------------------------------------------------

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)


def safe_xml(content: bytes) -> etree._Element:
    try:
        tree = etree.fromstring(bytes(content), parser=_PARSER).getroottree()
    except etree.XMLSyntaxError as exc:
        raise field_error("file", f"is not well-formed XML (line {exc.lineno})") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise field_error("file", "XML with a document type declaration (DTD, entities) is not accepted")
    return tree.getroot()


def _local(element) -> str:
    tag = element.tag
    return tag[tag.rfind("}") + 1 :] if isinstance(tag, str) else ""


# camt.053 versions differ in namespace only: match local names with lxml's "{*}" wildcard, which
# runs in C (a Python loop over QName() took 4 of the 7 s a 10,000-entry file needed to parse)


def _child(element, *path: str):
    node = element
    for name in path:
        if node is None:
            return None
        node = node.find(f"{{*}}{name}")
    return node


def _children(element, name: str):
    return element.findall(f"{{*}}{name}") if element is not None else []


def _text(element, *path: str) -> str:
    node = _child(element, *path) if path else element
    return (node.text or "").strip() if node is not None else ""


def _descendants(element, name: str):
    return list(element.iter(f"{{*}}{name}"))


def parse_camt053(content: bytes) -> Statement:
    root = safe_xml(content)
    namespace = etree.QName(root).namespace or ""
    if _local(root) != "Document" or not namespace.startswith("urn:iso:std:iso:20022:tech:xsd:camt.053."):
        raise field_error("file", "is XML but not an ISO 20022 camt.053 bank-to-customer statement")
    report = _child(root, "BkToCstmrStmt")
    statements = _children(report, "Stmt")
    if not statements:
        raise field_error("file", "holds no statement (Stmt)")
    message_id = _text(report, "GrpHdr", "MsgId")
    entries: list[StatementEntry] = []
    account = ""
    for statement in statements:
        statement_id = _text(statement, "Id")
        account = _text(statement, "Acct", "Id", "IBAN") or _text(statement, "Acct", "Id", "Othr", "Id")
        for index, entry in enumerate(_children(statement, "Ntry")):
            entries.append(_camt_entry(entry, f"camt:{account}:{statement_id}:{index}"))
    return Statement("camt.053", f"{message_id}/{_text(statements[0], 'Id')}", account, entries)


def _camt_entry(entry, key_prefix: str) -> StatementEntry:
    amount_node = _child(entry, "Amt")
    if amount_node is None:
        raise field_error("file", f"entry {key_prefix.rsplit(':', 1)[1]} has no amount")
    cents = parse_decimal_eur(amount_node.text or "")
    if cents is None:
        raise field_error("file", f"entry {key_prefix.rsplit(':', 1)[1]} has an invalid amount")
    currency = amount_node.get("Ccy", "")
    indicator = _text(entry, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise field_error("file", f"entry {key_prefix.rsplit(':', 1)[1]} is neither credit nor debit")
    if _text(entry, "RvslInd") == "true":
        indicator = "DBIT" if indicator == "CRDT" else "CRDT"  # a reversal undoes the opposite movement
    booking = _text(entry, "BookgDt", "Dt") or _text(entry, "BookgDt", "DtTm")[:10]
    refs = []
    for reference in _descendants(entry, "CdtrRefInf"):
        code = _text(reference, "Tp", "CdOrPrtry", "Cd")
        issuer = _text(reference, "Tp", "Issr")
        if code == "SCOR" and issuer in ("", "BBA"):
            refs.append(_text(reference, "Ref"))
    distinct = sorted(set(refs))
    raw_ref = distinct[0] if len(distinct) == 1 else (" | ".join(distinct) if distinct else None)
    structured = normalise_ogm(raw_ref) if raw_ref and len(distinct) == 1 else None
    party_tag = "Dbtr" if indicator == "CRDT" else "Cdtr"
    party = next(iter(_descendants(entry, party_tag)), None)
    party_account = next(iter(_descendants(entry, f"{party_tag}Acct")), None)
    free_text = " ".join(node.text.strip() for node in _descendants(entry, "Ustrd") if node.text)
    service_ref = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
    fingerprint = hashlib.sha256(
        f"{key_prefix}|{service_ref}|{cents}|{currency}|{indicator}|{booking}|{raw_ref}".encode()
    ).hexdigest()[:24]
    return StatementEntry(
        entry_key=f"{key_prefix}:{fingerprint}",
        booking_date=date.fromisoformat(booking) if booking else None,
        amount_cents=cents,
        currency=currency,
        direction="credit" if indicator == "CRDT" else "debit",
        structured_ref=structured,
        raw_ref=raw_ref,
        counterparty=_text(party, "Nm") if party is not None else "",
        counterparty_iban=_text(party_account, "Id", "IBAN") if party_account is not None else "",
        free_text=free_text[:500],
    )


# ---- CODA ----------------------------------------------------------------------------------


def _coda_date(text: str) -> date | None:
    try:
        return date(2000 + int(text[4:6]), int(text[2:4]), int(text[0:2]))
    except ValueError:
        return None


def parse_coda(content: bytes) -> Statement:
    """CODA 2.x: 128-character records. Movement records 2.1 carry amount, sign and the
    communication (position 62 = 1: structured; 63–65 = 101: OGM; 66–77: its 12 digits)."""
    try:
        text = bytes(content).decode("latin-1")
    except UnicodeDecodeError:  # latin-1 decodes every byte; kept for clarity
        raise field_error("file", "is not a CODA text file") from None
    lines = [line for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    if not lines or not lines[0].startswith("0"):
        raise field_error("file", "is not a CODA file (record 0 missing)")
    for number, line in enumerate(lines, start=1):
        if len(line) != 128:
            raise field_error("file", f"CODA record {number} has {len(line)} characters instead of 128")
        if line[0] not in "012348 9":
            raise field_error("file", f"CODA record {number} has an unknown type {line[0]!r}")
    header = lines[0]
    creation = header[5:11]
    old_balance = next((line for line in lines if line[0] == "1"), None)
    if old_balance is None:
        raise field_error("file", "CODA file without an old-balance record (1)")
    structure = old_balance[1]  # 0: Belgian account, 1: foreign, 2: Belgian IBAN, 3: foreign IBAN
    account = {"0": old_balance[5:17], "2": old_balance[5:21]}.get(structure, old_balance[5:39]).strip()
    currency = old_balance[18:21] if structure == "0" else old_balance[39:42]
    statement_seq = old_balance[2:5]
    entries: list[StatementEntry] = []
    pending: dict | None = None
    for line in lines:
        if line[0:2] == "21":
            if pending:
                entries.append(_coda_entry(pending, account, creation, statement_seq, currency))
            pending = {"main": line, "names": "", "iban": ""}
        elif line[0:2] == "23" and pending is not None and line[2:6] == pending["main"][2:6]:
            pending["iban"] = line[10:47].strip()
            pending["names"] = line[47:82].strip()
    if pending:
        entries.append(_coda_entry(pending, account, creation, statement_seq, currency))
    # only the global movements (detail number 0000) move money; details 0001+ break them down
    entries = [entry for entry in entries if entry.entry_key.endswith(":0000")]
    return Statement("coda", f"{account}/{creation}/{statement_seq}", account, entries)


def _coda_entry(pending: dict, account: str, creation: str, statement_seq: str, currency: str) -> StatementEntry:
    line = pending["main"]
    sequence, detail = line[2:6], line[6:10]
    sign = line[31]
    digits = line[32:47]
    if not digits.isdigit() or sign not in "01":
        raise field_error("file", f"CODA movement {sequence} has an invalid amount")
    milli = int(digits)  # 15 digits with 3 decimals
    if milli % 10:
        raise field_error("file", f"CODA movement {sequence} has a fraction of a cent")
    structured_flag, communication = line[61], line[62:115]
    raw_ref = None
    structured = None
    free_text = ""
    if structured_flag == "1":
        if communication[:3] == "101":
            raw_ref = communication[3:15]
            structured = raw_ref if valid_ogm_digits(raw_ref) else None
        else:
            free_text = communication.strip()
    else:
        free_text = communication.strip()
    return StatementEntry(
        entry_key=f"coda:{account}:{creation}:{statement_seq}:{sequence}:{detail}",
        booking_date=_coda_date(line[115:121]) or _coda_date(line[47:53]),
        amount_cents=milli // 10,
        currency=currency.strip() or "EUR",
        direction="credit" if sign == "0" else "debit",
        structured_ref=structured,
        raw_ref=raw_ref,
        counterparty=pending["names"],
        counterparty_iban=pending["iban"],
        free_text=free_text[:500],
    )
