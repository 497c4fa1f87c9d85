"""The reporting service in a container on its own database (tests that call it over RPC)."""

import pytest

from aww_reporting.service import ReportingService


@pytest.fixture
def reporting(container_factory, service_database):
    url = service_database("aww_reporting")
    container_factory(ReportingService, url)
    return url
