"""Session lifetime (issue 12, point 3): idle and absolute limits per role, the ``__Host-`` cookie in
production, a new CSRF token at sign-in, and sessions that end on role change (password change and
deactivation: tests/test_auth.py and tests/test_admin_people.py)."""

from __future__ import annotations

import re

import pytest
from factories import TEST_PASSWORD, InternFactory, UserFactory
from test_auth import csrf_token, sign_in
from test_config import SELF_ID, STRONG

from portal.auth import session_lifetime
from portal.auth.session_lifetime import Lifetime, expiry_message, spell_duration
from portal.models import Role

MINUTE, HOUR, DAY = 60, 3600, 86400
START = 1_900_000_000.0  # a fixed "now" for the session clock


@pytest.fixture
def clock(monkeypatch):
    """The session clock, moved by hand: ``clock.now += 31 * MINUTE``."""

    class Clock:
        now = START

    monkeypatch.setattr(session_lifetime, "clock", lambda: Clock.now)
    return Clock


def account_page(client):
    return client.get("/auth/account")


def signed_out_to_sign_in(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/auth/sign-in")


def flashed(client) -> str:
    return re.sub(r"\s+", " ", client.get("/auth/sign-in").get_data(as_text=True))


# --- idle and absolute limits ----------------------------------------------------------------------


def test_a_staff_session_ends_after_30_idle_minutes_with_a_message(client, clock):
    UserFactory(email="sam@example.org")
    assert sign_in(client, "sam@example.org").status_code == 302
    clock.now += 29 * MINUTE
    assert account_page(client).status_code == 200  # activity moves the idle clock on
    clock.now += 29 * MINUTE
    assert account_page(client).status_code == 200
    clock.now += 31 * MINUTE
    response = account_page(client)
    assert signed_out_to_sign_in(response)
    assert response.headers["Location"] == "/auth/sign-in?next=/auth/account"  # back where they were
    assert "You were signed out after 30 minutes without activity" in flashed(client)
    assert signed_out_to_sign_in(account_page(client))  # really signed out, not just redirected once


def test_a_staff_session_ends_12_hours_after_signing_in_even_when_active(client, clock):
    UserFactory(email="sam@example.org")
    sign_in(client, "sam@example.org")
    for _ in range(12 * 60 // 20):  # a request every 20 minutes for 12 hours
        clock.now += 20 * MINUTE
        assert account_page(client).status_code == 200
    clock.now += 20 * MINUTE
    assert signed_out_to_sign_in(account_page(client))
    assert "you signed in more than 12 hours ago" in flashed(client)


def test_an_intern_session_lasts_12_idle_hours_and_14_days(client, clock):
    InternFactory(email="ana@example.org")
    sign_in(client, "ana@example.org")
    clock.now += 11 * HOUR  # a working day away: still signed in (staff would not be)
    assert account_page(client).status_code == 200
    for _ in range(29):  # back every 11 hours for the rest of the fortnight (330 hours in all)
        clock.now += 11 * HOUR
        assert account_page(client).status_code == 200
    clock.now += 7 * HOUR  # 337 hours: past 14 days since signing in
    assert signed_out_to_sign_in(account_page(client))
    assert "you signed in more than 14 days ago" in flashed(client)


def test_an_idle_intern_is_signed_out_after_12_hours(client, clock):
    InternFactory(email="ana@example.org")
    sign_in(client, "ana@example.org")
    clock.now += 12 * HOUR + MINUTE
    assert signed_out_to_sign_in(account_page(client))
    assert "You were signed out after 12 hours without activity" in flashed(client)


@pytest.mark.app_config(STAFF_SESSION_IDLE_MINUTES=5, STAFF_SESSION_MAX_HOURS=1)
def test_the_limits_are_settings(client, clock):
    UserFactory(email="sam@example.org")
    sign_in(client, "sam@example.org")
    clock.now += 6 * MINUTE
    assert signed_out_to_sign_in(account_page(client))
    assert "after 5 minutes without activity" in flashed(client)


def test_a_form_sent_after_the_limit_is_not_acted_on(client, clock, admin):
    sign_in(client, admin.email)
    clock.now += 31 * MINUTE
    response = client.post("/admin/programs/new", data={"title": "Winter", "organisation": "Org"})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/sign-in"


def test_a_session_from_before_the_limits_starts_its_clock_at_its_next_request(client, clock, supervisor):
    from session_support import sign_in as cookie_sign_in

    cookie_sign_in(client, supervisor)  # a cookie without the sign-in times
    assert account_page(client).status_code == 200
    clock.now += 31 * MINUTE
    assert signed_out_to_sign_in(account_page(client))


@pytest.mark.parametrize(
    "seconds, words",
    [(30 * MINUTE, "30 minutes"), (HOUR, "1 hour"), (12 * HOUR, "12 hours"), (14 * DAY, "14 days"), (90, "90 seconds")],
)
def test_durations_are_spelled_out(seconds, words):
    assert spell_duration(seconds) == words


def test_the_idle_limit_is_checked_before_the_absolute_one():
    limits = Lifetime(idle_seconds=30 * MINUTE, max_seconds=12 * HOUR)
    assert expiry_message(START, START, START + 30 * MINUTE, limits) is None  # exactly at the limit: still fine
    assert "without activity" in expiry_message(START - 13 * HOUR, START, START + 31 * MINUTE, limits)
    assert "12 hours ago" in expiry_message(START - 12 * HOUR, START, START + MINUTE, limits)


# --- CSRF token and cookie ---------------------------------------------------------------------------


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_signing_in_rotates_the_csrf_token(client):
    UserFactory(email="sam@example.org")
    page = client.get("/auth/sign-in").get_data(as_text=True)
    with client.session_transaction() as session:
        before = session["csrf_token"]
    response = client.post(
        "/auth/sign-in", data={"email": "sam@example.org", "password": TEST_PASSWORD, "csrf_token": csrf_token(page)}
    )
    assert response.status_code == 302
    account = client.get("/auth/account").get_data(as_text=True)
    with client.session_transaction() as session:
        after = session["csrf_token"]
    assert after != before
    assert csrf_token(account) != csrf_token(page)
    # The token from before signing in no longer works for a signed-in form.
    stale = client.post("/auth/sign-out", data={"csrf_token": csrf_token(page)})
    assert stale.status_code == 400
    assert client.post("/auth/sign-out", data={"csrf_token": csrf_token(account)}).status_code == 302


PRODUCTION = {"ENV": "production", "SECRET_KEY": STRONG, "SELF_ID_KEY": SELF_ID, "MAIL_TRANSPORT": "smtp"}


@pytest.mark.app_config(**PRODUCTION)
def test_production_uses_a_host_prefixed_secure_cookie(app, client):
    InternFactory(email="ana@example.org")
    response = client.post(
        "/auth/sign-in", data={"email": "ana@example.org", "password": TEST_PASSWORD}, base_url="https://portal.test"
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    attributes = [part.strip().lower() for part in cookie.split(";")[1:]]
    assert "secure" in attributes and "httponly" in attributes and "path=/" in attributes
    assert not any(part.startswith("domain=") for part in attributes)
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"


def test_outside_production_the_cookie_keeps_its_usual_name(app):
    assert app.config["SESSION_COOKIE_NAME"] == "session"


# --- sessions end on role change ------------------------------------------------------------------


def test_changing_someones_role_signs_them_out_everywhere(app, admin, supervisor):
    from session_support import sign_in as cookie_sign_in

    theirs, mine = app.test_client(), app.test_client()
    cookie_sign_in(theirs, supervisor)
    cookie_sign_in(mine, admin)
    assert account_page(theirs).status_code == 200
    assert mine.post(f"/admin/people/{supervisor.id}/role", data={"role": "admin"}).status_code == 302
    assert signed_out_to_sign_in(account_page(theirs))
    assert account_page(mine).status_code == 200  # the admin who changed it stays signed in
    from portal.extensions import db
    from portal.models import User

    db.session.expire_all()
    assert db.session.get(User, supervisor.id).role == Role.ADMIN
