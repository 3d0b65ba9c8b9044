"""What a resume may contain, read from its structure rather than its first bytes: a PDF that parses and
carries no JavaScript, launch actions or embedded files; a DOCX whose zip is bounded (entries, each entry's
and the total uncompressed size, read from the central directory before anything is unpacked) and has no
macros, embedded programs or OLE objects, and no external relationships other than hyperlinks.

Each check returns the message shown beside the resume field, or None when the file is acceptable.
"""

from __future__ import annotations

import enum
import html
import io
import re
import zipfile

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

MAX_DOCX_ENTRIES = 1_000
MAX_DOCX_ENTRY_BYTES = 20 * 1024 * 1024
MAX_DOCX_TOTAL_BYTES = 50 * 1024 * 1024
#: A relationship file (``.rels``) read to look for external targets; real ones are a few kB.
MAX_RELS_BYTES = 1024 * 1024
#: PDF objects visited looking for active content; a resume has a few hundred.
MAX_PDF_OBJECTS = 200_000

UNREADABLE_PDF = "This PDF cannot be read: it may be damaged. Save your resume as a PDF again and attach it."
ENCRYPTED_PDF = "This PDF is password-protected. Attach a copy without a password."
ACTIVE_PDF = (
    "This PDF contains JavaScript or starts programs, which a resume does not need. "
    "Print it to a new PDF (or export it again) and attach that."
)
EMBEDDED_PDF = (
    "This PDF has files attached inside it. Attach a PDF of your resume alone, without attachments."
)
OVERSIZED_DOCX = (
    "This Word file unpacks to far more than a resume (too many parts, or parts that are too large). "
    "Save it again as .docx or as a PDF and attach that."
)
UNREADABLE_DOCX = "This Word file cannot be read: it may be damaged. Save it again as .docx or as a PDF."
MACRO_DOCX = "This Word file contains macros. Save it as a plain .docx document (without macros) or as a PDF."
EMBEDDED_DOCX = (
    "This Word file contains embedded objects or programs. Remove them, or save your resume as a PDF."
)
EXTERNAL_DOCX = (
    "This Word file loads content from the internet (a remote template, image or object). "
    "Save your resume as a PDF, or remove the linked content, and attach it again."
)



class ScanStatus(enum.StrEnum):
    """Where a stored resume is in the virus check (clamd, when ``CLAMD_SOCKET`` is set)."""

    UNSCANNED = "unscanned"  # stored while no scanner was configured
    PENDING = "pending"  # waiting for the scanner (it was unreachable at upload)
    CLEAN = "clean"
    REJECTED = "rejected"  # the scanner found something; the file is deleted


WAITING_FOR_SCAN = "Resume waiting for the virus check: it can be downloaded once the check finds it clean."
FAILED_SCAN = "The resume did not pass the virus check and was deleted; ask the applicant for another copy."


def withheld_because(status: ScanStatus) -> str | None:
    """Why reviewers may not download the file (waiting for the scan, or failed it), or None when they may."""
    if status == ScanStatus.PENDING:
        return WAITING_FOR_SCAN
    if status == ScanStatus.REJECTED:
        return FAILED_SCAN
    return None


# Names (as dictionary keys or values) that make a PDF run code or carry other files.
_ACTIVE_PDF_NAMES = frozenset({"/JS", "/JavaScript", "/Launch", "/RichMedia", "/SubmitForm", "/ImportData"})
_EMBEDDED_PDF_NAMES = frozenset({"/EmbeddedFiles", "/EmbeddedFile", "/FileAttachment"})
_EXECUTABLE_SUFFIXES = (
    ".bin", ".exe", ".dll", ".com", ".scr", ".bat", ".cmd", ".msi", ".ps1", ".vbs", ".vba", ".js", ".jar",
    ".hta", ".cpl", ".lnk", ".docm", ".dotm", ".xlsm", ".pptm",
)  # fmt: skip
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)>", re.S)
_ATTRIBUTE = re.compile(rb"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def pdf_problem(data: bytes) -> str | None:
    """Why this PDF is refused (damaged, encrypted, active content, attachments), or None."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return ENCRYPTED_PDF
        if len(reader.pages) < 1:
            return UNREADABLE_PDF
        names = _pdf_names(reader.trailer)
    # Hostile input can fail pypdf in any number of ways; every failure means "cannot be read".
    except Exception:  # noqa: BLE001
        return UNREADABLE_PDF
    if names is None:
        return UNREADABLE_PDF
    if names & _ACTIVE_PDF_NAMES:
        return ACTIVE_PDF
    if names & _EMBEDDED_PDF_NAMES:
        return EMBEDDED_PDF
    return None


def _pdf_names(trailer: DictionaryObject) -> set[str] | None:
    """Every name used as a key or value in the objects reachable from the trailer (None: too many)."""
    seen: set[tuple[int, int]] = set()
    names: set[str] = set()
    pending: list[object] = [trailer]
    visited = 0
    while pending:
        item = pending.pop()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            return None
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            pending.append(item.get_object())
        elif isinstance(item, DictionaryObject):  # streams are dictionaries too; their data is not decoded
            for name, value in item.items():
                names.add(str(name))
                pending.append(value)
        elif isinstance(item, ArrayObject):
            pending.extend(item)
        elif isinstance(item, NameObject):
            names.add(str(item))
    return names


def docx_problem(data: bytes) -> str | None:
    """Why this DOCX is refused (a zip bomb, macros, embedded programs, external content), or None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()  # the central directory only: nothing is unpacked yet
            if _oversized(entries):
                return OVERSIZED_DOCX
            lowered = [entry.filename.lower() for entry in entries]
            if any(name.endswith("vbaproject.bin") or "vbadata" in name for name in lowered):
                return MACRO_DOCX
            if any(name.endswith(_EXECUTABLE_SUFFIXES) and "printersettings" not in name for name in lowered):
                return EMBEDDED_DOCX
            content_types = _read_bounded(archive, "[Content_Types].xml")
            if b"macroenabled" in content_types.lower() or b"vbaproject" in content_types.lower():
                return MACRO_DOCX
            for entry in entries:
                if entry.filename.lower().endswith(".rels") and _external_relationship(
                    _read_bounded(archive, entry.filename)
                ):
                    return EXTERNAL_DOCX
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, KeyError, OSError, EOFError):
        return UNREADABLE_DOCX
    return None


def _oversized(entries: list[zipfile.ZipInfo]) -> bool:
    if len(entries) > MAX_DOCX_ENTRIES:
        return True
    if any(entry.file_size > MAX_DOCX_ENTRY_BYTES for entry in entries):
        return True
    return sum(entry.file_size for entry in entries) > MAX_DOCX_TOTAL_BYTES


def _read_bounded(archive: zipfile.ZipFile, name: str) -> bytes:
    """An entry's bytes, never more than MAX_RELS_BYTES whatever its header claims."""
    with archive.open(name) as entry:
        data = entry.read(MAX_RELS_BYTES + 1)
    if len(data) > MAX_RELS_BYTES:
        raise ValueError(f"{name} is too large")
    return data


def _external_relationship(rels: bytes) -> bool:
    """Whether a relationship other than a hyperlink points outside the document (``TargetMode="External"``).

    Hyperlinks are allowed: a resume links to a portfolio, and a link is only followed when clicked.
    Remote templates, images, frames and objects are fetched when the file is opened.
    """
    for match in _RELATIONSHIP.finditer(rels):
        attributes = {
            name.split(b":")[-1].lower(): html.unescape((double or single).decode("utf-8", "replace")).strip()
            for name, double, single in _ATTRIBUTE.findall(match.group(1))
        }
        if attributes.get(b"targetmode", "").lower() != "external":
            continue
        if not attributes.get(b"type", "").rstrip("/").endswith("/hyperlink"):
            return True
    return False
