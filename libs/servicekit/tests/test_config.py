"""Configuration from the environment: the event batch settings reach the container config, and a
wrong value stops the service at start with a message naming the variable."""

import pytest

from servicekit.config import nameko_config


def test_event_batch_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("EVENT_BATCH_SIZE", "25")
    monkeypatch.setenv("EVENT_BATCHES_IN_FLIGHT", "3")
    config = nameko_config("wallet")
    assert (config["EVENT_BATCH_SIZE"], config["EVENT_BATCHES_IN_FLIGHT"]) == (25, 3)
    monkeypatch.delenv("EVENT_BATCH_SIZE")
    monkeypatch.delenv("EVENT_BATCHES_IN_FLIGHT")
    config = nameko_config("wallet")
    assert (config["EVENT_BATCH_SIZE"], config["EVENT_BATCHES_IN_FLIGHT"]) == (100, 2)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("EVENT_BATCH_SIZE", "0", "EVENT_BATCH_SIZE must be at least 1, got 0"),
        ("EVENT_BATCHES_IN_FLIGHT", "two", "EVENT_BATCHES_IN_FLIGHT must be an integer, got 'two'"),
        ("MAX_WORKERS", "-4", "MAX_WORKERS must be at least 1, got -4"),
    ],
)
def test_a_wrong_value_stops_the_start_naming_the_variable(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit, match=message):
        nameko_config("wallet")
