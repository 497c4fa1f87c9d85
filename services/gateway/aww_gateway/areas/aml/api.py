"""The AML API: /api/v1/aml/… over the aml-workflow service, which checks the AML tool role and
the active organisation on every call (DESIGN.md §7); the gateway only shapes the HTTP side.

Uploads are multipart/form-data (fields `proof_kind` and `file`); downloads answer the file
itself with its media type and a Content-Disposition naming it.
"""

from __future__ import annotations

import base64
from urllib.parse import quote

from starlette.responses import Response

from aww_gateway.api import ApiCall, operation_factory
from aww_gateway.areas.aml import models as m
from aww_gateway.problems import Problem

S = "aml_workflow"
TAG = "aml"
C = "/api/v1/aml/contacts/{contact_id}"
P = "/api/v1/aml/risk-profiles/{risk_profile_id}"
COMMON = ("not_found", "forbidden", "unauthenticated")


def file_response(found: dict, inline: bool = False) -> Response:
    content = base64.b64decode(found["content_b64"])
    disposition = "inline" if inline else "attachment"
    name = found["filename"]
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "")
    return Response(
        content,
        media_type=found["media_type"],
        headers={
            "content-disposition": f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
            "cache-control": "private, no-store",
        },
    )


async def list_contacts(call: ApiCall):
    query = call.query.model_dump()
    query["query"] = query.pop("q")
    return await call.rpc(S, "search_contacts", **query)


async def create_contact(call: ApiCall):
    return await call.rpc(S, "create_contact", **call.body.model_dump())


async def get_contact(call: ApiCall):
    version = call.request.query_params.get("version")
    if version is not None and not version.isdigit():
        raise Problem(
            "validation_failed",
            "query.version: give a version number",
            errors=[{"field": "query.version", "message": "give a version number"}],
        )
    return await call.rpc(
        S, "get_contact", contact_id=call.path["contact_id"], version_no=int(version) if version else None
    )


async def update_contact(call: ApiCall):
    return await call.rpc(S, "update_contact", contact_id=call.path["contact_id"], data=call.body.data)


async def answer_questions(call: ApiCall):
    return await call.rpc(S, "answer_contact_questions", contact_id=call.path["contact_id"], answers=call.body.answers)


async def new_version(call: ApiCall):
    return await call.rpc(S, "new_contact_version", contact_id=call.path["contact_id"])


async def list_versions(call: ApiCall):
    return await call.rpc(S, "list_contact_versions", contact_id=call.path["contact_id"])


async def timeline(call: ApiCall):
    return await call.rpc(S, "contact_timeline", contact_id=call.path["contact_id"])


async def read_upload(request) -> tuple[str, str, bytes]:
    """(proof_kind, filename, content) of a multipart upload; a clear problem for anything else."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise Problem("unsupported_media_type", "Send the file as multipart/form-data with fields proof_kind and file")
    settings = request.app.state.settings
    try:
        form = await request.form(max_part_size=settings.max_upload_bytes)
    except Exception:  # python-multipart refuses a malformed or oversized body
        raise Problem(
            "validation_failed",
            "The upload is not a valid multipart form",
            errors=[{"field": "file", "message": "not a valid multipart form"}],
        ) from None
    upload = form.get("file")
    proof_kind = form.get("proof_kind")
    if not isinstance(proof_kind, str) or not proof_kind:
        raise Problem(
            "validation_failed",
            "proof_kind: say which proof this is",
            errors=[{"field": "proof_kind", "message": "say which proof this is"}],
        )
    if upload is None or isinstance(upload, str):
        raise Problem(
            "validation_failed", "file: choose a file", errors=[{"field": "file", "message": "choose a file"}]
        )
    content = await upload.read()
    return proof_kind, upload.filename or "", content


async def upload_document(call: ApiCall):
    proof_kind, filename, content = await read_upload(call.request)
    return await call.rpc(
        S,
        "upload_document",
        contact_id=call.path["contact_id"],
        proof_kind=proof_kind,
        filename=filename,
        content_b64=base64.b64encode(content).decode(),
    )


async def download_document(call: ApiCall):
    found = await call.rpc(S, "get_document", contact_id=call.path["contact_id"], document_id=call.path["document_id"])
    return file_response(found)


async def withdraw_document(call: ApiCall):
    return await call.rpc(
        S, "withdraw_document", contact_id=call.path["contact_id"], document_id=call.path["document_id"]
    )


async def screen(call: ApiCall):
    return await call.rpc(S, "screen_contact", contact_id=call.path["contact_id"])


async def decide_contact(call: ApiCall):
    return await call.rpc(S, "decide_contact", contact_id=call.path["contact_id"], **call.body.model_dump())


async def profile_questions(call: ApiCall):
    return await call.rpc(S, "risk_profile_questions", contact_id=call.path["contact_id"])


async def start_profile(call: ApiCall):
    return await call.rpc(S, "start_risk_profile", contact_id=call.path["contact_id"], **call.body.model_dump())


async def list_profiles(call: ApiCall):
    return await call.rpc(S, "list_risk_profiles", contact_id=call.path["contact_id"])


async def get_profile(call: ApiCall):
    return await call.rpc(S, "get_risk_profile", risk_profile_id=call.path["risk_profile_id"])


async def answer_profile(call: ApiCall):
    return await call.rpc(
        S, "answer_risk_profile", risk_profile_id=call.path["risk_profile_id"], answers=call.body.answers
    )


async def decide_profile(call: ApiCall):
    return await call.rpc(
        S, "decide_risk_profile", risk_profile_id=call.path["risk_profile_id"], **call.body.model_dump()
    )


async def escalate_profile(call: ApiCall):
    return await call.rpc(
        S, "escalate_risk_profile", risk_profile_id=call.path["risk_profile_id"], **call.body.model_dump()
    )


async def due_reviews(call: ApiCall):
    return await call.rpc(S, "due_reviews", within_days=call.query.within_days)


async def generate_acceptance(call: ApiCall):
    return await call.rpc(
        S, "generate_acceptance_document", contact_id=call.path["contact_id"], **call.body.model_dump()
    )


async def download_acceptance(call: ApiCall):
    found = await call.rpc(
        S, "get_acceptance_document", contact_id=call.path["contact_id"], document_id=call.path["document_id"]
    )
    return file_response(found)


async def prefill_eid(call: ApiCall):
    pem = call.body.certificate_pem.encode()
    return await call.rpc(S, "prefill_from_eid", certificate_b64=base64.b64encode(pem).decode())


async def prefill_enterprise(call: ApiCall):
    return await call.rpc(S, "prefill_from_enterprise_number", enterprise_number=call.path["enterprise_number"])


PDF_RESPONSE = {200: {"description": "The file", "content": {"application/pdf": {}, "application/msword": {}}}}


_op = operation_factory(tag=TAG, auth="organisation", errors=COMMON)

OPERATIONS = [
    _op(
        "GET",
        "/api/v1/aml/contacts",
        "listAmlContacts",
        "Search and filter the office's contacts",
        list_contacts,
        query=m.ContactQuery,
        response=m.ContactList,
    ),
    _op(
        "POST",
        "/api/v1/aml/contacts",
        "createAmlContact",
        "Create a contact (a first draft version)",
        create_contact,
        body=m.ContactCreate,
        response=m.Contact,
        status=201,
    ),
    _op(
        "GET",
        C,
        "getAmlContact",
        "A contact: a version (current by default, ?version=n), its proofs, wizard and vigilance level",
        get_contact,
        response=m.Contact,
    ),
    _op(
        "PATCH",
        C,
        "updateAmlContact",
        "Change the identification data of the draft version",
        update_contact,
        body=m.ContactUpdate,
        response=m.Contact,
        errors=(*COMMON, "conflict"),
    ),
    _op(
        "PUT",
        C + "/answers",
        "answerAmlContactQuestions",
        "Answer the wizard's questions",
        answer_questions,
        body=m.Answers,
        response=m.Contact,
        errors=(*COMMON, "conflict"),
    ),
    _op(
        "POST",
        C + "/versions",
        "editAmlContact",
        "Edit a decided contact: a new draft version (earlier versions stay unchanged)",
        new_version,
        response=m.Contact,
        status=201,
        errors=(*COMMON, "conflict"),
    ),
    _op(
        "GET",
        C + "/versions",
        "listAmlContactVersions",
        "Every version of a contact",
        list_versions,
        response=list[m.VersionSummary],
    ),
    _op(
        "GET",
        C + "/timeline",
        "getAmlContactTimeline",
        "Who did what on a contact, oldest first",
        timeline,
        response=list[m.TimelineEntry],
    ),
    _op(
        "POST",
        C + "/documents",
        "uploadAmlProof",
        "Upload a proof document (multipart: proof_kind, file; PDF, DOC or DOCX)",
        upload_document,
        response=m.Document,
        status=201,
        errors=(*COMMON, "conflict", "unsupported_media_type", "payload_too_large"),
        description=(
            "The file is recognised by its content; executables, ZIPs that are not Word documents, macros, "
            "PDFs with JavaScript and oversized files are refused and nothing is stored."
        ),
    ),
    _op(
        "GET",
        C + "/documents/{document_id}",
        "downloadAmlProof",
        "Download a proof document",
        download_document,
        extra_responses=PDF_RESPONSE,
    ),
    _op(
        "DELETE",
        C + "/documents/{document_id}",
        "withdrawAmlProof",
        "Take a proof off the draft (it stays archived)",
        withdraw_document,
        response=m.Contact,
        errors=(*COMMON, "conflict"),
    ),
    _op(
        "POST",
        C + "/screening",
        "screenAmlContact",
        "Screen the contact, its beneficial owners and representatives",
        screen,
        response=dict,
        errors=(*COMMON, "conflict"),
    ),
    _op(
        "POST",
        C + "/decision",
        "decideAmlContact",
        "Accept or refuse the draft version at its vigilance level",
        decide_contact,
        body=m.Decision,
        response=m.Contact,
        errors=(*COMMON, "conflict"),
    ),
    _op(
        "GET",
        C + "/risk-profile-questions",
        "getAmlRiskQuestions",
        "The risk-profile questionnaire for this contact",
        profile_questions,
        response=m.Questionnaire,
    ),
    _op(
        "POST",
        C + "/risk-profiles",
        "startAmlRiskProfile",
        "Answer (or skip, for a new contact) the risk-profile questionnaire",
        start_profile,
        body=m.RiskProfileStart,
        response=m.RiskProfile,
        status=201,
        errors=(*COMMON, "conflict"),
    ),
    _op(
        "GET",
        C + "/risk-profiles",
        "listAmlRiskProfiles",
        "The contact's risk profiles",
        list_profiles,
        response=list[m.RiskProfile],
    ),
    _op("GET", P, "getAmlRiskProfile", "A risk profile", get_profile, response=m.RiskProfile),
    _op(
        "PUT",
        P + "/answers",
        "answerAmlRiskProfile",
        "Change answers of an undecided risk profile",
        answer_profile,
        body=m.Answers,
        response=m.RiskProfile,
        errors=(*COMMON, "conflict"),
    ),
    _op(
        "POST",
        P + "/decision",
        "decideAmlRiskProfile",
        "Accept or refuse a risk profile with normal vigilance (refused = closed for good)",
        decide_profile,
        body=m.Decision,
        response=m.RiskProfile,
        errors=(*COMMON, "conflict"),
    ),
    _op(
        "POST",
        P + "/escalation",
        "escalateAmlRiskProfile",
        "Escalate an enhanced-vigilance risk profile to the AML officer",
        escalate_profile,
        body=m.Escalation,
        response=m.RiskProfile,
        errors=(*COMMON, "conflict"),
    ),
    _op(
        "GET",
        "/api/v1/aml/reviews",
        "listAmlDueReviews",
        "Accepted risk profiles due for periodic review",
        due_reviews,
        query=m.ReviewQuery,
        response=list[m.ContactSummary],
    ),
    _op(
        "POST",
        C + "/acceptance-documents",
        "generateAmlAcceptanceDocument",
        "Render and archive the acceptance document of a decided version",
        generate_acceptance,
        body=m.AcceptanceRequest,
        response=m.AcceptanceDocument,
        status=201,
        errors=(*COMMON, "conflict", "upstream_timeout"),
    ),
    _op(
        "GET",
        C + "/acceptance-documents/{document_id}",
        "downloadAmlAcceptanceDocument",
        "Download an acceptance document (PDF)",
        download_acceptance,
        extra_responses=PDF_RESPONSE,
    ),
    _op(
        "POST",
        "/api/v1/aml/prefill/eid",
        "prefillAmlFromEid",
        "Person data read from an eID authentication certificate",
        prefill_eid,
        body=m.EidPrefill,
        response=m.Prefill,
    ),
    _op(
        "GET",
        "/api/v1/aml/prefill/enterprise/{enterprise_number}",
        "prefillAmlFromEnterpriseNumber",
        "Organisation data from the company register",
        prefill_enterprise,
        response=m.Prefill,
        errors=(*COMMON, "service_unavailable"),
    ),
]
