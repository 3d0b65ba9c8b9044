"""Small real documents for upload tests: a PDF, a DOCX, and things that only pretend to be."""

from __future__ import annotations

import io
import zipfile


def pdf_document(*objects: bytes, root_extra: bytes = b"", page_extra: bytes = b"") -> bytes:
    """A well-formed one-page PDF (with its cross-reference table); ``objects`` become objects 4, 5, …"""
    bodies = [
        b"<</Type/Catalog/Pages 2 0 R" + root_extra + b">>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]" + page_extra + b">>",
        *objects,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj" % number + body + b"endobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    return bytes(out)


MINIMAL_PDF = pdf_document()

def minimal_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a word document")
    return buffer.getvalue()


WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
HTML_PAGE = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


# --- Files that pass the first bytes but not a closer look (issue 12, point 10) ----------------------

#: The EICAR anti-virus test string: harmless, and every scanner reports it (the fake clamd in the tests too).
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

PDF_OPENING_JAVASCRIPT = pdf_document(b"<</S/JavaScript/JS(app.alert\\(1\\))>>", root_extra=b"/OpenAction 4 0 R")
PDF_NAMED_JAVASCRIPT = pdf_document(
    b"<</JavaScript 5 0 R>>", b"<</Names[(a) 6 0 R]>>", b"<</S/JavaScript/JS(app.alert\\(1\\))>>",
    root_extra=b"/Names 4 0 R",
)  # fmt: skip
PDF_LINK_RUNNING_JAVASCRIPT = pdf_document(
    b"<</Type/Annot/Subtype/Link/Rect[0 0 10 10]/A<</S/JavaScript/JS(app.alert\\(1\\))>>>>",
    page_extra=b"/Annots[4 0 R]",
)
PDF_PAGE_ACTION_LAUNCH = pdf_document(page_extra=b"/AA<</O<</S/Launch/F(cmd.exe)>>>>")
PDF_EMBEDDED_FILE = pdf_document(
    b"<</EmbeddedFiles 5 0 R>>", b"<</Names[(a.exe) 6 0 R]>>", b"<</Type/Filespec/F(a.exe)/EF<</F 7 0 R>>>>",
    b"<</Type/EmbeddedFile/Length 2>>stream\nMZ\nendstream",
    root_extra=b"/Names 4 0 R",
)  # fmt: skip
PDF_FILE_ATTACHMENT = pdf_document(
    b"<</Type/Annot/Subtype/FileAttachment/Rect[0 0 10 10]/FS<</Type/Filespec/F(a.txt)>>>>",
    page_extra=b"/Annots[4 0 R]",
)
PDF_DAMAGED = b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 9 0 R>>endobj\nthis is not a pdf after all\n"

HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
ATTACHED_TEMPLATE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"


def docx_with(extra: dict[str, bytes | str] | None = None, content_types: str = "<Types/>") -> bytes:
    """A DOCX the first-bytes check accepts, with ``extra`` parts added."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", f'<?xml version="1.0"?>{content_types}')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def relationships(*targets: tuple[str, str]) -> str:
    """A ``word/_rels/document.xml.rels`` with external relationships of the given (type, target)."""
    rows = "".join(
        f'<Relationship Id="rId{number}" Type="{kind}" Target="{target}" TargetMode="External"/>'
        for number, (kind, target) in enumerate(targets, start=1)
    )
    return f'<?xml version="1.0"?><Relationships xmlns="x">{rows}</Relationships>'


def docx_expanding_to(total_bytes: int) -> bytes:
    """A DOCX of a few MB whose one image part unpacks to ``total_bytes`` of zeros (a zip bomb).

    The zeros are streamed into the compressor a megabyte at a time: nothing that size is ever in
    memory or on disk.
    """
    buffer = io.BytesIO()
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
        with archive.open("word/media/image1.png", "w", force_zip64=True) as entry:
            for _ in range(total_bytes // len(chunk)):
                entry.write(chunk)
    return buffer.getvalue()
