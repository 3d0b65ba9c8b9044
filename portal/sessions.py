"""The signed session cookie and the CSRF token, made without redoing per request what never changes.

Flask's cookie session builds its itsdangerous serializer again on every request, and derives the
signing key from the secret key again on every signature; Flask-WTF does the same for each CSRF
token. Together that is a fifth of what the application form's page costs a first-time visitor
(who gets both a token and a cookie). Here the serializers are built once per secret key and keep
their derived keys; what they write is what Flask and Flask-WTF write, and each reads the other's
(tests/test_sessions.py), so the signature checks, the expiry and ``SECRET_KEY_FALLBACKS`` are theirs.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, current_app, g, session
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode

#: Flask-Login's session key for the signed-in person's id. The portal sets no remember-me cookie, so a request
#: whose session lacks it has nobody signed in, which can be known without loading anyone.
USER_ID_KEY = "_user_id"
#: Flask-WTF's salt for CSRF tokens (flask_wtf.csrf.generate_csrf).
CSRF_SALT = "wtf-csrf-token"
#: A payload shorter than this is never made shorter by zlib (a session holding a CSRF token is ~60 bytes).
SHORTEST_COMPRESSIBLE = 120


class KeptKeySigner(TimestampSigner):
    """itsdangerous' timestamp signer, deriving each secret key's signing key once instead of per call."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._derived_keys: dict[str | bytes, bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        key = self.secret_keys[-1] if secret_key is None else secret_key
        derived = self._derived_keys.get(key)
        if derived is None:
            derived = self._derived_keys[key] = super().derive_key(key)
        return derived


class KeptSerializer(URLSafeTimedSerializer):
    """A URL-safe timed serializer that keeps one signer per salt (a signer holds nothing that changes) and
    does not try zlib on a payload too short to gain from it."""

    default_signer = KeptKeySigner

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signers: dict[str | bytes | None, Any] = {}

    def make_signer(self, salt: str | bytes | None = None) -> Any:
        signer = self._signers.get(salt)
        if signer is None:
            signer = self._signers[salt] = super().make_signer(salt)
        return signer

    def dump_payload(self, obj: Any) -> bytes:
        json = self.serializer.dumps(obj, **self.serializer_kwargs)
        json = json.encode() if isinstance(json, str) else json
        if len(json) < SHORTEST_COMPRESSIBLE:
            return base64_encode(json)
        return super().dump_payload(obj)


class KeptSerializerSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, with one serializer per app and secret key."""

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        fallbacks = tuple(app.config.get("SECRET_KEY_FALLBACKS") or ())
        serializers = app.extensions.setdefault("session_serializers", {})
        cache_key = (app.secret_key, fallbacks)
        serializer = serializers.get(cache_key)
        if serializer is None:
            keys: list[str | bytes] = [*fallbacks, app.secret_key]  # the signing key last, as Flask has it
            serializer = serializers[cache_key] = KeptSerializer(
                keys,
                salt=self.salt,
                serializer=self.serializer,
                signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method},
            )
        return serializer


def someone_signed_in() -> bool:
    """Whether this request's session belongs to someone signed in; reads only the cookie, never the database."""
    return USER_ID_KEY in session


def csrf_token() -> str:
    """This request's CSRF token, as ``flask_wtf.csrf.generate_csrf`` makes it (the same session entry, the
    same ``g`` entry, so the forms and ``validate_csrf`` see one token), with a serializer kept per key."""
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    token = g.get(field)
    if token is None:
        secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
        if not isinstance(session.get(field), str):
            session[field] = secrets.token_hex(20)  # 40 hex characters, as Flask-WTF's sha1 of random bytes
        serializers = current_app.extensions.setdefault("csrf_serializers", {})
        serializer = serializers.get(secret)
        if serializer is None:
            serializer = serializers[secret] = KeptSerializer(secret, salt=CSRF_SALT)
        token = serializer.dumps(session[field])
        setattr(g, field, token)
    return token
