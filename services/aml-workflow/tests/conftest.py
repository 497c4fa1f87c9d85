"""Fixtures of the tests where aml-workflow works with a real reporting service (goAML files)."""

import os

import pytest
from test_cases_service_support import XSD


@pytest.fixture(scope="module")
def goaml_schema():
    """reporting validates goAML files against the schema GOAML_XSD_PATH names."""
    before = os.environ.get("GOAML_XSD_PATH")
    os.environ["GOAML_XSD_PATH"] = str(XSD)
    yield XSD
    if before is None:
        os.environ.pop("GOAML_XSD_PATH", None)
    else:
        os.environ["GOAML_XSD_PATH"] = before


@pytest.fixture(scope="module")
def databases(service_database):
    """aml-workflow's and reporting's databases, in that order."""
    return service_database("aww_aml_workflow"), service_database("aww_reporting")
