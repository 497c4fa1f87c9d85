"""Proof documents are recognised by content; everything else is refused with a clear reason."""

import pytest

from aww_aml_workflow.cases import samples
from aww_aml_workflow.cases.domain.uploads import DOC, DOCX, PDF, UploadRefused, recognise


@pytest.mark.parametrize(
    ("name", "content", "media_type"),
    [("id.pdf", samples.pdf(), PDF), ("statutes.docx", samples.docx(), DOCX), ("old.DOC", samples.doc(), DOC)],
)
def test_plain_documents_are_accepted(name, content, media_type):
    assert recognise(content, name).media_type == media_type


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("invoice.pdf", samples.executable(), "not_a_document"),
        ("statutes.docx", samples.plain_zip(), "not_a_document"),
        ("statutes.docx", samples.docx(macros=True), "macros"),
        ("statutes.docx", samples.docx(macro_content_type=True), "macros"),
        ("statutes.docx", samples.docx(external_template=True), "external_template"),
        ("statutes.doc", samples.doc(macros=True), "macros"),
        ("sheet.doc", samples.xls(), "not_a_document"),
        ("id.pdf", samples.pdf_with_javascript(), "active_content"),
        ("id.pdf", samples.pdf_with_hidden_javascript(), "active_content"),
        ("bomb.docx", samples.zip_bomb(), "zip_bomb"),
        ("id.pdf", samples.docx(), "extension_mismatch"),
        ("id.exe", samples.pdf(), "extension"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_dangerous_or_foreign_files_are_refused(name, content, reason):
    with pytest.raises(UploadRefused) as refused:
        recognise(content, name)
    assert refused.value.reason == reason


def test_the_size_cap_is_configurable():
    content = samples.pdf("x" * 2000)
    assert recognise(content, "a.pdf", max_bytes=len(content)).size == len(content)
    with pytest.raises(UploadRefused) as refused:
        recognise(content, "a.pdf", max_bytes=len(content) - 1)
    assert refused.value.reason == "too_large"


def test_an_encrypted_pdf_cannot_be_checked():
    content = samples.pdf().replace(b"/Size 6 /Root 1 0 R", b"/Size 6 /Root 1 0 R /Encrypt << /Filter /Standard >>")
    with pytest.raises(UploadRefused) as refused:
        recognise(content, "a.pdf")
    assert refused.value.reason == "encrypted"


def test_the_stored_name_is_safe():
    assert recognise(samples.pdf(), "../../etc/pass wd<>.pdf").filename == "pass wd.pdf"
