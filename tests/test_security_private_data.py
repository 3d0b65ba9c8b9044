"""Private links do not outlive their purpose: delivered mail forgets its bodies and address, and the
access logs (werkzeug's development server, gunicorn, Flask's own) never record a link's token."""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.request

import pytest
from factories import ApplicationFactory, OutboxMessageFactory
from sqlalchemy import select
from werkzeug.serving import make_server

from portal.extensions import db
from portal.logging_filters import mask_tokens
from portal.models import OutboxMessage, OutboxStatus
from portal.rules.pipeline import ApplicationStatus
from portal.services.applications import delete_applicant_data
from portal.services.outbox import queue_email, recipient_hash, send_pending

TOKEN = "Zq3xPrivateToken-abc_123"


def reload(message: OutboxMessage) -> OutboxMessage:
    db.session.expire_all()  # the sender commits through a session of its own
    return db.session.get(OutboxMessage, message.id)


# ------------------------------------------------------------------------------------------------
# The outbox keeps bodies only until delivery


def test_a_delivered_message_keeps_its_subject_status_and_recipient_hash_but_not_its_body(app, smtp_server):
    message = queue_email("Ada@Example.org", "test_message", "Test message from the portal")
    db.session.commit()
    assert "ada@example.org" in message.text_body.lower(), "queued mail has its body until delivery"

    send_pending(sender_id="test")

    assert len(smtp_server.inbox.messages) == 1, "the mail itself went out whole"
    message = reload(message)
    assert message.status is OutboxStatus.SENT and message.subject == "Test message from the portal"
    assert message.text_body == "" and message.html_body == "" and message.recipient == ""
    assert message.recipient_hash == recipient_hash("ada@example.org") == recipient_hash(" ADA@example.ORG ")
    assert len(message.recipient_hash) == 64 and "ada" not in message.recipient_hash


def test_the_recipient_hash_is_peppered_with_the_secret_key(app):
    first = recipient_hash("ada@example.org")
    app.config["SECRET_KEY"] = "another-secret-key-that-is-long-enough-456"
    assert recipient_hash("ada@example.org") != first, "a plain sha256 of the address could be looked up"


def test_a_failed_message_keeps_its_body_until_it_is_retried_and_sent(app, smtp_server):
    smtp_server.inbox.rcpt_replies["ada@example.org"] = "550 5.1.1 No such user"
    message = queue_email("ada@example.org", "test_message", "Test message from the portal")
    db.session.commit()

    send_pending(sender_id="test")

    message = reload(message)
    assert message.status is OutboxStatus.FAILED
    assert message.recipient == "ada@example.org" and "ada@example.org" in message.text_body


def test_deleting_applicant_data_also_removes_delivered_mail_known_only_by_its_hash(app):
    application = ApplicationFactory(email="ana@example.org", status=ApplicationStatus.DECLINED)
    OutboxMessageFactory(
        recipient="", recipient_hash=recipient_hash("ana@example.org"), status=OutboxStatus.SENT, text_body=""
    )
    kept = OutboxMessageFactory(recipient="", recipient_hash=recipient_hash("bo@example.org"), status=OutboxStatus.SENT)
    db.session.commit()

    delete_applicant_data(application)
    db.session.commit()

    assert list(db.session.scalars(select(OutboxMessage.id))) == [kept.id]


@pytest.mark.app_config(ENV="development", MAIL_TRANSPORT="dev")
def test_the_development_transport_keeps_bodies_for_the_sent_mail_page(app):
    message = queue_email("ada@example.org", "test_message", "Test message from the portal")
    db.session.commit()

    send_pending(sender_id="dev:test", transport="dev")

    message = reload(message)
    assert message.status is OutboxStatus.SENT and message.sent_at is not None
    assert "ada@example.org" in message.text_body and message.recipient == "ada@example.org"


# ------------------------------------------------------------------------------------------------
# Access logs never record tokens


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f'"GET /auth/reset/{TOKEN} HTTP/1.1" 200', '"GET /auth/reset/… HTTP/1.1" 200'),
        (f'"POST /auth/invitation/{TOKEN}?next=/ HTTP/1.1" 302', '"POST /auth/invitation/…?next=/ HTTP/1.1" 302'),
        (f"GET /status/{TOKEN}/withdraw", "GET /status/…/withdraw"),
        (f'"GET /hours/ HTTP/1.1" 200 "http://portal.test/status/{TOKEN}"', '"GET /hours/ HTTP/1.1" 200 "http://portal.test/status/…"'),
        ('"GET /status/lost-link HTTP/1.1" 200', '"GET /status/lost-link HTTP/1.1" 200'),
        ('"GET /auth/reset/check-your-email HTTP/1.1" 200', '"GET /auth/reset/check-your-email HTTP/1.1" 200'),
    ],
)
def test_tokens_in_request_lines_and_referrers_are_masked(line, expected):
    assert mask_tokens(line) == expected


def test_the_development_server_log_of_a_reset_link_has_no_token(app, caplog):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{server.port}/auth/reset/{TOKEN}", timeout=10).close()
            except urllib.error.HTTPError:
                pass  # an unknown token answers with its own page; the log line is what matters
    finally:
        server.shutdown()
        thread.join(timeout=10)
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert any("GET /auth/reset/… HTTP/1.1" in line for line in lines), lines
    assert not any(TOKEN in line for line in lines)


def test_gunicorn_access_log_lines_have_no_token(app, caplog):
    # gunicorn logs each request as ``access_log.info(access_log_format, atoms)`` with a dict of atoms.
    atoms = {"h": "127.0.0.1", "r": f"GET /status/{TOKEN} HTTP/1.1", "s": "200", "f": "-", "U": f"/status/{TOKEN}"}
    with caplog.at_level(logging.INFO, logger="gunicorn.access"):
        logging.getLogger("gunicorn.access").info('%(h)s "%(r)s" %(s)s "%(f)s" %(U)s', atoms)
    [line] = [record.getMessage() for record in caplog.records if record.name == "gunicorn.access"]
    assert line == '127.0.0.1 "GET /status/… HTTP/1.1" 200 "-" /status/…'


def test_flask_error_log_of_a_status_link_has_no_token(app, caplog):
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        app.logger.error(f"Exception on /status/{TOKEN} [GET]")
    assert [record.getMessage() for record in caplog.records] == ["Exception on /status/… [GET]"]

