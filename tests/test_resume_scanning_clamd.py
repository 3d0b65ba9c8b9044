"""Virus scanning against a REAL clamd (issue 12, point 10: "an EICAR test file is rejected").

tests/clamd_support.py starts Debian's clamd with a local database holding one test signature for the
EICAR string (ClamAV has no signatures offline), so the portal's client, the upload flow and ``flask
resumes scan`` talk to the real scanner. Skipped with the reason printed when clamd is not installed (a
failure under CI=true). tests/test_resume_scanning.py covers the rest (clamd down, TCP, settings) with a fake.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from pathlib import Path

import pytest
from clamd_support import CLAMD_SOCKET, FOUND_AS, real_clamd  # noqa: F401
from documents import EICAR, MINIMAL_PDF
from session_support import sign_in
from test_public_applications import count, demo_questions, field_error, post_application  # noqa: F401
from test_resume_scanning import PDF_WITH_EICAR, only_resume, run_scan

from portal.extensions import db
from portal.models import Application, Resume
from portal.rules.documents import ScanStatus
from portal.services.scanning import INFECTED_MESSAGE, scan_bytes

pytestmark = [
    pytest.mark.program_settings(title="Fall Internship"),
    pytest.mark.app_config(CLAMD_SOCKET=CLAMD_SOCKET),
]


@contextmanager
def clamd_unreachable(app):
    """Point the app at a socket nobody listens on (next to the real one), so an upload waits as pending."""
    app.config["CLAMD_SOCKET"] = str(Path(CLAMD_SOCKET).with_name("nobody.sock"))
    try:
        yield
    finally:
        app.config["CLAMD_SOCKET"] = CLAMD_SOCKET


def upload_pending(client, app, content: bytes) -> Resume:
    with clamd_unreachable(app):
        assert post_application(client, resume=(io.BytesIO(content), "cv.pdf")).status_code == 302
    resume = only_resume()
    assert resume.scan_status == ScanStatus.PENDING
    return resume


# --- the client ------------------------------------------------------------------------------------------


def test_the_real_clamd_names_the_eicar_string_and_passes_a_clean_file(real_clamd):
    verdict = scan_bytes(b"prefix " + EICAR, real_clamd, timeout=10)
    assert not verdict.clean and verdict.found == FOUND_AS
    assert scan_bytes(MINIMAL_PDF + bytes(200_000), real_clamd, timeout=10).clean  # several INSTREAM chunks


# --- at upload ---------------------------------------------------------------------------------------------


def test_a_resume_holding_eicar_is_refused_beside_the_field_and_nothing_is_stored(client, program, app, real_clamd):
    response = post_application(client, resume=(io.BytesIO(PDF_WITH_EICAR), "resume.pdf"))
    page = response.get_data(as_text=True)
    assert (response.status_code, field_error(page, "resume")) == (422, INFECTED_MESSAGE)
    assert 'value="Ana Reyes"' in page  # the rest of the form is kept
    stored_files = list(Path(app.config["UPLOAD_FOLDER"]).glob("*"))
    assert (count(Application), count(Resume), stored_files) == (0, 0, [])


def test_a_clean_pdf_is_accepted_marked_clean_and_can_be_downloaded(client, program, app, real_clamd, supervisor):
    assert app.config["CLAMD_SOCKET"] == real_clamd
    assert post_application(client, resume=(io.BytesIO(MINIMAL_PDF), "cv.pdf")).status_code == 302
    resume = only_resume()
    assert resume.scan_status == ScanStatus.CLEAN and resume.scanned_at is not None
    sign_in(client, supervisor)
    download = client.get(f"/review/applications/{resume.application_id}/resume")
    assert download.status_code == 200 and download.data == MINIMAL_PDF


# --- flask resumes scan ------------------------------------------------------------------------------------


def test_the_scan_command_marks_a_pending_resume_clean(client, program, app, real_clamd, supervisor):
    resume = upload_pending(client, app, MINIMAL_PDF)
    result = run_scan(app)
    assert result.exit_code == 0 and "1 clean" in result.output
    db.session.expire_all()
    assert only_resume().scan_status == ScanStatus.CLEAN
    sign_in(client, supervisor)
    assert client.get(f"/review/applications/{resume.application_id}/resume").status_code == 200


def test_the_scan_command_deletes_a_pending_resume_holding_eicar(client, program, app, real_clamd, supervisor):
    resume = upload_pending(client, app, PDF_WITH_EICAR)
    stored = Path(app.config["UPLOAD_FOLDER"]) / resume.stored_name
    assert stored.is_file()
    result = run_scan(app)
    assert result.exit_code == 0 and "1 rejected" in result.output and FOUND_AS in result.output
    db.session.expire_all()
    assert only_resume().scan_status == ScanStatus.REJECTED and not stored.exists()
    sign_in(client, supervisor)
    assert client.get(f"/review/applications/{resume.application_id}/resume").status_code == 409
