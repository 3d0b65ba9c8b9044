"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 in a thread, keeping every message it accepts.

The ``smtp_server`` fixture reaches every test module through ``pytest_plugins`` in conftest.py::

    def test_mail_arrives(app, smtp_server):
        ...  # queue and commit mail, then send_pending(sender_id="test")
        assert smtp_server.inbox.messages[0]["To"] == "ada@example.org"

When the test also uses ``app``, the fixture points the app's mail settings at the server (and turns
MAIL_SUPPRESS_SEND off, which Flask-Mail turns on while testing). ``running_smtp_server`` starts one
on a chosen port later in a test; ``point_mail_at`` aims an app at any port (e.g. a closed one).
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import re
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message as EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler
from flask import Flask

from portal.services.outbox import send_pending

HOST = "127.0.0.1"


def free_port() -> int:
    """A loopback port nobody listens on (aiosmtpd's Controller cannot use port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Inbox(MessageHandler):
    """Keeps accepted messages; can refuse chosen recipients or every DATA with a given reply."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[EmailMessage] = []
        self.rcpt_replies: dict[str, str] = {}  # recipient address -> reply, e.g. "550 5.1.1 No such user"
        self.data_reply: str | None = None  # e.g. "451 4.3.0 Try again later" for every message
        self.delay: float = 0.0  # seconds to wait before accepting each message

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.rcpt_replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        if self.delay:
            await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)

    def handle_message(self, message: EmailMessage) -> None:
        self.messages.append(message)

    def recipients(self) -> list[str]:
        """The envelope recipient of every accepted message, in arrival order."""
        return [message["X-RcptTo"] for message in self.messages]


@contextmanager
def running_smtp_server(port: int | None = None, *, inbox: Inbox | None = None, **smtp_options) -> Iterator[Controller]:
    """Run aiosmtpd on 127.0.0.1 (on ``port``, or a free one); ``controller.inbox`` holds what arrived.

    ``smtp_options`` go to aiosmtpd's SMTP class, e.g. ``tls_context=…, require_starttls=True``.
    """
    inbox = inbox or Inbox()
    controller = Controller(inbox, hostname=HOST, port=port or free_port(), **smtp_options)
    controller.start()
    controller.inbox = inbox
    try:
        yield controller
    finally:
        controller.stop()


def point_mail_at(app: Flask, port: int, **settings: object) -> None:
    """Send the app's mail to 127.0.0.1:``port`` for real (Flask-Mail re-reads its settings)."""
    from portal.extensions import mail

    app.config.update({"MAIL_SERVER": HOST, "MAIL_PORT": port, "MAIL_SUPPRESS_SEND": False, **settings})
    mail.init_app(app)


@pytest.fixture
def smtp_server(request) -> Iterator[Controller]:
    """A running SMTP server; with the ``app`` fixture in the test, the app's mail goes to it."""
    with running_smtp_server() as controller:
        if "app" in request.fixturenames:
            point_mail_at(request.getfixturevalue("app"), controller.port)
        yield controller


def self_signed_certificate(directory: Path, ip: str = HOST) -> tuple[Path, Path]:
    """A throwaway certificate for ``ip`` (and its key), as PEM files: (certificate, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "portal test SMTP server")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def server_tls_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    """The server side of STARTTLS for aiosmtpd, using a certificate from ``self_signed_certificate``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context


def mailed_link(smtp_server, path: str) -> str:
    """Deliver the outbox to the SMTP server and return the portal link in the one message that arrived."""
    report = send_pending(sender_id="t")
    assert report.sent == 1, report
    [message] = smtp_server.inbox.messages
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    return re.search(rf"(http://127\.0\.0\.1:\d+{path}\S+)", text).group(1)
