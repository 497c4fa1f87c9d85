"""The day in Belgium, the one calendar of the AML records.

Offices, the law and CTIF-CFI count in Belgian days: a review due "today", an ID card expired
"today", ten years of retention, the day CTIF-CFI answered. UTC days lag one or two hours behind
after midnight in Brussels, so every "today" of this service is `local_date(now)`.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")


def local_date(moment: datetime) -> date:
    """The Brussels day of an aware moment."""
    if moment.tzinfo is None:
        raise ValueError("local_date needs an aware datetime")
    return moment.astimezone(BRUSSELS).date()
