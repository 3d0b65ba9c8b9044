"""Development mail: with MAIL_TRANSPORT=dev the app prints the mail a request queued and marks it sent;
admins read it in full on the development-only "Sent mail" page. Elsewhere mail waits for SMTP."""

from __future__ import annotations

import re

import pytest
from factories import (
    TEST_PASSWORD,
    AdminFactory,
    ApplicationFactory,
    InternFactory,
    OutboxMessageFactory,
    UserFactory,
)
from session_support import sign_in
from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.models import OutboxMessage, OutboxStatus
from portal.services import outbox

development = pytest.mark.app_config(ENV="development")
STATUS_LINK = re.compile(r"http://portal\.test/status/[\w-]+")


def ask_for_status_link(client, email: str = "ana@example.org"):
    response = client.post("/status/lost-link", data={"email": email})
    assert response.status_code == 302
    return response


def messages() -> list[OutboxMessage]:
    db.session.expire_all()  # the request and the sender committed through sessions of their own
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@development
def test_mail_a_request_queues_is_printed_marked_sent_and_shown_to_admins(app, client, capsys):
    ApplicationFactory(email="ana@example.org")

    ask_for_status_link(client)

    [message] = messages()
    assert message.status == OutboxStatus.SENT and message.sent_at is not None and message.attempts == 1
    link = STATUS_LINK.search(message.text_body).group()
    terminal = capsys.readouterr().err
    assert "to ana@example.org" in terminal
    assert f"Subject: {message.subject}" in terminal
    assert f"Link: {link}" in terminal

    sign_in(client, AdminFactory())
    page = client.get("/admin/mail")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'<a href="{link}"' in html  # the body's link can be followed from the page
    assert message.subject in html and "ana@example.org" in html and "sent" in html
    assert 'href="/admin/mail" aria-current="page">Sent mail</a>' in html


@development
def test_the_page_lists_the_newest_fifty_first(app, client):
    for number in range(55):
        OutboxMessageFactory(subject=f"Message number {number}")
    sign_in(client, AdminFactory())

    html = client.get("/admin/mail").get_data(as_text=True)

    subjects = re.findall(r"Message number (\d+)", html)
    assert subjects == [str(number) for number in range(54, 4, -1)]
    older = client.get("/admin/mail?page=2").get_data(as_text=True)
    assert re.findall(r"Message number (\d+)", older) == ["4", "3", "2", "1", "0"]
    assert 'href="/admin/mail?page=2" rel="next">Older mail</a>' in html


@development
def test_a_message_another_sender_has_claimed_is_not_printed_again(app, client, capsys):
    ApplicationFactory(email="ana@example.org")
    claimed = OutboxMessageFactory(
        recipient="bo@example.org", status=OutboxStatus.SENDING, claimed_by="worker-1", claimed_at=utcnow()
    )

    ask_for_status_link(client)

    by_recipient = {message.recipient: message for message in messages()}
    assert by_recipient["ana@example.org"].status == OutboxStatus.SENT
    assert by_recipient["bo@example.org"].status == OutboxStatus.SENDING
    assert by_recipient["bo@example.org"].claimed_by == "worker-1" == claimed.claimed_by
    assert "bo@example.org" not in capsys.readouterr().err


@development
def test_a_failing_printer_leaves_the_request_answered_and_the_mail_queued(app, client, monkeypatch):
    ApplicationFactory(email="ana@example.org")

    def broken(**kwargs):
        raise RuntimeError("terminal gone")

    monkeypatch.setattr(outbox, "send_pending", broken)

    ask_for_status_link(client)

    [message] = messages()
    assert message.status == OutboxStatus.PENDING


@development
def test_requests_that_queue_nothing_send_nothing(app, client):
    OutboxMessageFactory(recipient="waiting@example.org")  # queued by a command, outside any request
    client.get("/")
    assert messages()[0].status == OutboxStatus.PENDING


@development
@pytest.mark.parametrize("role", ["supervisor", "intern", "anonymous"])
def test_only_admins_read_the_mail(app, client, role):
    OutboxMessageFactory(subject="Private subject")
    if role != "anonymous":
        sign_in(client, UserFactory() if role == "supervisor" else InternFactory())

    response = client.get("/admin/mail")

    assert response.status_code == (302 if role == "anonymous" else 403)
    assert "Private subject" not in response.get_data(as_text=True)


def test_with_smtp_the_mail_waits_for_the_sender_and_the_page_does_not_exist(app, client):
    assert app.config["MAIL_TRANSPORT"] == "smtp"
    ApplicationFactory(email="ana@example.org")

    ask_for_status_link(client)

    [message] = messages()
    assert message.status == OutboxStatus.PENDING and message.attempts == 0
    sign_in(client, AdminFactory())
    page = client.get("/admin/mail")
    assert page.status_code == 404
    assert "Sent mail" not in client.get("/").get_data(as_text=True)


@pytest.mark.app_config(ENV="development", MAIL_TRANSPORT="smtp")
def test_development_with_smtp_chosen_leaves_mail_for_the_sender(app, client):
    ApplicationFactory(email="ana@example.org")
    ask_for_status_link(client)
    assert messages()[0].status == OutboxStatus.PENDING


@pytest.mark.app_config(
    ENV="production", SELF_ID_KEY="q0a4sYdNe8yJ3n2x1lqfVtq0G3v2b0mV3T3e8xJq6QY=", TRUSTED_HOSTS=["localhost"]
)
def test_the_page_does_not_exist_in_production(app, client):
    assert app.config["MAIL_TRANSPORT"] == "smtp"
    assert client.get("/admin/mail").status_code == 404


@development
def test_in_a_browser_an_admin_reads_the_mail_and_follows_its_link(app, live_server, page, audit_and_capture):
    ApplicationFactory(email="ana@example.org", full_name="Ana Reyes")
    AdminFactory(email="admin@example.org")
    page.goto(live_server + "/status/lost-link")
    page.get_by_label("Email address you applied with").fill("ana@example.org")
    page.get_by_role("button", name="Email me my link").click()
    page.wait_for_url(re.compile(r"/status/lost-link/sent$"))

    page.goto(live_server + "/auth/sign-in")
    page.get_by_label("Email address").fill("admin@example.org")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Sent mail").click()
    page.wait_for_url(re.compile(r"/admin/mail$"))
    assert page.get_by_text("ana@example.org").is_visible()
    assert audit_and_capture(page, "admin-sent-mail") == []

    page.locator(".mail__body a[href*='/status/']").click()
    page.wait_for_url(re.compile(r"/status/[\w-]+$"))
    assert page.get_by_text("Status:").is_visible()
