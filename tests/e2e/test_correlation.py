"""A correlation id follows a request from the gateway into the service it calls, into the events
that service commits and into the service's JSON log lines."""

import json
import uuid

import psycopg
from organisation_flows import ADDRESS, account, enterprise_number

from servicekit.testing.infra import PG_ADMIN_DSN


def outbox_envelopes(stack, service: str, correlation_id: str) -> list[dict]:
    with psycopg.connect(PG_ADMIN_DSN, dbname=f"{stack.db_prefix}{service}") as conn:
        rows = conn.execute(
            "SELECT envelope FROM outbox WHERE envelope->>'correlation_id' = %s", (correlation_id,)
        ).fetchall()
    return [row[0] for row in rows]


def log_lines(stack, service: str, correlation_id: str) -> list[dict]:
    lines = (stack.log_dir / f"{service}.log").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if correlation_id in line]


def test_the_callers_correlation_id_reaches_the_service_its_events_and_its_log(http, stack):
    person = account(http, stack, prefix="traced")
    body = {"enterprise_number": enterprise_number(31), "name": "Immo Traced", "address": ADDRESS,
            "vat_liable": True, "contact_email": person["email"]}  # fmt: skip
    created_as = f"e2e-created-{uuid.uuid4()}"
    created = http.post(
        "/api/v1/organisations", headers={**person["headers"], "X-Correlation-Id": created_as}, json=body
    )
    assert created.status_code == 201, created.text
    assert created.headers["x-correlation-id"] == created_as
    events = outbox_envelopes(stack, "organisation", created_as)
    assert {event["event_type"] for event in events} >= {"organisation_changed", "access_changed"}

    refused_as = f"e2e-refused-{uuid.uuid4()}"
    again = http.post("/api/v1/organisations", headers={**person["headers"], "X-Correlation-Id": refused_as}, json=body)
    assert again.status_code == 409 and again.json()["correlation_id"] == refused_as
    logged = log_lines(stack, "organisation", refused_as)  # the service's warning about the refusal
    assert logged and all(line["correlation_id"] == refused_as for line in logged)
    assert {line["service"] for line in logged} == {"organisation"} and logged[0]["level"] == "warning"
