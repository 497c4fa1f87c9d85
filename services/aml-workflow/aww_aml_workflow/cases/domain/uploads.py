"""What a proof document may be: PDF, DOC or DOCX, recognised by its content, within a size cap.

The file name's extension is only a claim: the bytes decide. Refused:
- anything that is not one of the three formats (an executable renamed .pdf, an image, a ZIP that
  is not a Word document, an Excel file in an OLE container …), or whose extension says otherwise;
- PDFs with active content (JavaScript, launch actions, embedded files, XFA forms) or encryption
  (an encrypted file cannot be checked), also when hidden in compressed object streams or behind
  #xx-escaped names;
- Word files with macros (a DOC with a VBA storage, a DOCX/DOCM with vbaProject or a macro-enabled
  content type, or an external template that could pull macros in);
- ZIP bombs: too many entries or too much uncompressed data;
- files over the configured cap.
The check reads only bytes in memory (no I/O) and refuses before anything is stored.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

PDF, DOC, DOCX = (
    "application/pdf",
    "application/msword",
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
)
EXTENSIONS = {"pdf": PDF, "doc": DOC, "docx": DOCX}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_ZIP_ENTRIES = 1000
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_INFLATED_STREAM = 20 * 1024 * 1024  # per PDF stream examined for hidden active content

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MACRO_CONTENT_TYPES = ("macroenabled", "vbaproject", "vbadata", "activex")
PDF_ACTIVE = {
    b"/JavaScript": "JavaScript",
    b"/JS": "JavaScript",
    b"/Launch": "a launch action",
    b"/EmbeddedFile": "an embedded file",
    b"/EmbeddedFiles": "an embedded file",
    b"/RichMedia": "embedded media",
    b"/XFA": "an XFA form",
    b"/SubmitForm": "a form that submits data",
    b"/ImportData": "a data import action",
}
_NAME = re.compile(rb"/[^\s/\[\]()<>{}%]+")
_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n")


class UploadRefused(ValueError):
    """The message is safe to show: it never echoes the file's content."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Recognised:
    media_type: str
    extension: str
    filename: str
    size: int


def extension_of(filename: str) -> str:
    name = (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def safe_filename(filename: str, extension: str) -> str:
    name = (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = re.sub(r"[^\w .()-]+", "_", stem, flags=re.UNICODE).strip(" ._")[:120] or "document"
    return f"{stem}.{extension}"


def recognise(content: bytes, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Recognised:
    """The document's type from its bytes, or UploadRefused with a clear reason."""
    size = len(content)
    if size == 0:
        raise UploadRefused("empty", "The file is empty")
    if size > max_bytes:
        raise UploadRefused(
            "too_large", f"The file is {size / 1048576:.1f} MB; the limit is {max_bytes / 1048576:.1f} MB"
        )
    claimed = extension_of(filename)
    if claimed not in EXTENSIONS:
        raise UploadRefused("extension", "Only PDF, DOC and DOCX files are accepted")
    if _looks_like_pdf(content):
        actual = "pdf"
        _check_pdf(content)
    elif content.startswith(OLE_MAGIC):
        actual = "doc"
        _check_doc(content)
    elif content.startswith(ZIP_MAGIC):
        actual = "docx"
        _check_docx(content)
    else:
        what = _sniff_other(content)
        raise UploadRefused("not_a_document", f"The file is {what}, not a PDF, DOC or DOCX document")
    if actual != claimed:
        raise UploadRefused(
            "extension_mismatch",
            f"The file is named .{claimed} but its content is a {actual.upper()} document; rename it and try again",
        )
    return Recognised(EXTENSIONS[actual], actual, safe_filename(filename, actual), size)


def _sniff_other(content: bytes) -> str:
    head = content[:8]
    if head.startswith(b"MZ") or head.startswith(b"\x7fELF") or head[:4] in (b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
        return "a program"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "an image"
    if head.startswith(b"#!"):
        return "a script"
    return "of an unknown type"


# ---- PDF -----------------------------------------------------------------------------------


def _looks_like_pdf(content: bytes) -> bool:
    # the header may follow up to 1024 bytes of garbage (ISO 32000-1, implementation note 13)
    return re.search(rb"%PDF-[12]\.\d", content[:1024]) is not None


def _names(data: bytes) -> set[bytes]:
    found = set()
    for match in _NAME.finditer(data):
        name = match.group(0)
        if b"#" in name:
            name = _HEX.sub(lambda m: bytes([int(m.group(1), 16)]), name)
        found.add(name)
    return found


def _inflated_streams(content: bytes):
    """Yield the decompressed content of Flate streams (bounded), to find what hides in them."""
    for match in _STREAM.finditer(content):
        start = match.end()
        end = content.find(b"endstream", start)
        if end < 0:
            continue
        raw = content[start:end]
        inflater = zlib.decompressobj()
        try:
            data = inflater.decompress(raw, MAX_INFLATED_STREAM)
        except zlib.error:
            continue
        yield data


def _check_pdf(content: bytes) -> None:
    if b"%%EOF" not in content[-2048:] and b"%%EOF" not in content:
        raise UploadRefused("broken", "The PDF file is incomplete or damaged")
    if b"startxref" not in content and b"/XRef" not in content:
        raise UploadRefused("broken", "The PDF file is incomplete or damaged")
    names = _names(content)
    for data in _inflated_streams(content):
        names |= _names(data)
    if b"/Encrypt" in names:
        raise UploadRefused("encrypted", "The PDF is encrypted and cannot be checked; upload an unprotected copy")
    for name, label in PDF_ACTIVE.items():
        if name in names:
            raise UploadRefused("active_content", f"The PDF contains {label}; only plain documents are accepted")


# ---- DOC (OLE2 compound file) -----------------------------------------------------------------


def _check_doc(content: bytes) -> None:
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(content))
    except Exception:  # olefile raises many types on a damaged container
        raise UploadRefused("broken", "The Word file is damaged") from None
    try:
        streams = ["/".join(entry).lower() for entry in ole.listdir(streams=True, storages=True)]
    finally:
        ole.close()
    if "encryptedpackage" in streams:
        raise UploadRefused("encrypted", "The document is encrypted and cannot be checked; upload an unprotected copy")
    if "worddocument" not in streams:
        raise UploadRefused("not_a_document", "The file is an Office file but not a Word document")
    if any(name.startswith(("macros", "_vba_project")) or "/vba/" in f"/{name}/" for name in streams):
        raise UploadRefused("macros", "The Word document contains macros; save it without macros (DOCX) and try again")


# ---- DOCX (Office Open XML package) -------------------------------------------------------------


def _check_docx(content: bytes) -> None:
    from defusedxml import ElementTree

    try:
        package = zipfile.ZipFile(io.BytesIO(content))
        infos = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadRefused("broken", "The file is a damaged ZIP archive, not a Word document") from None
    if len(infos) > MAX_ZIP_ENTRIES or sum(info.file_size for info in infos) > MAX_UNCOMPRESSED:
        raise UploadRefused("zip_bomb", "The Word document unpacks to far too much data")
    names = {info.filename.lower(): info for info in infos}
    if "[content_types].xml" not in names or "word/document.xml" not in names:
        raise UploadRefused("not_a_document", "The file is a ZIP archive, not a Word document")
    if any(name.endswith(("vbaproject.bin", "vbadata.xml")) for name in names):
        raise UploadRefused("macros", "The Word document contains macros; save it without macros and try again")
    try:
        types = ElementTree.fromstring(package.read(names["[content_types].xml"]))
        rels = [
            ElementTree.fromstring(package.read(info))
            for name, info in names.items()
            if name.startswith("word/_rels/") and name.endswith(".rels") and info.file_size < 1024 * 1024
        ]
    except Exception:  # defusedxml refuses entities; zlib or XML damage
        raise UploadRefused("broken", "The Word document is damaged") from None
    content_types = " ".join((el.get("ContentType") or "").lower() for el in types)
    if any(marker in content_types for marker in MACRO_CONTENT_TYPES):
        raise UploadRefused("macros", "The Word document contains macros; save it without macros and try again")
    if DOCX_MAIN not in content_types:
        raise UploadRefused("not_a_document", "The file is an Office package but not a Word document")
    for root in rels:
        for rel in root:
            kind = (rel.get("Type") or "").lower()
            if rel.get("TargetMode") == "External" and kind.endswith(("/attachedtemplate", "/oleobject", "/frame")):
                raise UploadRefused(
                    "external_template", "The Word document loads content from outside; save a plain copy and try again"
                )
