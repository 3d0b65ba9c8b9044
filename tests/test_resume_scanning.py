"""Optional virus scanning through clamd (issue 12, point 10): flagged uploads are refused, a file waits as
"pending scan" when clamd is unreachable and cannot be downloaded until ``flask resumes scan`` finds it clean.

These tests run a tiny fake clamd: a thread speaking clamd's INSTREAM protocol (on a unix socket, or TCP)
that answers FOUND for content holding the EICAR test string and OK otherwise, so they can also stop and
start it at will. The portal's client, the upload flow and the command are the real ones.
tests/test_resume_scanning_clamd.py runs the real clamd too, loaded with a local test signature for EICAR
(ClamAV has no signature database offline).
"""

from __future__ import annotations

import io
import shutil
import socket
import socketserver
import struct
import tempfile
import threading
from pathlib import Path

import pytest
from documents import EICAR, MINIMAL_PDF, pdf_document
from session_support import sign_in
from sqlalchemy import select
from test_public_applications import count, demo_questions, field_error, post_application  # noqa: F401

from portal import ConfigError, create_app
from portal.extensions import db
from portal.models import Application, AuditEvent, Resume
from portal.rules.documents import ScanStatus
from portal.services.scanning import ScannerUnavailable, scan_bytes

pytestmark = pytest.mark.program_settings(title="Fall Internship")

#: A well-formed PDF whose one stream holds the EICAR string (a real clamd flags it as Eicar-Signature).
PDF_WITH_EICAR = pdf_document(b"<</Length %d>>stream\n" % len(EICAR) + EICAR + b"\nendstream")


class _Instream(socketserver.StreamRequestHandler):
    """One clamd connection: ``zINSTREAM\\0``, length-prefixed chunks up to a zero length, one reply."""

    def handle(self) -> None:
        command = b""
        while not command.endswith(b"\0"):
            byte = self.rfile.read(1)
            if not byte:
                return
            command += byte
        if command == b"zPING\0":
            self.wfile.write(b"PONG\0")
            return
        assert command == b"zINSTREAM\0"
        data = b""
        while (size := struct.unpack("!L", self.rfile.read(4))[0]) != 0:
            data += self.rfile.read(size)
        self.server.scanned.append(data)
        self.wfile.write(b"stream: Eicar-Signature FOUND\0" if EICAR in data else b"stream: OK\0")


class _UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class _TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def _serve(server) -> socketserver.BaseServer:
    server.scanned = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def clamd_path():
    """Where the fake clamd listens (short: unix socket paths are limited to about 100 characters)."""
    folder = tempfile.mkdtemp(prefix="clamd-", dir="/tmp")
    yield str(Path(folder) / "clamd.sock")
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def clamd(clamd_path, app):
    """A fake clamd on a unix socket, and the app configured to use it."""
    server = _serve(_UnixServer(clamd_path, _Instream))
    app.config["CLAMD_SOCKET"] = clamd_path
    yield server
    server.shutdown()
    server.server_close()


def only_resume() -> Resume:
    return db.session.scalars(select(Resume)).one()


def run_scan(app, *args: str):
    return app.test_cli_runner().invoke(args=["resumes", "scan", *args])


def scan_with_clamd_up(app, clamd_path: str, *args: str):
    """``flask resumes scan`` while a fake clamd listens at the configured path."""
    server = _serve(_UnixServer(clamd_path, _Instream))
    try:
        return run_scan(app, *args)
    finally:
        server.shutdown()
        server.server_close()


# --- the client ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["unix", "tcp"])
def test_the_client_speaks_instream_and_reads_the_verdict(clamd_path, transport):
    if transport == "unix":
        server, address = _serve(_UnixServer(clamd_path, _Instream)), clamd_path
    else:
        server = _serve(_TCPServer(("127.0.0.1", 0), _Instream))
        address = f"tcp://127.0.0.1:{server.server_address[1]}"
    try:
        big = MINIMAL_PDF + bytes(200_000)  # several INSTREAM chunks
        assert scan_bytes(big, address, timeout=5).clean
        assert server.scanned == [big]  # every byte arrived, in order
        verdict = scan_bytes(b"prefix " + EICAR, address, timeout=5)
        assert not verdict.clean and verdict.found == "Eicar-Signature"
    finally:
        server.shutdown()
        server.server_close()


def test_an_unreachable_clamd_is_reported_not_raised_as_a_crash(clamd_path):
    with pytest.raises(ScannerUnavailable):
        scan_bytes(MINIMAL_PDF, clamd_path, timeout=1)
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(ScannerUnavailable):
        scan_bytes(MINIMAL_PDF, f"tcp://127.0.0.1:{port}", timeout=1)


# --- at upload ---------------------------------------------------------------------------------------------


def test_an_eicar_file_is_refused_beside_the_field_and_not_stored(client, program, app, clamd):
    response = post_application(client, resume=(io.BytesIO(PDF_WITH_EICAR), "resume.pdf"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "did not pass the virus check" in field_error(html, "resume")
    assert 'value="Ana Reyes"' in html
    assert count(Application) == 0 and count(Resume) == 0
    assert not any(Path(app.config["UPLOAD_FOLDER"]).glob("*"))
    assert clamd.scanned == [PDF_WITH_EICAR]


def test_a_clean_file_is_scanned_at_upload_and_can_be_downloaded(client, program, app, clamd, supervisor):
    assert post_application(client, resume=(io.BytesIO(MINIMAL_PDF), "cv.pdf")).status_code == 302
    resume = only_resume()
    assert resume.scan_status == ScanStatus.CLEAN and resume.scanned_at is not None
    assert clamd.scanned == [MINIMAL_PDF]
    sign_in(client, supervisor)
    assert client.get(f"/review/applications/{resume.application_id}/resume").status_code == 200


def test_without_clamd_configured_nothing_is_scanned_and_downloads_work(client, program, app, supervisor):
    assert app.config["CLAMD_SOCKET"] is None
    assert post_application(client, resume=(io.BytesIO(MINIMAL_PDF), "cv.pdf")).status_code == 302
    assert only_resume().scan_status == ScanStatus.UNSCANNED


# --- pending scan ----------------------------------------------------------------------------------------------


def test_while_clamd_is_down_the_resume_waits_and_cannot_be_downloaded(client, program, app, clamd_path, supervisor):
    app.config["CLAMD_SOCKET"] = clamd_path  # nothing listens there yet
    assert post_application(client, resume=(io.BytesIO(MINIMAL_PDF), "cv.pdf")).status_code == 302
    resume = only_resume()
    assert resume.scan_status == ScanStatus.PENDING
    sign_in(client, supervisor)
    page = client.get(f"/review/applications/{resume.application_id}").get_data(as_text=True)
    assert "Resume waiting for the virus check" in page
    assert "Download the resume" not in page
    download = client.get(f"/review/applications/{resume.application_id}/resume")
    assert download.status_code == 409 and "Resume waiting for the virus check" in download.get_data(as_text=True)

    result = run_scan(app)  # clamd still down: the command says so and keeps it pending
    assert result.exit_code != 0 and "stay pending" in result.output
    db.session.expire_all()
    assert only_resume().scan_status == ScanStatus.PENDING

    result = scan_with_clamd_up(app, clamd_path)
    assert result.exit_code == 0 and "1 clean" in result.output
    db.session.expire_all()
    assert only_resume().scan_status == ScanStatus.CLEAN
    assert client.get(f"/review/applications/{resume.application_id}/resume").status_code == 200


def test_a_pending_file_the_scan_flags_is_deleted_audited_and_never_offered(
    client, program, app, clamd_path, supervisor
):
    app.config["CLAMD_SOCKET"] = clamd_path
    assert post_application(client, resume=(io.BytesIO(PDF_WITH_EICAR), "cv.pdf")).status_code == 302
    resume = only_resume()
    stored = Path(app.config["UPLOAD_FOLDER"]) / resume.stored_name
    assert resume.scan_status == ScanStatus.PENDING and stored.is_file()

    result = scan_with_clamd_up(app, clamd_path)
    assert result.exit_code == 0 and "1 rejected" in result.output and "Eicar-Signature" in result.output
    db.session.expire_all()
    assert only_resume().scan_status == ScanStatus.REJECTED and not stored.exists()
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "resume.scan_rejected")).all()
    assert event.target_id == resume.application_id and event.details["found"] == "Eicar-Signature"
    sign_in(client, supervisor)
    page = client.get(f"/review/applications/{resume.application_id}").get_data(as_text=True)
    assert "did not pass the virus check" in page
    assert client.get(f"/review/applications/{resume.application_id}/resume").status_code == 409


def test_the_command_scans_older_unscanned_files_only_when_asked(client, program, app, clamd_path):
    assert post_application(client, resume=(io.BytesIO(MINIMAL_PDF), "cv.pdf")).status_code == 302
    server = _serve(_UnixServer(clamd_path, _Instream))
    app.config["CLAMD_SOCKET"] = clamd_path
    try:
        assert "0 clean" in run_scan(app).output
        assert "1 clean" in run_scan(app, "--unscanned").output
    finally:
        server.shutdown()
        server.server_close()
    db.session.expire_all()
    assert only_resume().scan_status == ScanStatus.CLEAN


# --- configuration ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["clamd", "tcp://clamd", "tcp://clamd:http", "localhost:99999"])
def test_an_unusable_clamd_address_is_refused_at_start(tmp_path, value):
    with pytest.raises(ConfigError, match="PORTAL_CLAMD_SOCKET"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "CLAMD_SOCKET": value})


@pytest.mark.parametrize("value", ["/run/clamav/clamd.ctl", "unix:///run/clamav/clamd.ctl", "tcp://127.0.0.1:3310"])
def test_a_clamd_socket_or_tcp_address_is_accepted(tmp_path, value):
    assert create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "CLAMD_SOCKET": value}).config["CLAMD_SOCKET"]
