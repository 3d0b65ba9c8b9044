"""The outbox page for admins: counts by status, failed messages without their bodies, and Retry."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from factories import AdminFactory, InternFactory, OutboxMessageFactory, UserFactory
from session_support import sign_in
from sqlalchemy import select
from test_progress import count_queries, parse, texts

from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditEvent, OutboxMessage, OutboxStatus
from portal.services.outbox import RETRY_GONE, send_pending

VISITORS = ("anonymous", "intern", "supervisor", "admin")

# (method, path, expected status for each visitor in VISITORS order); {id} is a failed message
ROUTES = [
    ("GET", "/admin/outbox", (302, 403, 403, 200)),
    ("GET", "/admin/outbox?page=2", (302, 403, 403, 200)),
    ("POST", "/admin/outbox/{id}/retry", (302, 403, 403, 302)),
    ("POST", "/admin/outbox/999999/retry", (302, 403, 403, 404)),
]

TOKEN = "Zq8rT0kenThatMustNeverShow_x91"
BODY = f"Set your password: http://portal.test/auth/invitation/{TOKEN}"


def failed(**fields) -> OutboxMessage:
    defaults = {
        "status": OutboxStatus.FAILED,
        "attempts": 8,
        "last_error": "recipient refused: 550 5.1.1 no such user",
        "text_body": BODY,
        "html_body": f'<p><a href="http://portal.test/auth/invitation/{TOKEN}">Set your password</a></p>',
    }
    return OutboxMessageFactory(**{**defaults, **fields})


def reload(message: OutboxMessage) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message.id)


@pytest.fixture
def signed_in(client, admin):
    sign_in(client, admin)
    return client


@pytest.fixture
def outbox(app):
    """Two queued, one being sent, three sent and two failed messages."""
    for _ in range(2):
        OutboxMessageFactory()
    OutboxMessageFactory(status=OutboxStatus.SENDING, claimed_by="worker", claimed_at=utcnow())
    for _ in range(3):
        OutboxMessageFactory(status=OutboxStatus.SENT, sent_at=utcnow(), text_body=BODY)
    old = failed(recipient="old@example.org", subject="Your application", created_at=utcnow() - timedelta(days=2))
    new = failed(recipient="nosuch@example.org", subject="You are invited", attempts=1)
    db.session.commit()
    return {"old": old, "new": new}


# --- 1. what the page shows -------------------------------------------------------------------------


def test_counts_by_status_and_the_failed_messages_newest_first(signed_in, outbox):
    response = signed_in.get("/admin/outbox")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = parse(response.data)
    assert texts(page, ".outbox-counts li") == ["2 queued", "1 being sent", "3 sent", "2 failed"]
    assert texts(page, '.outbox-table td[data-label="To"]') == ["nosuch@example.org", "old@example.org"]
    newest = texts(page, ".outbox-table tbody tr:first-child td")
    assert newest[1] == "You are invited"
    assert newest[3:5] == ["1", "recipient refused: 550 5.1.1 no such user"]
    assert texts(page, "#failed-caption") == ["2 failed messages, newest first"]


def test_no_message_body_or_private_link_is_on_the_page(signed_in, outbox):
    html = signed_in.get("/admin/outbox").get_data(as_text=True)
    assert TOKEN not in html
    assert "Set your password" not in html
    assert "/auth/invitation" not in html


def test_the_page_does_not_even_load_the_bodies(signed_in, outbox):
    with count_queries() as statements:
        signed_in.get("/admin/outbox")
    [listed] = [s for s in statements if "FROM outbox_messages" in s and "LIMIT" in s]
    assert "recipient" in listed and "text_body" not in listed and "html_body" not in listed


def test_with_nothing_failed_the_page_says_so(signed_in):
    OutboxMessageFactory(status=OutboxStatus.SENT)
    db.session.commit()
    page = parse(signed_in.get("/admin/outbox").data)
    assert texts(page, ".empty-state") == ["No message has failed."]
    assert texts(page, ".outbox-counts li")[-1] == "0 failed"


def test_failed_messages_are_paged_by_25_in_bounded_queries(signed_in):
    for n in range(3):
        failed(recipient=f"few{n}@example.org")
    db.session.commit()
    db.session.expire_all()
    with count_queries() as few:
        signed_in.get("/admin/outbox")
    for n in range(25):
        failed(recipient=f"many{n}@example.org", created_at=utcnow() - timedelta(days=1, minutes=n))
    db.session.commit()
    db.session.expire_all()
    with count_queries() as many:
        first = parse(signed_in.get("/admin/outbox").data)
    assert len(many) == len(few)
    assert len(texts(first, ".outbox-table tbody tr")) == 25
    assert texts(first, ".pagination span") == ["Page 1 of 2"]
    second = parse(signed_in.get("/admin/outbox?page=2").data)
    assert texts(second, '.outbox-table td[data-label="To"]') == ["many22@example.org", "many23@example.org",
                                                                  "many24@example.org"]


# --- 2. retrying ------------------------------------------------------------------------------------


def test_retry_queues_the_message_again_now_and_is_audited(signed_in, outbox, admin):
    message = outbox["old"]
    response = signed_in.post(f"/admin/outbox/{message.id}/retry")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/outbox"
    message = reload(message)
    assert message.status is OutboxStatus.PENDING
    assert message.attempts == 0
    assert abs(message.next_attempt_at - utcnow()) < timedelta(minutes=1)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.retried")).one()
    assert (event.actor_id, event.target_type, event.target_id) == (admin.id, "outbox_message", message.id)
    assert (event.from_state, event.to_state) == ("failed", "pending")
    assert event.details["before"] == {"attempts": 8, "last_error": "recipient refused: 550 5.1.1 no such user"}
    assert TOKEN not in str(event.details)

    page = parse(signed_in.get("/admin/outbox").data)
    assert "The email is queued again" in texts(page, ".flash")[0]
    assert texts(page, '.outbox-table td[data-label="To"]') == ["nosuch@example.org"]
    assert texts(page, ".outbox-counts li")[0] == "3 queued"


def test_a_retried_message_is_delivered_by_the_next_run(app, signed_in, outbox, smtp_server):
    signed_in.post(f"/admin/outbox/{outbox['new'].id}/retry")
    report = send_pending(sender_id="test")
    assert report.sent == 3  # the two queued ones and the retried one
    assert "nosuch@example.org" in smtp_server.inbox.recipients()
    assert reload(outbox["new"]).status is OutboxStatus.SENT


@pytest.mark.parametrize("status", [OutboxStatus.SENT, OutboxStatus.PENDING, OutboxStatus.SENDING])
def test_a_message_that_is_not_failed_is_not_retried(signed_in, status):
    message = OutboxMessageFactory(status=status, attempts=2)
    db.session.commit()
    response = signed_in.post(f"/admin/outbox/{message.id}/retry")
    assert response.status_code == 409
    assert RETRY_GONE in texts(parse(response.data), ".error-summary p")[0]
    message = reload(message)
    assert (message.status, message.attempts) == (status, 2)
    assert db.session.scalars(select(AuditEvent)).all() == []


def test_retrying_twice_retries_once(signed_in, outbox):
    url = f"/admin/outbox/{outbox['old'].id}/retry"
    assert signed_in.post(url).status_code == 302
    assert signed_in.post(url).status_code == 409
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.retried")).all()
    assert len(events) == 1


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_retry_needs_the_pages_csrf_token(signed_in, outbox):
    message = outbox["old"]
    assert signed_in.post(f"/admin/outbox/{message.id}/retry").status_code == 400
    assert reload(message).status is OutboxStatus.FAILED
    html = signed_in.get("/admin/outbox").get_data(as_text=True)
    token = re.search(rf'action="/admin/outbox/{message.id}/retry"[^>]*>\s*<input[^>]*value="([^"]+)"', html).group(1)
    assert signed_in.post(f"/admin/outbox/{message.id}/retry", data={"csrf_token": token}).status_code == 302
    assert reload(message).status is OutboxStatus.PENDING


# --- 3. who may use it ------------------------------------------------------------------------------


@pytest.fixture
def visitors(app):
    users = {"anonymous": None, "intern": InternFactory(), "supervisor": UserFactory(), "admin": AdminFactory()}
    db.session.commit()
    return users


@pytest.mark.parametrize("method, template, expected", ROUTES, ids=[f"{m} {t}" for m, t, _ in ROUTES])
def test_access_table(app, visitors, method, template, expected):
    observed = []
    for visitor in VISITORS:
        message = failed()  # a fresh failed message for each visitor: the admin's retry succeeds
        db.session.commit()
        client = app.test_client()
        if visitors[visitor] is not None:
            sign_in(client, visitors[visitor])
        response = client.open(template.format(id=message.id), method=method)
        if visitor == "anonymous":
            assert "/auth/sign-in" in response.headers["Location"]
        elif visitor != "admin" and method == "POST":
            assert reload(message).status is OutboxStatus.FAILED
        observed.append(response.status_code)
    assert dict(zip(VISITORS, observed, strict=True)) == dict(zip(VISITORS, expected, strict=True))
