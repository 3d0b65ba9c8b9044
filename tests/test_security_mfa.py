"""Issue 12 point 2: staff sign in with a second factor (TOTP or a single-use recovery code).

With ``MFA_REQUIRED_FOR_STAFF`` on, a correct password alone never gives a staff session: an enrolled
person is asked for a code, anyone else is sent to enrolment and can open nothing else until done.
Interns are never asked. Admins can reset someone's second factor (audited; their sessions end).
"""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from factories import TEST_PASSWORD, AdminFactory, InternFactory, UserFactory
from session_support import sign_in
from sqlalchemy import func, select

from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditEvent, RecoveryCode, User
from portal.services import mfa

pytestmark = pytest.mark.app_config(MFA_REQUIRED_FOR_STAFF=True)


def password_step(client, email: str, password: str = TEST_PASSWORD, next_path: str | None = None):
    url = "/auth/sign-in" + (f"?next={next_path}" if next_path else "")
    return client.post(url, data={"email": email, "password": password})


def enrol(client, user: User) -> tuple[str, list[str]]:
    """Enrol through the pages (password, QR page, a code from the secret shown): (secret, recovery codes)."""
    response = password_step(client, user.email)
    assert response.headers["Location"].endswith("/auth/two-step/set-up")
    page = client.get("/auth/two-step/set-up").get_data(as_text=True)
    secret = re.search(r'id="mfa-secret">([A-Z2-7]+)<', page).group(1)
    done = client.post("/auth/two-step/set-up", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<code>([0-9A-Z]{5}-[0-9A-Z]{5})</code>", done.get_data(as_text=True))
    return secret, codes


def actions(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def next_code(secret: str) -> str:
    """The app's code for the next 30-second step: accepted now (valid_window=1), and not the one enrolment
    just used (a code works once)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


# --- A correct password alone is not enough ---------------------------------------------------------


def test_a_staff_password_alone_opens_no_staff_page(client, supervisor):
    response = password_step(client, supervisor.email)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/two-step/set-up")
    assert client.get("/review/").status_code == 302
    assert "/auth/sign-in" in client.get("/review/").headers["Location"]


def test_an_enrolled_staff_password_leads_to_the_code_step_and_only_a_code_signs_in(client, supervisor, app):
    secret, _ = enrol(client, supervisor)
    fresh = app.test_client()
    response = password_step(fresh, supervisor.email, next_path="/auth/account")
    assert response.headers["Location"].endswith("/auth/two-step")
    assert fresh.get("/review/").status_code == 302  # not signed in yet
    page = fresh.get("/auth/two-step")
    assert page.status_code == 200 and "Enter your sign-in code" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    response = fresh.post("/auth/two-step", data={"code": next_code(secret)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/account")
    assert fresh.get("/review/").status_code == 200


def test_a_staff_session_without_enrolment_is_sent_to_enrolment_from_every_page(client, admin):
    sign_in(client, admin)  # e.g. signed in before the setting was on, or by accepting an invitation
    for path in ("/review/", "/admin/people", "/auth/account", "/", "/review/", "/hours/compliance"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].endswith("/auth/two-step/set-up"), path
    assert client.get("/auth/two-step/set-up").status_code == 200


def test_interns_are_never_asked(client):
    intern = InternFactory()
    response = password_step(client, intern.email)
    assert response.headers["Location"].endswith("/hours/")
    assert client.get("/auth/account").status_code == 200


@pytest.mark.app_config(MFA_REQUIRED_FOR_STAFF=False)
def test_when_not_required_unenrolled_staff_sign_in_with_the_password(client, supervisor):
    password_step(client, supervisor.email)
    assert client.get("/review/").status_code == 200


def test_the_setting_is_on_in_production_and_off_in_development(tmp_path):
    from portal.config import derive_settings

    production = {"ENV": "production", "MAIL_TRANSPORT": "smtp", "MFA_REQUIRED_FOR_STAFF": None,
                  "PUBLIC_URL": "https://interns.example.org"}
    development = {"ENV": "development", "MFA_REQUIRED_FOR_STAFF": None}
    derive_settings(production, {})
    derive_settings(development, {})
    assert production["MFA_REQUIRED_FOR_STAFF"] is True
    assert development["MFA_REQUIRED_FOR_STAFF"] is False


# --- Enrolment --------------------------------------------------------------------------------------


def test_enrolment_shows_an_inline_svg_qr_code_and_the_secret_once(client, supervisor):
    password_step(client, supervisor.email)
    response = client.get("/auth/two-step/set-up")
    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert "<svg" in page and "<script" not in page.split("<main", 1)[-1].split("</main>")[0]
    secret = re.search(r'id="mfa-secret">([A-Z2-7]+)<', page).group(1)
    assert client.get("/auth/two-step/set-up").get_data(as_text=True).count(secret) == 1  # same secret on reload
    db.session.expire_all()
    stored = db.session.get(User, supervisor.id).totp_secret
    assert secret not in stored  # encrypted at rest
    client.post("/auth/two-step/set-up", data={"code": pyotp.TOTP(secret).now()})
    # Enrolled: the page is gone, the secret is never shown again.
    again = client.get("/auth/two-step/set-up")
    assert secret not in again.get_data(as_text=True)


def test_a_wrong_enrolment_code_is_refused_beside_the_field(client, supervisor):
    password_step(client, supervisor.email)
    client.get("/auth/two-step/set-up")
    response = client.post("/auth/two-step/set-up", data={"code": "000000"})
    assert response.status_code == 422
    assert "That code is not right" in response.get_data(as_text=True)
    assert client.get("/review/").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, supervisor.id).mfa_enabled_at is None


def test_enrolment_gives_ten_different_recovery_codes_stored_hashed_and_is_audited(client, supervisor):
    _, codes = enrol(client, supervisor)
    assert len(codes) == 10 and len(set(codes)) == 10
    rows = db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == supervisor.id)).all()
    assert len(rows) == 10
    stored = " ".join(row.code_hash + row.salt for row in rows)
    assert not any(code.replace("-", "") in stored for code in codes)
    assert [event.target_id for event in actions("auth.mfa_enrolled")] == [supervisor.id]
    assert client.get("/review/").status_code == 200  # enrolment signs them in


# --- The code step ----------------------------------------------------------------------------------


def test_a_wrong_code_is_refused_audited_and_gives_no_session(client, supervisor, app):
    enrol(client, supervisor)
    fresh = app.test_client()
    password_step(fresh, supervisor.email)
    response = fresh.post("/auth/two-step", data={"code": "123456"})
    assert response.status_code == 422
    assert "That code is not right" in response.get_data(as_text=True)
    assert fresh.get("/review/").status_code == 302
    failed = actions("auth.mfa_failed")
    assert len(failed) == 1 and failed[0].target_id == supervisor.id
    assert "123456" not in str(failed[0].details)


def test_a_code_works_once(client, supervisor, app):
    secret, _ = enrol(client, supervisor)
    first, second = app.test_client(), app.test_client()
    password_step(first, supervisor.email)
    password_step(second, supervisor.email)
    code = next_code(secret)
    assert first.post("/auth/two-step", data={"code": code}).status_code == 302
    assert second.post("/auth/two-step", data={"code": code}).status_code == 422  # a replay
    assert second.post("/auth/two-step", data={"code": pyotp.TOTP(secret).now()}).status_code == 422  # older
    assert second.get("/review/").status_code == 302


def test_a_code_is_accepted_one_step_either_side_and_no_further(app, supervisor):
    start = 1_800_000_000.0
    secret = mfa.enrolment_secret(supervisor)
    totp = pyotp.TOTP(secret)
    mfa.confirm_enrolment(supervisor, totp.at(start), now=start)
    late = totp.at(start + 60)
    assert mfa.check_second_factor(supervisor, late, address=None, now=start + 90)  # one step old: accepted
    assert not mfa.check_second_factor(supervisor, totp.at(start + 300), address=None, now=start + 210)
    assert not mfa.check_second_factor(supervisor, totp.at(start + 120), address=None, now=start + 210)


def test_a_recovery_code_signs_in_once(client, supervisor, app):
    _, codes = enrol(client, supervisor)
    first = app.test_client()
    password_step(first, supervisor.email)
    assert first.post("/auth/two-step", data={"code": codes[3].lower()}).status_code == 302
    assert first.get("/review/").status_code == 200
    used = actions("auth.recovery_code_used")
    assert len(used) == 1 and used[0].details == {"left": 9}
    again = app.test_client()
    password_step(again, supervisor.email)
    assert again.post("/auth/two-step", data={"code": codes[3]}).status_code == 422
    assert again.get("/review/").status_code == 302


def test_the_code_step_needs_the_password_first(client, supervisor):
    assert client.get("/auth/two-step").headers["Location"].endswith("/auth/sign-in")
    assert client.post("/auth/two-step", data={"code": "123456"}).status_code == 302
    assert client.get("/review/").status_code == 302


@pytest.mark.app_config(RATELIMIT_ENABLED=True, MFA_REQUIRED_FOR_STAFF=True)
def test_wrong_codes_slow_down_the_guessing_client_and_not_the_owner(client, supervisor, app):
    secret, _ = enrol(client, supervisor)
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    password_step(attacker, supervisor.email)
    for _ in range(5):
        assert attacker.post("/auth/two-step", data={"code": "000000"}).status_code == 422
    assert attacker.post("/auth/two-step", data={"code": next_code(secret)}).status_code == 429
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "203.0.113.20"
    password_step(owner, supervisor.email)
    assert owner.post("/auth/two-step", data={"code": next_code(secret)}).status_code == 302
    assert owner.get("/review/").status_code == 200


@pytest.mark.app_config(RATELIMIT_ENABLED=True, MFA_REQUIRED_FOR_STAFF=True)
def test_code_guesses_spread_over_many_clients_hit_the_accounts_cap(client, supervisor, app):
    secret, _ = enrol(client, supervisor)
    statuses = []
    for address in range(8):  # 8 clients × 4 wrong codes: none is throttled alone, the account is
        guesser = app.test_client()
        guesser.environ_base["REMOTE_ADDR"] = f"198.51.100.{address + 1}"
        password_step(guesser, supervisor.email)
        statuses += [guesser.post("/auth/two-step", data={"code": "000000"}).status_code for _ in range(4)]
    assert statuses[:30] == [422] * 30 and statuses[30:] == [429, 429]


# --- Admin reset ------------------------------------------------------------------------------------


def test_an_admin_resets_someones_mfa_audited_their_sessions_end_and_they_enrol_again(client, app):
    person = UserFactory()
    enrolled = app.test_client()
    enrol(enrolled, person)
    assert enrolled.get("/review/").status_code == 200
    admin = AdminFactory(mfa_enabled_at=utcnow())
    sign_in(client, admin)
    response = client.post(f"/admin/people/{person.id}/mfa-reset")
    assert response.status_code == 302
    db.session.expire_all()
    reset = db.session.get(User, person.id)
    assert reset.mfa_enabled_at is None and reset.totp_secret is None
    count = db.session.scalar(select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == person.id))
    assert count == 0
    event = actions("staff.mfa_reset")[0]
    assert (event.target_id, event.actor_id, event.to_state) == (person.id, admin.id, "not enrolled")
    assert enrolled.get("/review/").status_code == 302  # their session ended
    again = app.test_client()
    assert password_step(again, person.email).headers["Location"].endswith("/auth/two-step/set-up")


def test_only_admins_can_reset(client, supervisor):
    other = UserFactory()
    sign_in(client, InternFactory())
    assert client.post(f"/admin/people/{other.id}/mfa-reset").status_code == 403
    assert actions("staff.mfa_reset") == []


def test_recovery_codes_are_hashed_with_their_own_salt(app, supervisor):
    supervisor.totp_secret = None
    secret = mfa.enrolment_secret(supervisor)
    codes = mfa.confirm_enrolment(supervisor, pyotp.TOTP(secret).now())
    rows = db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == supervisor.id)).all()
    assert len({row.salt for row in rows}) == 10
    assert all(len(code) == 11 for code in codes)
