"""Passwords (issue 12, point 4): common and one-character passwords are refused by every form that
sets one, and a hash made with weaker argon2 parameters is replaced at the next successful sign-in."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from factories import TEST_PASSWORD, UserFactory
from test_auth import NEW_PASSWORD, field_error, last_mail_to, link_in, request_reset, sign_in

from portal.extensions import db
from portal.models import User
from portal.models.user import ARGON2_PARAMETERS
from portal.rules.passwords import COMMON_PASSWORD, COMMON_PASSWORDS_FILE, REPEATED_CHARACTER, password_problem
from portal.services.accounts import send_invitation

REFUSED = [
    ("password1234", COMMON_PASSWORD),
    ("Password1234", COMMON_PASSWORD),  # whatever the case
    ("qwerty123456", COMMON_PASSWORD),
    ("aaaaaaaaaaaa", REPEATED_CHARACTER),
    ("1111111111111111", REPEATED_CHARACTER),
]


# --- the rule -------------------------------------------------------------------------------------


@pytest.mark.parametrize("password, message", REFUSED)
def test_common_and_one_character_passwords_are_refused(password, message):
    assert password_problem(password) == message


def test_a_long_uncommon_password_is_still_accepted():
    assert password_problem(NEW_PASSWORD) is None
    assert password_problem(TEST_PASSWORD) is None


def test_the_bundled_list_is_small_lower_case_and_holds_the_usual_suspects():
    text = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8")
    words = text.split()
    assert COMMON_PASSWORDS_FILE.stat().st_size <= 1_000_000
    assert len(words) >= 10_000
    assert text == text.lower()
    assert {"password", "123456", "password1234", "iloveyou"} <= set(words)


# --- every form that sets a password asks the same rule ------------------------------------------


@pytest.fixture
def ada(app):
    return UserFactory(email="ada@example.org", full_name="Ada Lovelace")


@pytest.mark.parametrize("password, message", REFUSED[:1] + REFUSED[3:4])
def test_the_reset_form_refuses_a_common_password_beside_the_field(client, ada, password, message):
    request_reset(client, ada.email)
    link = link_in(last_mail_to(ada.email))
    response = client.post(link, data={"password": password, "confirm": password})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "password") == message
    assert sign_in(client, ada.email).status_code == 302  # the old password still works


@pytest.mark.parametrize("password, message", REFUSED[:1] + REFUSED[3:4])
def test_the_invitation_form_refuses_a_common_password(client, intern, password, message):
    intern.password_hash = None
    send_invitation(intern, program_title="Fall Internship")
    db.session.commit()
    link = link_in(last_mail_to(intern.email))
    response = client.post(link, data={"password": password, "confirm": password})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "password") == message
    db.session.expire_all()
    assert db.session.get(User, intern.id).password_hash is None


@pytest.mark.parametrize("password, message", REFUSED[:1] + REFUSED[3:4])
def test_create_user_refuses_a_common_password(app, password, message):
    result = app.test_cli_runner().invoke(
        args=["create-user", "new@example.org", "--role", "admin", "--password", password]
    )
    assert result.exit_code != 0 and message in result.output
    assert User.by_email("new@example.org") is None


# --- weak hashes are upgraded at sign-in ----------------------------------------------------------

WEAK_HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


@pytest.fixture
def weakly_hashed(app):
    user = UserFactory(email="old@example.org", password_hash=WEAK_HASHER.hash(TEST_PASSWORD))
    return user


def stored_hash(user: User) -> str:
    db.session.expire_all()
    return db.session.get(User, user.id).password_hash


def test_a_weak_hash_is_rehashed_with_the_current_parameters_at_sign_in(client, weakly_hashed):
    weak = stored_hash(weakly_hashed)
    assert sign_in(client, weakly_hashed.email).status_code == 302
    upgraded = stored_hash(weakly_hashed)
    assert upgraded != weak
    assert f"m={ARGON2_PARAMETERS.memory_cost},t={ARGON2_PARAMETERS.time_cost}" in upgraded
    assert not PasswordHasher.from_parameters(ARGON2_PARAMETERS).check_needs_rehash(upgraded)
    # The new hash still takes the same password, and is not replaced again.
    assert sign_in(client.application.test_client(), weakly_hashed.email).status_code == 302
    assert stored_hash(weakly_hashed) == upgraded


def test_a_wrong_password_or_an_inactive_account_leaves_the_weak_hash_alone(client, weakly_hashed):
    weak = stored_hash(weakly_hashed)
    assert sign_in(client, weakly_hashed.email, "not the right password").status_code == 422
    assert stored_hash(weakly_hashed) == weak
    weakly_hashed = db.session.get(User, weakly_hashed.id)
    weakly_hashed.active = False
    db.session.commit()
    assert sign_in(client, weakly_hashed.email).status_code == 422
    assert stored_hash(weakly_hashed) == weak


def test_a_current_hash_is_kept_at_sign_in(client):
    user = UserFactory(email="current@example.org")
    before = stored_hash(user)
    assert sign_in(client, user.email).status_code == 302
    assert stored_hash(user) == before
