"""Rules of the AML officer's annual report and of record retention, as plain Python (no I/O).

Annual report (DOMAIN.md §2, suggested structure): the office's identification, the figures the
tool computes from the year's records, and the parts the officer writes. A report is a `draft`
that the officer edits until it is `final`; a final report never changes again (its figures are
frozen in it, so purging old records later does not change a report already made).

Retention (law of 18 Sept 2017, art. 60; DESIGN.md §7): AML records are kept ten years after the
end of the business relationship or after the transaction. A relationship ends when the office
says so, or when the contact was refused (a refused relationship never starts: the ten years run
from the refusal). Until the date nothing is deleted; after it a purge removes the personal data
and keeps the anonymous skeleton the statistics are computed from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from aww_aml_workflow.domain.dates import BRUSSELS
from aww_contracts.errors import DomainError, field_error

RETENTION_YEARS = 10
FIRST_YEAR = 2017  # the law of 18 September 2017
REPORT_STATES = ("draft", "final")

# the parts the officer writes (DOMAIN.md §2), in the order of the report
OFFICER_TEXTS = ("risk_assessment", "procedures", "atypical_transactions", "training", "action_plan")
REQUIRED_TEXTS = ("risk_assessment", "procedures", "training", "action_plan")
MAX_TEXT = 20_000
OFFICE_FIELDS = ("name", "enterprise_number", "biv_number", "officer_name", "senior_responsible")
REQUIRED_OFFICE = ("name", "enterprise_number", "officer_name")
MAX_OFFICE_FIELD = 200
MAX_END_REASON = 500

# factor ids of the rulebook (cases/domain/rules/vigilance-*.yaml) counted as hits in the report
PEP_FACTORS = frozenset({"pep", "pep_family_associate", "related_pep"})
HIGH_RISK_COUNTRY_FACTORS = frozenset(
    {"eu_high_risk_country", "fatf_call_for_action", "fatf_increased_monitoring", "sanctioned_country"}
)
SANCTIONS_FACTORS = frozenset({"sanctions_match"})
LEVELS = ("simplified", "standard", "enhanced")


# ---- the year --------------------------------------------------------------------------------


def check_year(year, today: date) -> int:
    if not isinstance(year, int) or isinstance(year, bool):
        raise field_error("year", "give a year as a whole number")
    if year < FIRST_YEAR or year > today.year:
        raise field_error("year", f"choose a year from {FIRST_YEAR} to {today.year}")
    return year


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[start, end) of a calendar year in Belgian time, as UTC instants."""
    start = datetime.combine(date(year, 1, 1), time(0), BRUSSELS).astimezone(UTC)
    end = datetime.combine(date(year + 1, 1, 1), time(0), BRUSSELS).astimezone(UTC)
    return start, end


# ---- the officer's parts and the office identification -----------------------------------------


def clean_texts(texts) -> dict[str, str]:
    """The officer's parts given in an edit (only the keys given change)."""
    if not isinstance(texts, dict):
        raise field_error("texts", "must be an object")
    cleaned = {}
    for key, value in texts.items():
        if key not in OFFICER_TEXTS:
            raise field_error(f"texts.{key}", f"unknown part; the parts are {', '.join(OFFICER_TEXTS)}")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise field_error(f"texts.{key}", "must be text")
        if len(value) > MAX_TEXT:
            raise field_error(f"texts.{key}", f"at most {MAX_TEXT} characters")
        cleaned[key] = value.strip()
    return cleaned


def clean_office(office, normalise_enterprise_number) -> dict[str, str]:
    if not isinstance(office, dict):
        raise field_error("office", "must be an object")
    cleaned = {}
    for key, value in office.items():
        if key not in OFFICE_FIELDS:
            raise field_error(f"office.{key}", f"unknown field; the fields are {', '.join(OFFICE_FIELDS)}")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise field_error(f"office.{key}", "must be text")
        value = value.strip()
        if len(value) > MAX_OFFICE_FIELD:
            raise field_error(f"office.{key}", f"at most {MAX_OFFICE_FIELD} characters")
        if key == "enterprise_number" and value:
            try:
                value = normalise_enterprise_number(value)
            except ValueError as exc:
                raise field_error("office.enterprise_number", str(exc)) from None
        cleaned[key] = value
    return cleaned


def require_draft(state: str) -> None:
    if state != "draft":
        raise DomainError("conflict", "This annual report is final and no longer changes", state=state)


def missing_for_final(office: dict, texts: dict) -> list[str]:
    """The fields a final report needs that are still empty (named as the API names them)."""
    missing = [f"office.{key}" for key in REQUIRED_OFFICE if not (office.get(key) or "").strip()]
    missing += [f"texts.{key}" for key in REQUIRED_TEXTS if not (texts.get(key) or "").strip()]
    return missing


def check_complete(office: dict, texts: dict) -> None:
    missing = missing_for_final(office, texts)
    if missing:
        raise DomainError(
            "validation_failed",
            f"{missing[0]}: fill this in before finalising the report",
            field=missing[0],
            missing=missing,
        )


# ---- figures ----------------------------------------------------------------------------------


def hit_kinds(factor_ids) -> set[str]:
    ids = set(factor_ids or ())
    kinds = set()
    if ids & PEP_FACTORS:
        kinds.add("pep")
    if ids & HIGH_RISK_COUNTRY_FACTORS:
        kinds.add("high_risk_country")
    if ids & SANCTIONS_FACTORS:
        kinds.add("sanctions")
    return kinds


def by_level(counts: dict) -> dict[str, int]:
    return {level: int(counts.get(level, 0)) for level in LEVELS}


# ---- retention --------------------------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → 28 February
        return day.replace(year=day.year + years, day=28)


def retain_until(ended_on: date | None) -> date | None:
    """Ten years after the end of the relationship; None while it lasts."""
    return None if ended_on is None else add_years(ended_on, RETENTION_YEARS)


def latest(*days: date | None) -> date | None:
    known = [day for day in days if day is not None]
    return max(known) if known else None


@dataclass(frozen=True)
class RetentionState:
    ended_on: date | None
    ended_by: str  # office | refusal | none
    retain_until: date | None

    @property
    def purgeable_on(self) -> date | None:
        """The first day the purge may remove the personal data (the day after the date)."""
        return self.retain_until


def retention_state(explicit_end: date | None, refused_on: date | None, linked_until: date | None = None):
    """The contact's retention: its own end (explicit, else the refusal), and never before a
    linked record (a transaction it is a party to) may go."""
    if explicit_end is not None:
        ended_on, how = explicit_end, "office"
    elif refused_on is not None:
        ended_on, how = refused_on, "refusal"
    else:
        ended_on, how = None, "none"
    own = retain_until(ended_on)
    if own is None:
        return RetentionState(None, how, None)
    return RetentionState(ended_on, how, latest(own, linked_until))


def check_end_date(ended_on, today: date) -> date:
    if isinstance(ended_on, date):
        day = ended_on
    else:
        if not isinstance(ended_on, str):
            raise field_error("ended_on", "give a date (YYYY-MM-DD)")
        try:
            day = date.fromisoformat(ended_on)
        except ValueError:
            raise field_error("ended_on", "give a date (YYYY-MM-DD)") from None
    if day > today:
        raise field_error("ended_on", "the end of a relationship cannot be in the future")
    if day.year < 1990:
        raise field_error("ended_on", "give a date after 1990")
    return day


def due_for_purge(state: RetentionState, today: date) -> bool:
    return state.retain_until is not None and state.retain_until < today


# what a purged contact version keeps: the anonymous facts the annual figures rest on
def version_residue(kind: str, data: dict, beneficial_owner_count: int) -> dict:
    return {
        "purged": True,
        "role": data.get("role"),
        "beneficial_owner_count": int(beneficial_owner_count) if kind == "organisation" else 0,
    }


TIMELINE_KEEPS = ("version_no", "level", "decision", "rules_version", "factors", "hits", "open_hits", "subjects")


def timeline_residue(details: dict) -> dict:
    """Timeline details without free text (reasons, motivations, answers, file names)."""
    return {key: value for key, value in (details or {}).items() if key in TIMELINE_KEEPS}


def factor_residue(factors) -> list[dict]:
    """Assessment factors without their parameters (which may hold names or numbers)."""
    return [{"id": f.get("id"), "effect": f.get("effect")} for f in factors or [] if isinstance(f, dict)]
