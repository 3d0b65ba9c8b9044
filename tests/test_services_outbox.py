"""The mail outbox against a real SMTP server (aiosmtpd on 127.0.0.1), on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from factories import OutboxMessageFactory
from smtp_support import (
    free_port,
    point_mail_at,
    running_smtp_server,
    self_signed_certificate,
    server_tls_context,
)
from sqlalchemy import func, select

from portal.database import utcnow
from portal.extensions import db, mail
from portal.models.outbox import OutboxMessage, OutboxStatus
from portal.services import outbox
from portal.services.outbox import CLAIM_TIMEOUT, SendReport, queue_email, send_pending

ROOT = Path(__file__).resolve().parent.parent


def reload(message: OutboxMessage) -> OutboxMessage:
    """The row as the database has it now (the sender commits through its own session)."""
    db.session.refresh(message)
    return message


def queue_test_message(recipient: str = "ada@example.org") -> OutboxMessage:
    message = queue_email(recipient, "test_message", "Test message from the portal")
    db.session.commit()
    return message


def decoded(header: str) -> str:
    """A header as a person reads it (Flask-Mail encodes display names: =?utf-8?q?Portal?=)."""
    return str(make_header(decode_header(header)))


def parts(mail) -> dict[str, str]:
    """The text parts of a received mail by content type."""
    return {
        part.get_content_type(): part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for part in mail.walk()
        if not part.is_multipart()
    }


# ------------------------------------------------------------------------------------------------
# Delivery


def test_committed_mail_is_delivered_with_subject_recipient_and_both_bodies(app, smtp_server):  # noqa: F811
    message = queue_test_message("ada@example.org")

    report = send_pending(sender_id="test")

    assert report == SendReport(sent=1)
    assert len(smtp_server.inbox.messages) == 1
    mail = smtp_server.inbox.messages[0]
    assert mail["To"] == "ada@example.org"
    assert mail["Subject"] == "Test message from the portal"
    assert decoded(mail["From"]) == "Portal <portal@example.org>"
    bodies = parts(mail)
    assert "mail from the portal reaches ada@example.org" in bodies["text/plain"]
    assert "Organizing 2.0 internship portal" in bodies["text/plain"]
    assert "http://portal.test/" in bodies["text/plain"]
    assert "<html" in bodies["text/html"] and "ada@example.org" in bodies["text/html"]
    message = reload(message)
    assert message.status is OutboxStatus.SENT
    assert message.sent_at is not None and message.attempts == 1 and message.last_error == ""

    assert send_pending(sender_id="test") == SendReport(), "a sent message is not sent again"
    assert len(smtp_server.inbox.messages) == 1


def test_mail_queued_in_rolled_back_work_is_never_sent(app, smtp_server):  # noqa: F811
    queue_email("ada@example.org", "test_message", "Welcome")
    db.session.rollback()

    report = send_pending(sender_id="test")

    assert report.total == 0
    assert smtp_server.inbox.messages == []
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_queue_email_renders_html_escaped_and_leaves_html_empty_without_a_template(app, tmp_path):
    app.jinja_loader.searchpath.append(str(tmp_path))
    (tmp_path / "email").mkdir()
    (tmp_path / "email" / "plain_only.txt").write_text("Hi {{ name }}, from {{ organisation_name }}.")
    message = queue_email("  bob@example.org ", "plain_only", "Hi\nthere", name="<b>Bob</b>")
    assert message.recipient == "bob@example.org"
    assert message.subject == "Hi there", "a subject is one header line"
    assert message.text_body == "Hi <b>Bob</b>, from Organizing 2.0."
    assert message.html_body == ""

    (tmp_path / "email" / "greeting.txt").write_text("Hi {{ name }}")
    (tmp_path / "email" / "greeting.html").write_text(
        '{% extends "email/_layout.html" %}{% block content %}<p>Hi {{ name }}</p>{% endblock %}'
    )
    escaped = queue_email("bob@example.org", "greeting", "Hello", name="<script>x</script>")
    assert escaped.text_body == "Hi <script>x</script>", "plain text is not HTML-escaped"
    assert "<script>x</script>" not in escaped.html_body and "<p>Hi &lt;script&gt;" in escaped.html_body
    assert "<title>Hello</title>" in escaped.html_body

    with pytest.raises(ValueError):
        queue_email("bob@example.org\nBcc: eve@example.org", "test_message", "Test")


def test_with_mail_suppressed_messages_are_recorded_not_delivered(app):
    # Flask-Mail's default while testing (MAIL_SUPPRESS_SEND): other tests can use mail.record_messages().
    message = queue_test_message("ada@example.org")

    with mail.record_messages() as recorded:
        report = send_pending(sender_id="test")

    assert report == SendReport(sent=1)
    assert [(m.subject, m.recipients) for m in recorded] == [("Test message from the portal", ["ada@example.org"])]
    assert reload(message).status is OutboxStatus.SENT


# ------------------------------------------------------------------------------------------------
# Failures: temporary ones are retried with backoff, permanent ones stop


def test_nothing_is_lost_while_the_server_is_down_and_it_is_delivered_when_it_is_back(app):
    port = free_port()  # nothing listens here yet
    point_mail_at(app, port)
    message = queue_test_message("ada@example.org")
    now = utcnow()

    report = send_pending(sender_id="test", now=now)

    assert report == SendReport(retried=1)
    message = reload(message)
    assert message.status is OutboxStatus.PENDING
    assert message.attempts == 1
    assert message.next_attempt_at == now + timedelta(seconds=60)
    assert "ConnectionRefusedError" in message.last_error
    assert send_pending(sender_id="test", now=now + timedelta(seconds=30)).total == 0, "waits for the backoff"

    with running_smtp_server(port) as server:
        report = send_pending(sender_id="test", now=now + timedelta(seconds=61))

    assert report == SendReport(sent=1)
    assert server.inbox.recipients() == ["ada@example.org"]
    assert reload(message).status is OutboxStatus.SENT


@pytest.mark.app_config(MAIL_TIMEOUT=0.5)
def test_a_server_that_never_answers_times_out_and_the_message_waits(app):
    with socket.socket() as silent:  # accepts connections (backlog) but never says hello
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        point_mail_at(app, silent.getsockname()[1])
        message = queue_test_message()
        started = time.monotonic()

        report = send_pending(sender_id="test")

    assert time.monotonic() - started < 5
    assert report == SendReport(retried=1)
    message = reload(message)
    assert message.status is OutboxStatus.PENDING and "timed out" in message.last_error


def test_a_550_refusal_marks_that_message_failed_and_the_rest_still_go(app, smtp_server):  # noqa: F811
    smtp_server.inbox.rcpt_replies["nobody@example.org"] = "550 5.1.1 No such user here"
    refused = queue_test_message("nobody@example.org")
    accepted = queue_test_message("ada@example.org")

    report = send_pending(sender_id="test")

    assert report == SendReport(sent=1, failed=1)
    assert smtp_server.inbox.recipients() == ["ada@example.org"]
    refused = reload(refused)
    assert refused.status is OutboxStatus.FAILED
    assert "550" in refused.last_error and "No such user" in refused.last_error
    assert reload(accepted).status is OutboxStatus.SENT
    later = utcnow() + timedelta(days=1)
    assert send_pending(sender_id="test", now=later).total == 0, "a failed message is not retried"


def test_a_451_is_retried_later_and_then_delivered(app, smtp_server):  # noqa: F811
    smtp_server.inbox.data_reply = "451 4.3.0 Mailbox busy, try again later"
    message = queue_test_message("ada@example.org")
    now = utcnow()

    assert send_pending(sender_id="test", now=now) == SendReport(retried=1)
    message = reload(message)
    assert message.status is OutboxStatus.PENDING and message.attempts == 1
    assert "451" in message.last_error

    smtp_server.inbox.data_reply = None
    assert send_pending(sender_id="test", now=now + timedelta(minutes=2)) == SendReport(sent=1)
    assert smtp_server.inbox.recipients() == ["ada@example.org"]
    assert reload(message).status is OutboxStatus.SENT


@pytest.mark.app_config(OUTBOX_MAX_ATTEMPTS=3, OUTBOX_BACKOFF_SECONDS=60)
def test_backoff_doubles_and_the_message_fails_after_max_attempts(app):
    point_mail_at(app, free_port())
    message = queue_test_message()
    now = utcnow()

    waits = []
    for _ in range(2):
        assert send_pending(sender_id="test", now=now) == SendReport(retried=1)
        message = reload(message)
        waits.append(message.next_attempt_at - now)
        now = message.next_attempt_at
    assert waits == [timedelta(seconds=60), timedelta(seconds=120)]

    assert send_pending(sender_id="test", now=now) == SendReport(failed=1)
    message = reload(message)
    assert message.status is OutboxStatus.FAILED and message.attempts == 3
    assert "gave up after 3 attempts" in message.last_error


def test_backoff_is_capped_at_six_hours(app):
    assert outbox.backoff_delay(1) == timedelta(minutes=1)
    assert outbox.backoff_delay(4) == timedelta(minutes=8)
    assert outbox.backoff_delay(40) == timedelta(hours=6)


# ------------------------------------------------------------------------------------------------
# Several senders, crashed senders


def test_two_senders_at_once_deliver_every_message_exactly_once(app, backend, smtp_server):  # noqa: F811
    messages = OutboxMessageFactory.create_batch(30)
    expected = sorted(message.recipient for message in messages)
    smtp_server.inbox.delay = 0.005  # keep the senders overlapping
    start = threading.Barrier(2)
    errors: list[BaseException] = []
    reports: dict[str, list[SendReport]] = {"one": [], "two": []}

    def run_sender(name: str) -> None:
        try:
            with app.app_context():  # its own session and database connection
                start.wait()
                while True:
                    report = send_pending(sender_id=name, limit=4)
                    reports[name].append(report)
                    if report.total == 0:
                        break
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run_sender, args=(name,)) for name in reports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, f"{backend}: a sender failed: {errors!r}"
    received = Counter(smtp_server.inbox.recipients())
    assert [address for address, count in received.items() if count > 1] == [], "delivered twice"
    assert sorted(received) == expected
    statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert statuses == [OutboxStatus.SENT] * 30
    assert sum(report.sent for runs in reports.values() for report in runs) == 30


def test_messages_claimed_by_a_sender_that_died_are_recovered(app, smtp_server):  # noqa: F811
    now = utcnow()
    abandoned = OutboxMessageFactory(
        recipient="stale@example.org",
        status=OutboxStatus.SENDING,
        claimed_by="crashed-host:123",
        claimed_at=now - CLAIM_TIMEOUT - timedelta(minutes=1),
    )
    in_progress = OutboxMessageFactory(
        recipient="busy@example.org",
        status=OutboxStatus.SENDING,
        claimed_by="live-host:456",
        claimed_at=now - timedelta(minutes=1),
    )

    report = send_pending(sender_id="test", now=now)

    assert report == SendReport(sent=1)
    assert smtp_server.inbox.recipients() == ["stale@example.org"]
    abandoned = reload(abandoned)
    assert abandoned.status is OutboxStatus.SENT and abandoned.attempts == 2, "the lost attempt counts"
    in_progress = reload(in_progress)
    assert in_progress.status is OutboxStatus.SENDING and in_progress.claimed_by == "live-host:456"


# ------------------------------------------------------------------------------------------------
# TLS: never skipped, always verified


@pytest.mark.app_config(MAIL_USE_TLS=True)
def test_tls_is_not_silently_skipped_and_uses_a_verifying_context(app, smtp_server, monkeypatch):  # noqa: F811
    contexts: list[ssl.SSLContext] = []
    original_starttls = outbox.smtplib.SMTP.starttls

    def spy_starttls(self, *args, **kwargs):
        contexts.append(kwargs.get("context"))
        return original_starttls(self, *args, **kwargs)

    monkeypatch.setattr(outbox.smtplib.SMTP, "starttls", spy_starttls)
    message = queue_test_message()

    report = send_pending(sender_id="test")  # this server does not offer STARTTLS

    assert report == SendReport(retried=1)
    assert smtp_server.inbox.messages == [], "not sent in clear text"
    message = reload(message)
    assert message.status is OutboxStatus.PENDING and "STARTTLS" in message.last_error
    assert len(contexts) == 1
    assert contexts[0].verify_mode == ssl.CERT_REQUIRED and contexts[0].check_hostname is True
    assert outbox.tls_context().verify_mode == ssl.CERT_REQUIRED and outbox.tls_context().check_hostname


@pytest.mark.app_config(MAIL_USE_TLS=True)
def test_tls_refuses_an_untrusted_certificate_and_delivers_once_it_is_trusted(app, tmp_path, monkeypatch):
    cert_path, key_path = self_signed_certificate(tmp_path)
    tls = server_tls_context(cert_path, key_path)
    with running_smtp_server(tls_context=tls, require_starttls=True) as server:
        point_mail_at(app, server.port)
        message = queue_test_message("ada@example.org")
        now = utcnow()

        assert send_pending(sender_id="test", now=now) == SendReport(retried=1)
        assert server.inbox.messages == []
        assert "CERTIFICATE_VERIFY_FAILED" in reload(message).last_error

        monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))  # OpenSSL's default trust store now has it
        assert send_pending(sender_id="test", now=now + timedelta(minutes=2)) == SendReport(sent=1)
        assert server.inbox.recipients() == ["ada@example.org"]  # the server refuses mail before STARTTLS


# ------------------------------------------------------------------------------------------------
# Command line


def test_cli_send_delivers_and_prints_counts(app, smtp_server):  # noqa: F811
    queue_test_message("ada@example.org")
    runner = app.test_cli_runner()

    result = runner.invoke(args=["outbox", "send"])

    assert result.exit_code == 0, result.output
    assert "sent 1, retrying 0, failed 0" in result.output
    assert smtp_server.inbox.recipients() == ["ada@example.org"]
    status = runner.invoke(args=["outbox", "status"])
    assert status.exit_code == 0
    assert "pending  0" in status.output and "sent     1" in status.output


def test_cli_test_command_queues_a_message_that_send_delivers(app, smtp_server):  # noqa: F811
    runner = app.test_cli_runner()

    result = runner.invoke(args=["outbox", "test", "admin@example.org"])
    assert result.exit_code == 0, result.output
    assert "Queued test message" in result.output
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0

    (mail,) = smtp_server.inbox.messages
    assert mail["To"] == "admin@example.org"
    assert mail["Subject"] == "Test message from Organizing 2.0"
    assert "settings work" in parts(mail)["text/plain"]

    refused = runner.invoke(args=["outbox", "test", "not-an-address"])
    assert refused.exit_code == 2 and "EMAIL" in refused.output


def test_cli_send_loop_keeps_delivering_and_stops_cleanly_on_ctrl_c(app, database_url, tmp_path, smtp_server):  # noqa: F811
    queue_test_message("first@example.org")
    env = {
        **os.environ,
        "FLASK_APP": "wsgi",
        "PORTAL_INSTANCE_PATH": str(tmp_path / "instance"),
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "PORTAL_MAIL_SERVER": "127.0.0.1",
        "PORTAL_MAIL_PORT": str(smtp_server.port),
        "PORTAL_MAIL_SUPPRESS_SEND": "false",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "outbox", "send", "--loop", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(lambda: len(smtp_server.inbox.messages) == 1, process)
        queue_test_message("second@example.org")  # queued while the sender is already running
        wait_for(lambda: len(smtp_server.inbox.messages) == 2, process)
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert process.returncode == 0, output
    assert "Stopped." in output and "Traceback" not in output
    assert smtp_server.inbox.recipients() == ["first@example.org", "second@example.org"]


def wait_for(condition, process: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the sender exited early:\n{process.communicate()[0]}")
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for the sender")
        time.sleep(0.05)
