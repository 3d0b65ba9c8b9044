"""Signing in and out, password resets, invitations and the role decorator, through the web (both backends)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from argon2 import PasswordHasher
from factories import TEST_PASSWORD, AdminFactory, InternFactory, UserFactory
from flask import Blueprint, url_for
from sqlalchemy import func, select

from portal.auth.permissions import role_required, staff_required
from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditEvent, OutboxMessage, Role, TokenPurpose, User, UserToken
from portal.services.accounts import MIN_PASSWORD_LENGTH, send_invitation

SIGN_IN_FAILED = "That email and password do not match an account."
NEW_PASSWORD = "tenants union summer 2026"


# --- helpers -----------------------------------------------------------------------------------------


def sign_in(client, email: str, password: str = TEST_PASSWORD, *, next_path: str | None = None, address=None):
    url = "/auth/sign-in" + (f"?next={quote(next_path, safe='')}" if next_path is not None else "")
    extra = {"environ_base": {"REMOTE_ADDR": address}} if address else {}
    return client.post(url, data={"email": email, "password": password}, **extra)


def field_error(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("Error: ", "").strip() if match else ""


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def last_mail_to(recipient: str) -> OutboxMessage | None:
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id.desc())
    ).first()


def link_in(message: OutboxMessage) -> str:
    """The path of the portal link in a mail, checked to be the same in the text and HTML parts."""
    path = re.search(r"http://portal\.test(/auth/\S+)", message.text_body).group(1)
    assert f'href="http://portal.test{path}"' in message.html_body
    return path


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def is_signed_in(client) -> bool:
    response = client.get("/auth/account")
    assert response.status_code in (200, 302)
    return response.status_code == 200


@pytest.fixture
def landing_pages(app):
    """Each role's start page: the real one when its blueprint has it, else a stand-in under the same name."""
    urls = {}
    for endpoint, path in (("review.queue", "/stand-in/review-queue"), ("timesheets.dashboard", "/stand-in/hours")):
        if endpoint not in app.view_functions:
            app.add_url_rule(path, endpoint=endpoint, view_func=lambda: "a start page")
        with app.test_request_context():
            urls[endpoint] = url_for(endpoint)
    return urls


@pytest.fixture
def ada(app):
    return UserFactory(email="ada@example.org", full_name="Ada Lovelace")


@pytest.fixture
def spy_verify(monkeypatch):
    """Every argon2 verification made, counted by wrapping ``argon2.PasswordHasher.verify``."""
    calls: list[str] = []
    original = PasswordHasher.verify

    def verify(self, hash, password):
        calls.append(hash)
        return original(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", verify)
    return calls


# --- 1. signing in -----------------------------------------------------------------------------------


def test_the_sign_in_page_has_labelled_fields_for_password_managers(client):
    response = client.get("/auth/sign-in")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<label for="email">Email address' in html and '<label for="password">Password' in html
    assert 'autocomplete="email"' in html and 'autocomplete="current-password"' in html
    assert 'href="/auth/reset"' in html
    assert 'href="/auth/sign-in" aria-current="page"' in html  # the nav link shows where you are


@pytest.mark.parametrize(
    "factory, start_page",
    [(AdminFactory, "review.queue"), (UserFactory, "review.queue"), (InternFactory, "timesheets.dashboard")],
    ids=["admin", "supervisor", "intern"],
)
def test_each_role_signs_in_and_lands_on_its_start_page(client, landing_pages, factory, start_page):
    user = factory(email="person@example.org")
    response = sign_in(client, "Person@Example.org ")  # the address is matched whatever its case
    assert response.status_code == 302
    assert response.headers["Location"] == landing_pages[start_page]
    account = client.get("/auth/account").get_data(as_text=True)
    assert "person@example.org" in account
    assert {"admin": "Admin", "supervisor": "Supervisor", "intern": "Intern"}[user.role.value] in account
    db.session.expire_all()
    assert db.session.get(User, user.id).last_sign_in_at is not None


@pytest.mark.parametrize(
    "case",
    ["wrong password", "inactive account", "no password set yet"],
)
def test_an_unknown_email_gets_the_same_page_and_the_same_work_as_a_refused_account(client, spy_verify, case):
    if case == "wrong password":
        UserFactory(email="known@example.org")
        password = "not the right password"
    elif case == "inactive account":
        UserFactory(email="known@example.org", active=False)
        password = TEST_PASSWORD
    else:
        InternFactory(email="known@example.org", password_hash=None)
        password = TEST_PASSWORD

    refused = sign_in(client, "known@example.org", password)
    refused_checks = len(spy_verify)
    spy_verify.clear()
    unknown = sign_in(client, "unknown@example.org", password)

    assert refused_checks == 1 and len(spy_verify) == 1
    assert refused.status_code == unknown.status_code == 422
    refused_html = refused.get_data(as_text=True)
    assert SIGN_IN_FAILED in refused_html
    assert 'value="known@example.org"' in refused_html  # the typed email is kept…
    assert password not in refused_html  # …the password never is
    assert refused_html.replace("known@", "EMAIL@") == unknown.get_data(as_text=True).replace("unknown@", "EMAIL@")
    assert not is_signed_in(client)


def test_an_inactive_account_cannot_sign_in_even_with_the_right_password(client):
    UserFactory(email="gone@example.org", active=False)
    response = sign_in(client, "gone@example.org")
    assert response.status_code == 422
    assert SIGN_IN_FAILED in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_empty_fields_are_explained_beside_them(client):
    response = client.post("/auth/sign-in", data={"email": "", "password": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(html, "email") == "Enter your email address"
    assert field_error(html, "password") == "Enter your password"


def test_an_account_deactivated_while_signed_in_loses_access(client, ada):
    sign_in(client, ada.email)
    assert is_signed_in(client)
    ada.active = False
    db.session.commit()
    assert not is_signed_in(client)


# --- 2. rate limits ----------------------------------------------------------------------------------


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_failed_sign_ins_are_limited_per_account_and_client_not_per_account(client, ada):
    statuses = [sign_in(client, ada.email, "wrong guess", address="10.0.0.1").status_code for _ in range(6)]
    assert statuses == [422] * 5 + [429]
    # That client waits, even with the right password, and the page says why (see test_security_sign_in).
    locked = sign_in(client, "ADA@example.org", address="10.0.0.1")
    assert locked.status_code == 429
    assert "Too many attempts" in locked.get_data(as_text=True)
    # Ada, on her own device, is not locked out; other accounts from the failing client are not either.
    assert sign_in(client, "ADA@example.org", address="10.0.1.1").status_code == 302
    UserFactory(email="grace@example.org")
    assert sign_in(client, "grace@example.org", address="10.0.0.1").status_code == 302


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_failed_sign_ins_are_limited_per_client_across_accounts(client, ada):
    statuses = [sign_in(client, f"guess{i}@example.org", "wrong guess").status_code for i in range(11)]
    assert statuses == [422] * 10 + [429]
    assert sign_in(client, ada.email).status_code == 429  # this client waits, whatever the account
    assert sign_in(client, ada.email, address="192.0.2.7").status_code == 302  # another client does not


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_successful_sign_ins_do_not_count(client, ada):
    assert [sign_in(client, ada.email).status_code for _ in range(11)] == [302] * 11
    statuses = [sign_in(client, ada.email, "wrong guess").status_code for _ in range(4)]
    statuses.append(sign_in(client, ada.email).status_code)
    statuses += [sign_in(client, ada.email, "wrong guess").status_code for _ in range(2)]
    assert statuses == [422] * 4 + [302] + [422, 429]


# --- 3. where people go after signing in ---------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in_and_back(client, ada):
    response = client.get("/auth/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/sign-in?next=%2Fauth%2Faccount"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Please sign in to see that page." in page
    assert 'action="/auth/sign-in?next=/auth/account"' in page
    assert sign_in(client, ada.email, next_path="/auth/account").headers["Location"] == "/auth/account"


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "https://evil.example/", "/\\evil.example", "/\t/evil.example", "javascript:alert(1)", ""],
)
def test_next_is_not_followed_off_the_site(client, ada, landing_pages, target):
    response = sign_in(client, ada.email, next_path=target)
    assert response.status_code == 302
    assert response.headers["Location"] == landing_pages["review.queue"]
    assert "evil" not in client.get("/auth/sign-in?next=" + quote(target, safe="")).get_data(as_text=True)


def test_next_keeps_the_query_of_a_same_site_path(client, ada):
    response = sign_in(client, ada.email, next_path="/auth/account?tab=password")
    assert response.headers["Location"] == "/auth/account?tab=password"


# --- 4. signing out ----------------------------------------------------------------------------------


def test_signing_out_ends_the_session_on_the_server_so_a_copied_cookie_stops_working(app, client, ada):
    sign_in(client, ada.email)
    copied = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/auth/account").status_code == 200  # the copy works while the session lasts

    response = client.post("/auth/sign-out")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "You are signed out" in client.get("/").get_data(as_text=True)
    assert not is_signed_in(client)

    thief = app.test_client()
    thief.set_cookie("session", copied)
    refused = thief.get("/auth/account")
    assert refused.status_code == 302
    assert refused.headers["Location"].startswith("/auth/sign-in")
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "user.signed_out"))


def test_signing_out_elsewhere_signs_out_every_device(app, client, ada):
    phone = app.test_client()
    sign_in(client, ada.email)
    sign_in(phone, ada.email)
    phone.post("/auth/sign-out")
    assert not is_signed_in(client)


def test_sign_out_is_not_a_link(client, ada):
    sign_in(client, ada.email)
    assert client.get("/auth/sign-out").status_code == 405
    assert is_signed_in(client)
    account = client.get("/auth/account").get_data(as_text=True)
    assert re.search(r'<form method="post" action="/auth/sign-out">', account)
    assert "Sign out</button>" in account


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_sign_out_and_sign_in_need_the_pages_csrf_token(client, ada):
    token = csrf_token(client.get("/auth/sign-in").get_data(as_text=True))
    assert sign_in(client, ada.email).status_code == 400  # no token: refused
    assert (
        client.post(
            "/auth/sign-in", data={"email": ada.email, "password": TEST_PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )

    assert client.post("/auth/sign-out").status_code == 400
    assert is_signed_in(client)
    token = csrf_token(client.get("/auth/account").get_data(as_text=True))
    assert client.post("/auth/sign-out", data={"csrf_token": token}).status_code == 302
    assert not is_signed_in(client)


def test_signing_out_without_a_session_just_goes_home(client):
    response = client.post("/auth/sign-out")
    assert response.status_code == 302 and response.headers["Location"] == "/"


# --- 5. password reset -------------------------------------------------------------------------------


def request_reset(client, email: str, *, address: str | None = None):
    extra = {"environ_base": {"REMOTE_ADDR": address}} if address else {}
    return client.post("/auth/reset", data={"email": email}, **extra)


def test_a_reset_link_is_emailed_and_sets_a_new_password_once(app, client, ada):
    response = request_reset(client, "Ada@Example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/reset/check-your-email"
    assert "Check your email" in client.get(response.headers["Location"]).get_data(as_text=True)

    message = last_mail_to("ada@example.org")
    assert message.subject == "Reset your password"
    assert "expires in 60 minutes" in message.text_body and "If you did not ask for this" in message.text_body
    assert "expires in 60 minutes" in message.html_body and "If you did not ask for this" in message.html_body
    link = link_in(message)

    form = client.get(link)
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    assert html.count('autocomplete="new-password"') == 2 and "ada@example.org" in html

    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/auth/sign-in"
    assert "Your password is changed" in client.get("/auth/sign-in").get_data(as_text=True)

    assert sign_in(client, ada.email).status_code == 422  # the old password no longer works
    assert sign_in(client, ada.email, NEW_PASSWORD).status_code == 302

    again = app.test_client().get(link)
    assert again.status_code == 404
    assert "This link no longer works" in again.get_data(as_text=True)
    assert 'href="/auth/reset"' in again.get_data(as_text=True)
    second = app.test_client().post(link, data={"password": "another password 123", "confirm": "another password 123"})
    assert second.status_code == 404
    assert sign_in(app.test_client(), ada.email, NEW_PASSWORD).status_code == 302


def test_resetting_the_password_ends_every_existing_session(app, client, ada):
    sign_in(client, ada.email)
    assert is_signed_in(client)
    other = app.test_client()
    request_reset(other, ada.email)
    other.post(link_in(last_mail_to(ada.email)), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert not is_signed_in(client)


def test_an_unknown_or_inactive_address_gets_the_same_answer_and_no_mail(app, client, ada):
    UserFactory(email="gone@example.org", active=False)
    known = request_reset(client, ada.email)
    for email in ("nobody@example.org", "gone@example.org"):
        response = request_reset(app.test_client(), email)
        assert (response.status_code, response.headers["Location"]) == (known.status_code, known.headers["Location"])
    assert [message.recipient for message in db.session.scalars(select(OutboxMessage))] == [ada.email]


def test_an_expired_reset_link_is_refused(client, ada):
    request_reset(client, ada.email)
    link = link_in(last_mail_to(ada.email))
    token = db.session.scalar(select(UserToken).where(UserToken.purpose == TokenPurpose.PASSWORD_RESET))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 404
    assert "Ask for a new reset link" in response.get_data(as_text=True)
    assert sign_in(client, ada.email).status_code == 302  # the old password still works


def test_only_the_newest_reset_link_works(client, ada):
    request_reset(client, ada.email)
    first = link_in(last_mail_to(ada.email))
    request_reset(client, ada.email)
    second = link_in(last_mail_to(ada.email))
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_an_unknown_reset_link_gets_the_friendly_page(client):
    for link in ("/auth/reset/not-a-real-token", "/auth/reset/" + "x" * 300):
        response = client.get(link)
        assert response.status_code == 404
        assert "This link no longer works" in response.get_data(as_text=True)


def test_the_reset_form_asks_for_an_email_address(client):
    response = client.post("/auth/reset", data={"email": "not-an-email"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(html, "email") == "Enter an email address like name@example.org"
    assert 'value="not-an-email"' in html
    assert count(OutboxMessage) == 0


@pytest.mark.parametrize(
    "password, confirm, field, message",
    [
        ("short", "short", "password", f"Use at least {MIN_PASSWORD_LENGTH} characters"),
        ("", "", "password", "Enter a new password"),
        (" " * 14, " " * 14, "password", "Enter a new password, not only spaces"),
        ("ADA@example.org", "ADA@example.org", "password", "Choose a password that is not your email address"),
        (NEW_PASSWORD, NEW_PASSWORD + "!", "confirm", "The two passwords do not match"),
        (NEW_PASSWORD, "", "confirm", "Type the new password again"),
        ("x" * 257, "x" * 257, "password", "Use at most 256 characters"),
    ],
)
def test_password_rules_are_explained_beside_the_field(client, ada, password, confirm, field, message):
    request_reset(client, ada.email)
    link = link_in(last_mail_to(ada.email))
    response = client.post(link, data={"password": password, "confirm": confirm})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(html, field) == message
    assert f'href="#{field}"' in html  # the summary links to the field
    if password:
        assert f'value="{password}"' not in html  # a refused password is never sent back
    assert client.get(link).status_code == 200  # the link still works after a refused password
    assert sign_in(client, ada.email).status_code == 302  # and the password is unchanged


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_reset_requests_are_limited_per_client_and_per_address(client, ada):
    statuses = [request_reset(client, f"p{i}@example.org").status_code for i in range(6)]
    assert statuses == [302] * 5 + [429]
    statuses = [request_reset(client, ada.email, address=f"10.1.0.{i}").status_code for i in range(4)]
    assert statuses == [302] * 3 + [429]


# --- 6. invitations ----------------------------------------------------------------------------------


@pytest.fixture
def invited_intern(intern):
    """The shared intern, with no password yet and an invitation to set one."""
    intern.password_hash = None
    send_invitation(intern, program_title="Fall Internship")
    db.session.commit()
    return intern


def test_an_invited_intern_sets_a_first_password_and_is_signed_in(app, client, invited_intern, landing_pages):
    message = last_mail_to("ana@example.org")
    assert "Fall Internship" in message.subject
    assert "expires in 7 days" in message.text_body and "If you did not expect this invitation" in message.text_body
    assert "expires in 7 days" in message.html_body and "If you did not expect this invitation" in message.html_body
    link = link_in(message)

    assert sign_in(client, "ana@example.org", "anything at all").status_code == 422  # no password yet

    page = client.get(link)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Welcome, Ana Reyes" in html
    assert html.count('autocomplete="new-password"') == 2

    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == landing_pages["timesheets.dashboard"]
    account = client.get("/auth/account")
    assert account.status_code == 200 and "ana@example.org" in account.get_data(as_text=True)

    again = app.test_client().get(link)
    assert again.status_code == 404
    assert "ask the admin of your internship program to send you a new invitation" in again.get_data(as_text=True)
    assert sign_in(app.test_client(), "ana@example.org", NEW_PASSWORD).status_code == 302
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.invitation_accepted")) is not None


def test_password_rules_apply_to_the_invitation_too(client, invited_intern):
    link = link_in(last_mail_to("ana@example.org"))
    response = client.post(link, data={"password": "ana@example.org", "confirm": "ana@example.org"})
    assert response.status_code == 422
    assert (
        field_error(response.get_data(as_text=True), "password") == "Choose a password that is not your email address"
    )
    assert "Welcome, Ana Reyes" in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_an_expired_or_unknown_invitation_gets_the_friendly_page(client, invited_intern):
    link = link_in(last_mail_to("ana@example.org"))
    token = db.session.scalar(select(UserToken).where(UserToken.purpose == TokenPurpose.INVITATION))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    for path in (link, "/auth/invitation/not-a-real-token"):
        response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert response.status_code == 404
        assert "This invitation link no longer works" in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_an_invitation_for_a_deactivated_account_does_not_work(client, invited_intern):
    link = link_in(last_mail_to("ana@example.org"))
    invited_intern.active = False
    db.session.commit()
    assert client.get(link).status_code == 404


def test_a_reset_link_is_not_an_invitation(client, ada):
    request_reset(client, ada.email)
    token = link_in(last_mail_to(ada.email)).rsplit("/", 1)[1]
    assert client.get(f"/auth/invitation/{token}").status_code == 404


# --- 7. roles ----------------------------------------------------------------------------------------


@pytest.fixture
def guarded(app):
    """Two tiny views behind the decorators, on a blueprint made for this test."""
    bp = Blueprint("guarded", __name__)

    @bp.get("/admins")
    @role_required(Role.ADMIN)
    def admins_only():
        return "admins only"

    @bp.get("/staff")
    @staff_required
    def staff_only():
        return "staff only"

    app.register_blueprint(bp, url_prefix="/guarded")
    return bp


def test_role_required_sends_visitors_to_sign_in_and_refuses_other_roles(app, guarded):
    AdminFactory(email="admin@example.org")
    UserFactory(email="sup@example.org")
    InternFactory(email="intern@example.org")

    anonymous = app.test_client().get("/guarded/admins")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"] == "/auth/sign-in?next=%2Fguarded%2Fadmins"

    expected = {
        "admin@example.org": {"/guarded/admins": 200, "/guarded/staff": 200},
        "sup@example.org": {"/guarded/admins": 403, "/guarded/staff": 200},
        "intern@example.org": {"/guarded/admins": 403, "/guarded/staff": 403},
    }
    for email, pages in expected.items():
        client = app.test_client()
        sign_in(client, email)
        for path, status in pages.items():
            response = client.get(path)
            assert response.status_code == status, (email, path)
            if status == 403:
                assert "You do not have access to this page" in response.get_data(as_text=True)
