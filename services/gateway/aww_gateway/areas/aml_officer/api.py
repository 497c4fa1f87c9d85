"""The AML officer API: /api/v1/aml/officer/… over the aml-workflow service, which checks the
officer role, four-eyes and the tenant on every call (DESIGN.md §7).

The goAML file is downloaded as application/xml; it exists only once reporting validated it
against the office's goAML schema (a report with missing data answers 422 goaml_incomplete,
naming every missing item in `missing`).
"""

from __future__ import annotations

from typing import get_args

from aww_gateway.api import ApiCall, operation_factory
from aww_gateway.areas.aml.api import file_response
from aww_gateway.areas.aml_officer import models as m

S = "aml_workflow"
TAG = "aml-officer"
BASE = "/api/v1/aml/officer"
CASE = BASE + "/cases/{kind}/{case_id}"
REPORT = BASE + "/reports/{report_id}"
COMMON = ("not_found", "forbidden", "unauthenticated")


async def inbox(call: ApiCall):
    return await call.rpc(S, "officer_inbox")


async def counts(call: ApiCall):
    return await call.rpc(S, "officer_counts")


async def notifications(call: ApiCall):
    return await call.rpc(S, "officer_notifications", **call.query.model_dump())


async def timeline(call: ApiCall):
    return await call.rpc(S, "case_timeline", kind=call.path["kind"], case_id=call.path["case_id"])


async def get_case(call: ApiCall):
    return await call.rpc(S, "officer_case", kind=call.path["kind"], case_id=call.path["case_id"])


async def decide(call: ApiCall):
    return await call.rpc(
        S, "officer_decide", kind=call.path["kind"], case_id=call.path["case_id"], **call.body.model_dump()
    )


async def list_reports(call: ApiCall):
    return await call.rpc(S, "cfi_reports", **call.query.model_dump())


async def get_report(call: ApiCall):
    return await call.rpc(S, "cfi_report", report_id=call.path["report_id"])


async def edit_report(call: ApiCall):
    return await call.rpc(S, "edit_cfi_report", report_id=call.path["report_id"], **call.body.model_dump())


async def validate_report(call: ApiCall):
    return await call.rpc(S, "validate_cfi_report", report_id=call.path["report_id"], **call.body.model_dump())


async def download_report(call: ApiCall):
    return file_response(await call.rpc(S, "download_cfi_report", report_id=call.path["report_id"]))


async def submit_report(call: ApiCall):
    return await call.rpc(S, "submit_cfi_report", report_id=call.path["report_id"], **call.body.model_dump())


async def answer_report(call: ApiCall):
    return await call.rpc(S, "answer_cfi_report", report_id=call.path["report_id"], **call.body.model_dump())


async def get_settings(call: ApiCall):
    return await call.rpc(S, "officer_settings")


async def save_settings(call: ApiCall):
    return await call.rpc(S, "save_officer_settings", **call.body.model_dump())


KIND = {"type": "string", "enum": list(get_args(m.Kind))}
_op = operation_factory(tag=TAG, auth="organisation", errors=COMMON, path_parameters={"kind": KIND})

DECIDE_ERRORS = (*COMMON, "validation_failed", "conflict", "four_eyes")
REPORT_ERRORS = (*COMMON, "validation_failed", "conflict")
XML_RESPONSE = {200: {"description": "The validated goAML file", "content": {"application/xml": {}}}}

OPERATIONS = [
    _op(
        "GET",
        BASE + "/inbox",
        "getAmlOfficerInbox",
        "What waits for the AML officer: cases to decide, reports awaiting CTIF-CFI",
        inbox,
        response=m.Inbox,
    ),
    _op(
        "GET",
        BASE + "/counts",
        "getAmlOfficerCounts",
        "Counts for the navigation (officer: waiting items; everyone: unread notifications)",
        counts,
        response=m.NavCounts,
    ),
    _op(
        "GET",
        BASE + "/notifications",
        "listAmlNotifications",
        "What the officer did on the cases you proposed",
        notifications,
        query=m.NotificationQuery,
        response=m.Notifications,
        errors=(*COMMON, "validation_failed"),
    ),
    _op(
        "GET",
        CASE + "/timeline",
        "getAmlCaseTimeline",
        "Who did what and when on a case (officer and CTIF-CFI steps marked)",
        timeline,
        response=list[m.TimelineEntry],
        errors=(*COMMON, "validation_failed"),
    ),
    _op(
        "GET",
        CASE,
        "getAmlOfficerCase",
        "An escalated case as the officer sees it, with the four-eyes rule",
        get_case,
        response=m.CaseDetail,
        errors=(*COMMON, "validation_failed"),
    ),
    _op(
        "POST",
        CASE + "/decision",
        "decideAmlOfficerCase",
        "The officer accepts, refuses, or reports the case to CTIF-CFI (which blocks it until CTIF-CFI answers)",
        decide,
        body=m.Decision,
        response=m.CaseDetail,
        errors=DECIDE_ERRORS,
    ),
    _op(
        "GET",
        BASE + "/reports",
        "listAmlCfiReports",
        "The office's CTIF-CFI reports",
        list_reports,
        query=m.ReportQuery,
        response=list[m.Report],
        errors=(*COMMON, "validation_failed"),
    ),
    _op("GET", REPORT, "getAmlCfiReport", "A CTIF-CFI report and its lifecycle", get_report, response=m.ReportDetail),
    _op(
        "PATCH",
        REPORT,
        "editAmlCfiReport",
        "Change the reason or indicators (back to draft, new revision)",
        edit_report,
        body=m.ReportEdit,
        response=m.ReportDetail,
        errors=REPORT_ERRORS,
    ),
    _op(
        "POST",
        REPORT + "/validation",
        "validateAmlCfiReport",
        "Render the goAML file and validate it against the goAML schema",
        validate_report,
        body=m.ValidateRequest,
        response=m.ReportDetail,
        errors=(*REPORT_ERRORS, "goaml_incomplete", "goaml_invalid", "service_unavailable", "upstream_timeout"),
    ),
    _op(
        "GET",
        REPORT + "/file",
        "downloadAmlCfiReport",
        "Download the validated goAML XML file",
        download_report,
        errors=REPORT_ERRORS,
        extra_responses=XML_RESPONSE,
    ),
    _op(
        "POST",
        REPORT + "/submission",
        "submitAmlCfiReport",
        "Confirm the upload on the goAML portal with its reference",
        submit_report,
        body=m.Submission,
        response=m.ReportDetail,
        errors=REPORT_ERRORS,
    ),
    _op(
        "POST",
        REPORT + "/answer",
        "answerAmlCfiReport",
        "Record CTIF-CFI's answer (continue or stop)",
        answer_report,
        body=m.Answer,
        response=m.ReportDetail,
        errors=REPORT_ERRORS,
    ),
    _op(
        "GET",
        BASE + "/settings",
        "getAmlOfficerSettings",
        "The office's goAML settings and your goAML user code",
        get_settings,
        response=m.Settings,
    ),
    _op(
        "PUT",
        BASE + "/settings",
        "saveAmlOfficerSettings",
        "Save the office's goAML settings and/or your goAML user code",
        save_settings,
        body=m.SettingsUpdate,
        response=m.Settings,
        errors=(*COMMON, "validation_failed"),
    ),
]
