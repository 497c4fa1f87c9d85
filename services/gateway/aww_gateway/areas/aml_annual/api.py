"""The annual-report, audit-log and retention API: /api/v1/aml/annual-reports/…, /api/v1/aml/audit-log,
/api/v1/aml/retention and a contact's relationship end, over the aml-workflow service, which checks
the AML tool role (annual report, audit log and retention overview: AML officers) on every call."""

from __future__ import annotations

from aww_gateway.api import ApiCall, operation_factory
from aww_gateway.areas.aml.api import file_response
from aww_gateway.areas.aml_annual import models as m
from aww_gateway.problems import Problem

S = "aml_workflow"
TAG = "aml annual report"
R = "/api/v1/aml/annual-reports/{year}"
COMMON = ("not_found", "forbidden", "unauthenticated", "validation_failed")


def year_of(call: ApiCall) -> int:
    raw = call.path["year"]
    if not raw.isdigit() or len(raw) != 4:
        raise Problem("validation_failed", "year: give a year (YYYY)", errors=[{"field": "year", "message": "YYYY"}])
    return int(raw)


def _set(model) -> dict | None:
    return None if model is None else model.model_dump(exclude_none=True)


async def list_reports(call: ApiCall):
    return await call.rpc(S, "annual_reports")


async def open_report(call: ApiCall):
    return await call.rpc(S, "open_annual_report", year=year_of(call))


async def get_report(call: ApiCall):
    return await call.rpc(S, "get_annual_report", year=year_of(call))


async def update_report(call: ApiCall):
    return await call.rpc(
        S, "update_annual_report", year=year_of(call), office=_set(call.body.office), texts=_set(call.body.texts)
    )


async def finalise_report(call: ApiCall):
    return await call.rpc(S, "finalise_annual_report", year=year_of(call), language=call.body.language)


async def download_report(call: ApiCall):
    found = await call.rpc(S, "get_annual_report_document", year=year_of(call), language=call.query.language)
    return file_response(found)


async def audit_log(call: ApiCall):
    return await call.rpc(S, "audit_log", **call.query.model_dump())


async def retention_overview(call: ApiCall):
    return await call.rpc(S, "retention_overview", limit=call.query.limit)


async def contact_retention(call: ApiCall):
    return await call.rpc(S, "contact_retention", contact_id=call.path["contact_id"])


async def end_relationship(call: ApiCall):
    return await call.rpc(S, "end_relationship", contact_id=call.path["contact_id"], **call.body.model_dump())


async def reopen_relationship(call: ApiCall):
    return await call.rpc(S, "reopen_relationship", contact_id=call.path["contact_id"])


_op = operation_factory(
    tag=TAG, auth="organisation", errors=COMMON, path_parameters={"year": {"type": "string", "pattern": "^[0-9]{4}$"}}
)

PDF = {200: {"description": "The annual report (PDF)", "content": {"application/pdf": {}}}}
E = "/api/v1/aml/contacts/{contact_id}/relationship-end"

OPERATIONS = [
    _op("GET", "/api/v1/aml/annual-reports", "listAmlAnnualReports", "The office's annual reports (AML officers)",
        list_reports, response=list[m.ReportSummary]),
    _op("POST", R, "openAmlAnnualReport", "Open the year's report: a draft prefilled from the records (AML officers)",
        open_report, response=m.Report,
        description="Opening a year that has a report already answers that report; the figures of a draft are "
        "computed from the records each time it is read, those of a final report are frozen."),
    _op("GET", R, "getAmlAnnualReport", "The year's report with its figures", get_report, response=m.Report),
    _op("PATCH", R, "updateAmlAnnualReport", "Edit the officer's parts and the office identification of a draft",
        update_report, body=m.ReportUpdate, response=m.Report, errors=(*COMMON, "conflict")),
    _op("POST", R + "/finalisation", "finaliseAmlAnnualReport",
        "Finalise: the figures are frozen, the PDF is rendered and archived; the report never changes again",
        finalise_report, body=m.Finalisation, response=m.Report, errors=(*COMMON, "conflict", "upstream_timeout")),
    _op("GET", R + "/document", "downloadAmlAnnualReport", "The final report as PDF (?language=nl|fr|en)",
        download_report, query=m.DocumentQuery, extra_responses=PDF, errors=(*COMMON, "upstream_timeout")),
    _op("GET", "/api/v1/aml/audit-log", "listAmlAuditLog",
        "Who viewed or exported which personal data, newest first (AML officers)", audit_log, query=m.AuditQuery,
        response=m.AuditPage),
    _op("GET", "/api/v1/aml/retention", "getAmlRetentionOverview",
        "Retention of the office's records: counts and the next retention dates (AML officers)",
        retention_overview, query=m.RetentionQuery, response=m.RetentionOverview),
    _op("GET", "/api/v1/aml/contacts/{contact_id}/retention", "getAmlContactRetention",
        "A contact's retention date (10 years after the end of the relationship)", contact_retention,
        response=m.Retention),
    _op("PUT", E, "endAmlRelationship", "Mark the end of the relationship with a contact (retention starts)",
        end_relationship, body=m.RelationshipEnd, response=m.Retention, errors=(*COMMON, "conflict")),
    _op("DELETE", E, "reopenAmlRelationship", "The relationship goes on: lift the end (before the purge only)",
        reopen_relationship, response=m.Retention, errors=(*COMMON, "conflict")),
]  # fmt: skip
