"""Virus scanning of resumes through clamd, when ``CLAMD_SOCKET`` is set (a unix socket path, or
``tcp://host:port``).

A small client of clamd's INSTREAM command (the protocol is a few lines: ``zINSTREAM\\0``, chunks each
prefixed by their length as 4 big-endian bytes, a zero length, then one reply such as ``stream: OK`` or
``stream: Eicar-Signature FOUND``). At upload the file is scanned with a short timeout: a file clamd flags is
refused beside the field; when clamd cannot be reached the file is stored "pending" and cannot be
downloaded until ``flask resumes scan`` (run from cron) finds it clean.
"""

from __future__ import annotations

import logging
import socket
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.models import Resume
from portal.rules.documents import ScanStatus
from portal.services.audit import record_event

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
MAX_REPLY_BYTES = 4096
INFECTED_MESSAGE = (
    "This file did not pass the virus check. If it is your resume, save it again (or as a PDF) on a computer "
    "you trust and attach it again."
)


class Infected(ValueError):
    """clamd flagged the file; the message is shown beside the resume field."""


class ScannerUnavailable(RuntimeError):
    """clamd could not be reached or did not give a verdict; the file waits as "pending"."""


@dataclass(frozen=True)
class Verdict:
    """clamd's answer: clean, or the name of what it found."""

    found: str | None = None

    @property
    def clean(self) -> bool:
        return self.found is None


def parse_address(address: str) -> tuple[int, str | tuple[str, int]]:
    """(socket family, address) for ``/path/clamd.ctl``, ``unix:/path`` or ``tcp://host:port``; ValueError if none."""
    text = address.strip()
    if text.startswith("unix:"):
        text = text[len("unix:") :].removeprefix("//")
    if text.startswith("/"):
        return socket.AF_UNIX, text
    host, _, port = text.removeprefix("tcp://").rpartition(":")
    if not host or not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        raise ValueError(f"{address!r} is neither a unix socket path (/run/clamav/clamd.ctl) nor tcp://host:port")
    return socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET, (host.strip("[]"), int(port))


def scan_bytes(data: bytes, address: str, timeout: float) -> Verdict:
    """Send the bytes to clamd with INSTREAM and read its verdict; ScannerUnavailable on any failure."""
    try:
        family, target = parse_address(address)
        with socket.socket(family, socket.SOCK_STREAM) as connection:
            connection.settimeout(timeout)
            connection.connect(target)
            connection.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK_BYTES):
                chunk = data[start : start + CHUNK_BYTES]
                connection.sendall(struct.pack("!L", len(chunk)) + chunk)
            connection.sendall(struct.pack("!L", 0))
            reply = _read_reply(connection)
    except (OSError, ValueError) as problem:
        raise ScannerUnavailable(f"clamd at {address}: {problem}") from problem
    return _verdict(reply, address)


def _read_reply(connection: socket.socket) -> str:
    reply = b""
    while b"\0" not in reply and len(reply) < MAX_REPLY_BYTES:
        received = connection.recv(MAX_REPLY_BYTES)
        if not received:
            break
        reply += received
    return reply.split(b"\0", 1)[0].decode("utf-8", "replace").strip()


def _verdict(reply: str, address: str) -> Verdict:
    # "stream: OK", "stream: <signature> FOUND", or "<something> ERROR" (e.g. the size limit).
    result = reply.split(":", 1)[-1].strip()
    if result == "OK":
        return Verdict()
    if result.endswith(" FOUND"):
        return Verdict(found=result.removesuffix(" FOUND").strip() or "unknown")
    raise ScannerUnavailable(f"clamd at {address} answered {reply!r}")


def configured_scanner() -> str | None:
    """The clamd address, or None when scanning is off (the default)."""
    return current_app.config.get("CLAMD_SOCKET") or None


def status_at_upload(data: bytes) -> tuple[ScanStatus, datetime | None]:
    """Scan a new upload now: clean, or pending when clamd is unreachable; Infected when clamd finds
    something, so the file is refused beside the field before anything is stored."""
    address = configured_scanner()
    if address is None:
        return ScanStatus.UNSCANNED, None
    try:
        verdict = scan_bytes(data, address, float(current_app.config.get("CLAMD_TIMEOUT", 10)))
    except ScannerUnavailable as problem:
        log.warning("Resume stored pending its virus check: %s", problem)
        return ScanStatus.PENDING, None
    if not verdict.clean:
        log.warning("Upload refused by the virus check: %s", verdict.found)
        raise Infected(INFECTED_MESSAGE)
    return ScanStatus.CLEAN, utcnow()


@dataclass
class ScanReport:
    """What one run of ``flask resumes scan`` did."""

    clean: int = 0
    rejected: int = 0
    missing: int = 0
    unavailable: str | None = None  # why the run stopped early
    found: list[str] = field(default_factory=list)


def scan_waiting(
    upload_folder: str, *, statuses: Sequence[ScanStatus] = (ScanStatus.PENDING,), limit: int | None = None
) -> ScanReport:
    """Scan stored resumes in these states (the caller commits): clean ones become downloadable; a flagged
    one is deleted from disk, marked rejected and audited. Stops at the first unreachable clamd."""
    address = configured_scanner()
    report = ScanReport()
    if address is None:
        report.unavailable = "CLAMD_SOCKET is not set"
        return report
    query = select(Resume).where(Resume.scan_status.in_(list(statuses))).order_by(Resume.id).limit(limit)
    for resume in db.session.scalars(query).all():
        path = Path(upload_folder) / Path(resume.stored_name).name
        if not path.is_file():
            report.missing += 1
            continue
        try:
            verdict = scan_bytes(path.read_bytes(), address, float(current_app.config.get("CLAMD_TIMEOUT", 10)))
        except ScannerUnavailable as problem:
            report.unavailable = str(problem)
            break
        resume.scanned_at = utcnow()
        if verdict.clean:
            resume.scan_status = ScanStatus.CLEAN
            report.clean += 1
            continue
        _reject(resume, path, verdict)
        report.rejected += 1
        report.found.append(verdict.found or "")
    return report


def _reject(resume: Resume, path: Path, verdict: Verdict) -> None:
    before = resume.scan_status.value
    resume.scan_status = ScanStatus.REJECTED
    path.unlink(missing_ok=True)
    record_event(
        "resume.scan_rejected",
        target_type="application",
        target_id=resume.application_id,
        actor_label="virus check (clamd)",
        # On the application's timeline, whose from/to states are application statuses: the scan's go here.
        details={"found": verdict.found, "before": before, "after": ScanStatus.REJECTED.value},
    )
