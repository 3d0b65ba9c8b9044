"""The session cookie and CSRF token made with kept serializers (portal/sessions.py) are Flask's and
Flask-WTF's own: each side reads what the other writes, a changed byte or another key is refused, and a
rotated key (SECRET_KEY_FALLBACKS) still reads yesterday's cookies."""

from __future__ import annotations

import hashlib

import pytest
from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf, validate_csrf
from hypothesis import given, settings
from hypothesis import strategies as st
from wtforms import ValidationError

from portal.sessions import KeptSerializerSessionInterface, csrf_token

COOKIE = "session"


def make_app(interface, secret="first-secret", fallbacks=()) -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY=secret, SECRET_KEY_FALLBACKS=list(fallbacks), WTF_CSRF_ENABLED=True)
    app.session_interface = interface

    @app.post("/put")
    def put():
        from flask import request

        session.update(request.get_json())
        return "stored"

    @app.get("/read")
    def read():
        return dict(session)

    return app


def cookie_from(app: Flask, values: dict) -> str:
    client = app.test_client()
    assert client.post("/put", json=values).status_code == 200
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def read_with(app: Flask, cookie: str) -> dict:
    client = app.test_client()
    client.set_cookie(COOKIE, cookie)
    return client.get("/read").get_json()


session_values = st.dictionaries(
    st.text(min_size=1, max_size=12),
    st.one_of(st.text(max_size=300), st.integers(), st.booleans(), st.lists(st.text(max_size=20), max_size=5)),
    min_size=1,  # an empty session writes no cookie
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(values=session_values)
def test_flask_reads_our_cookie_and_we_read_flasks_whatever_the_session_holds(values):
    ours = make_app(KeptSerializerSessionInterface())
    flasks = make_app(SecureCookieSessionInterface())
    assert read_with(flasks, cookie_from(ours, values)) == values
    assert read_with(ours, cookie_from(flasks, values)) == values


def test_a_first_visitors_session_is_the_very_cookie_flask_would_write_apart_from_its_time():
    values = {"csrf_token": hashlib.sha1(b"a visitor").hexdigest()}  # noqa: S324  (what Flask-WTF stores)
    ours = cookie_from(make_app(KeptSerializerSessionInterface()), values)
    flasks = cookie_from(make_app(SecureCookieSessionInterface()), values)
    assert ours.split(".")[0] == flasks.split(".")[0]  # the same payload, not compressed
    long_values = {"note": "a" * 2000}  # a long, repetitive session is still compressed, as Flask does it
    assert cookie_from(make_app(KeptSerializerSessionInterface()), long_values).startswith(".")


def test_a_changed_cookie_or_another_key_is_refused():
    app = make_app(KeptSerializerSessionInterface())
    cookie = cookie_from(app, {"_user_id": "1"})
    _, stamp, signature = cookie.split(".")
    forged = make_app(SecureCookieSessionInterface())
    forged_cookie = cookie_from(forged, {"_user_id": "2"})
    assert read_with(app, f"{forged_cookie.split('.')[0]}.{stamp}.{signature}") == {}
    assert read_with(make_app(KeptSerializerSessionInterface(), secret="other-secret"), cookie) == {}
    assert read_with(app, cookie) == {"_user_id": "1"}


def test_after_a_key_rotation_yesterdays_cookie_still_reads_and_new_ones_use_the_new_key():
    before = make_app(KeptSerializerSessionInterface(), secret="old-secret")
    old_cookie = cookie_from(before, {"_user_id": "7"})
    rotated = make_app(KeptSerializerSessionInterface(), secret="new-secret", fallbacks=["old-secret"])
    assert read_with(rotated, old_cookie) == {"_user_id": "7"}
    new_cookie = cookie_from(rotated, {"_user_id": "8"})
    assert read_with(make_app(SecureCookieSessionInterface(), secret="new-secret"), new_cookie) == {"_user_id": "8"}
    assert read_with(before, new_cookie) == {}  # signed with the new key, which the old app does not know


@pytest.mark.parametrize("field_name", ["csrf_token", "token_field"])
def test_our_csrf_token_is_flask_wtfs_token_for_this_request(field_name):
    app = make_app(KeptSerializerSessionInterface())
    app.config["WTF_CSRF_FIELD_NAME"] = field_name
    with app.test_request_context():
        token = csrf_token()
        assert csrf_token() == token == generate_csrf()  # one token per request, whoever asks
        validate_csrf(token)  # raises when Flask-WTF does not accept it
        assert isinstance(session[field_name], str) and len(session[field_name]) == 40
    with app.test_request_context():  # another visitor: another session, and their own token
        other = csrf_token()
        assert other != token
        with pytest.raises(ValidationError):
            validate_csrf(token)
