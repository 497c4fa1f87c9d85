"""The service's "today" is the Brussels day, also in the hour(s) when UTC still has yesterday."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from aww_aml_workflow.cases import handling as cases
from aww_aml_workflow.domain.dates import local_date
from aww_aml_workflow.transactions import handling as transactions


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2026, 12, 6, 23, 30, tzinfo=UTC), date(2026, 12, 7)),  # winter: UTC+1
        (datetime(2026, 12, 6, 22, 59, tzinfo=UTC), date(2026, 12, 6)),
        (datetime(2026, 7, 1, 22, 15, tzinfo=UTC), date(2026, 7, 2)),  # summer: UTC+2
        (datetime(2026, 7, 1, 21, 59, tzinfo=UTC), date(2026, 7, 1)),
        (datetime(2026, 7, 2, 0, 30, tzinfo=timezone(timedelta(hours=2))), date(2026, 7, 2)),
    ],
)
def test_the_day_is_counted_in_brussels(moment, day):
    assert local_date(moment) == day


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError, match="aware"):
        local_date(datetime(2026, 12, 6, 23, 30))


@pytest.mark.parametrize("module", [cases, transactions])
def test_cases_and_transactions_count_in_brussels_days(module, monkeypatch):
    monkeypatch.setattr(module, "now", lambda: datetime(2026, 12, 6, 23, 30, tzinfo=UTC))
    assert module.today() == date(2026, 12, 7)
