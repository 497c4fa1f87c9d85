"""Every operation of the API, with input generated from its own OpenAPI document (schemathesis):
valid and invalid bodies, query strings and path parameters, as an AML officer and as an office
admin of their own office. Whatever comes in, the answer is never a server error (a 5xx), and it
is the answer the document describes: a documented status, content type, headers and body
schema; a method the path does not take gets 405 with Allow. Not checked: that every request the
document allows is accepted (a wrong code or an unknown tool is refused by the service's rules,
which a schema cannot state)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from aml_flows import aml_office

# What would end the fuzzing user's session or account midway (logout, password change,
# deactivation, deletion): the rest of the run would only see 401s.
ENDS_THE_SESSION = r"^/api/v1/(session|sessions|account/(deactivation|deletion|password))(/|$)"


CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "unsupported_method",
    )
)

# The phases of each run: examples (from the document), coverage (the boundary cases of every
# field: missing, wrong type, too long, out of range …), fuzzing (random input), stateful (sequences
# following the document's links). The admin reaches the office's admin operations deeper; the
# deterministic cases are enough there (a run: ~4,600 and ~3,900 requests, ~45 s and ~22 s).
PHASES = {
    "officer": ["--phases", "examples,coverage,fuzzing,stateful", "--max-examples", "5"],
    "admin": ["--phases", "examples,coverage"],
}


@pytest.fixture(scope="module")
def office(stack):
    with httpx.Client(base_url=stack.base_url, timeout=60) as http:
        return aml_office(http, stack, 401, "Immo Fuzz")


@pytest.mark.parametrize("role", sorted(PHASES))
def test_no_generated_request_gets_a_server_error(stack, office, role, tmp_path):
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{stack.base_url}/api/v1/openapi.json",
        "--header",
        f"Authorization: {office[role]['headers']['Authorization']}",
        "--checks",
        CHECKS,
        *PHASES[role],
        "--seed",
        "20261207",  # the same requests on every run
        "--exclude-path-regex",
        ENDS_THE_SESSION,
        "--request-timeout",
        "30",
        "--continue-on-failure",
        "--no-color",
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    summary = re.search(r"(\d+) generated, (\d+) passed", run.stdout)
    failures = run.stdout[run.stdout.find("= FAILURES =") :] if "= FAILURES =" in run.stdout else run.stdout
    assert run.returncode == 0 and summary, failures[:12000] + run.stderr[-2000:]
    generated, passed = map(int, summary.groups())
    assert generated == passed and generated > 1000, summary.group(0)  # every operation was tried, many times
    operations = re.search(r"Tested: (\d+)", run.stdout)
    assert operations and int(operations.group(1)) >= 140, run.stdout[-3000:]
