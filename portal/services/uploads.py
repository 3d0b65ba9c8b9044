"""Resume uploads: checked by content (magic bytes, then structure, then clamd when configured), stored under a
random name outside ``static/``."""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import Application, Resume
from portal.rules.documents import ScanStatus, docx_problem, pdf_problem
from portal.services.scanning import Infected, status_at_upload

MAX_RESUME_BYTES = 5 * 1024 * 1024
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class UploadRejected(ValueError):
    """The file cannot be accepted; the message is shown beside the field."""


@dataclass(frozen=True)
class CheckedResume:
    kind: str  # "pdf" or "docx", from the content
    data: bytes
    original_name: str
    sha256: str
    scan_status: ScanStatus = ScanStatus.UNSCANNED  # clean or pending when clamd is configured
    scanned_at: datetime | None = None

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


def sniff_document(data: bytes) -> str | None:
    """The document kind by its bytes, whatever its name or declared type says."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
    return None


def check_resume(stream: BinaryIO, filename: str) -> CheckedResume:
    """Read at most one byte past the limit and check the content and structure; raises UploadRejected."""
    data = stream.read(MAX_RESUME_BYTES + 1)
    if len(data) > MAX_RESUME_BYTES:
        raise UploadRejected("This file is larger than 5 MB. Attach a smaller PDF or Word file.")
    if not data:
        raise UploadRejected("This file is empty. Attach your resume as a PDF or Word (.docx) file.")
    kind = sniff_document(data)
    if kind is None:
        raise UploadRejected(
            "This file is not a PDF or a Word (.docx) document, whatever its name says. "
            "Save your resume as PDF or .docx and attach it again."
        )
    problem = pdf_problem(data) if kind == "pdf" else docx_problem(data)
    if problem is not None:
        raise UploadRejected(problem)
    try:
        scan_status, scanned_at = status_at_upload(data)  # last: clamd only sees files that pass the rest
    except Infected as problem:
        raise UploadRejected(str(problem)) from None
    original = Path(filename or "resume").name[:255] or "resume"
    return CheckedResume(
        kind=kind,
        data=data,
        original_name=original,
        sha256=hashlib.sha256(data).hexdigest(),
        scan_status=scan_status,
        scanned_at=scanned_at,
    )


def store_resume(application: Application, resume: CheckedResume, upload_folder: str) -> Resume:
    """Write the file under a random name (never the applicant's) and add its metadata row, with the state
    of its virus check."""
    stored_name = f"{secrets.token_hex(16)}.{resume.kind}"
    folder = Path(upload_folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / stored_name
    path.write_bytes(resume.data)
    db.session.info.setdefault(_WRITTEN_FILES, []).append(path)
    row = Resume(
        application=application,
        stored_name=stored_name,
        original_name=resume.original_name,
        content_type=resume.content_type,
        size_bytes=len(resume.data),
        sha256=resume.sha256,
        scan_status=resume.scan_status,
        scanned_at=resume.scanned_at,
    )
    db.session.add(row)
    return row


def resume_path(resume: Resume, upload_folder: str) -> Path:
    """Where a stored resume lives; the name comes from our random ``stored_name`` only."""
    return Path(upload_folder) / Path(resume.stored_name).name


def delete_resume(resume: Resume, upload_folder: str) -> None:
    """Remove the file and its row (the caller commits)."""
    resume_path(resume, upload_folder).unlink(missing_ok=True)
    db.session.delete(resume)


# Files written in a transaction that rolls back (a lost race, a crash before commit) are removed,
# so the upload folder never keeps a resume the database does not know about.
_WRITTEN_FILES = "portal_written_files"


@event.listens_for(Session, "after_commit")
def _forget_written_files(session: Session) -> None:
    session.info.pop(_WRITTEN_FILES, None)


@event.listens_for(Session, "after_rollback")
def _remove_written_files(session: Session) -> None:
    for path in session.info.pop(_WRITTEN_FILES, []):
        path.unlink(missing_ok=True)
