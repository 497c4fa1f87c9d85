"""What a transaction keeps once its retention date has passed (the purge: transactions/retention.py),
as plain Python: codes, ids, levels and amounts stay; names, addresses, references, reasons,
motivations, notes and answers go."""

from __future__ import annotations

PURGED_NAME = "—"

# timeline details a purged transaction keeps: codes, ids, levels, amounts (never a name, an address,
# a reference, a reason, a motivation, a note or an answer)
TIMELINE_KEEPS = (
    "level", "decision", "rules_version", "factors", "type", "role", "proposal", "from", "to", "cash_cents",
    "cash_must_be_reported", "paid_by", "amount_cents", "charge_id", "calculation_id", "code", "missing_cents",
    "fields", "report_id", "revision", "officers", "mailed", "version_no",
)  # fmt: skip


def purged_reference(transaction_id) -> str:
    return f"{PURGED_NAME} {transaction_id}"


def payment_residue(payment) -> dict:
    """How the price was paid without the notes: the methods and amounts (the cash figure rests on them)."""
    parts = (payment or {}).get("parts") if isinstance(payment, dict) else None
    return {
        "parts": [
            {"method": part.get("method"), "amount_cents": part.get("amount_cents")}
            for part in parts or []
            if isinstance(part, dict)
        ]
    }


def factor_residue(factors) -> list[dict]:
    return [{"id": f.get("id"), "effect": f.get("effect")} for f in factors or [] if isinstance(f, dict)]


def timeline_residue(details: dict) -> dict:
    return {key: value for key, value in (details or {}).items() if key in TIMELINE_KEEPS}
