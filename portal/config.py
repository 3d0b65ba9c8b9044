"""Configuration in layers: these defaults, then ``instance/config.py``, then ``PORTAL_*`` variables.

Production (``PORTAL_ENV=production``) refuses to start with a missing or development secret, so a
forgotten setting can never ship a guessable session key.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

DEV_SECRET_KEY = "dev-only-not-secret-change-me-in-production"  # noqa: S105 (refused in production)
DEV_SELF_ID_KEY = "ZGV2LW9ubHktc2VsZi1pZC1rZXktbm90LXNlY3JldCE="  # Fernet key, development only
KNOWN_DEV_SECRETS = {DEV_SECRET_KEY, DEV_SELF_ID_KEY, "dev", "secret", "changeme", "change-me"}
MIN_SECRET_LENGTH = 32
#: Shannon entropy per character a production SECRET_KEY needs: "a" × 37 has 0, a word repeated about 2.8,
#: ``secrets.token_urlsafe(48)`` about 4.6 and even ``secrets.token_hex(16)`` about 3.5 (at least 2.9).
MIN_SECRET_BITS_PER_CHARACTER = 3.0
#: The only values of ``ENV`` (compared case-insensitively): anything else is refused at start.
ENVIRONMENTS = ("development", "testing", "production")
#: ``smtp``: ``flask outbox send`` delivers mail; ``dev``: the app prints it and lists it at /admin/mail.
MAIL_TRANSPORTS = ("smtp", "dev")
#: The port ``make run`` (and ``flask run``) serve on when ``PORT`` is not set.
DEFAULT_PORT = 5000


class ConfigError(RuntimeError):
    """A setting makes it unsafe or impossible to start; the message is one line naming it."""


def default_settings(instance_path: str) -> dict[str, object]:
    """Defaults for every setting; each is overridable as ``PORTAL_<NAME>`` (see README)."""
    instance = Path(instance_path)
    return {
        "ENV": "development",
        "SECRET_KEY": DEV_SECRET_KEY,
        "SELF_ID_KEY": DEV_SELF_ID_KEY,
        "SELF_ID_OLD_KEYS": [],  # keys that only decrypt self-identification, until `flask rotate-self-id-key`
        "DATABASE_URL": f"sqlite:///{instance / 'portal.db'}",
        "UPLOAD_FOLDER": str(instance / "uploads"),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # Text fields parsed into memory: room for a posting body over its 100,000-character limit, so it
        # is refused beside the field (422) rather than by Werkzeug's 500 kB default (a bare 413).
        "MAX_FORM_MEMORY_SIZE": 4 * 1024 * 1024,
        "PUBLIC_URL": None,  # unset: http://127.0.0.1:$PORT, see derive_settings
        "ORGANISATION_NAME": "Organizing 2.0",
        # Days a staff invitation link (from the People page) works before it has to be resent.
        "STAFF_INVITATION_DAYS": 7,
        # Admins and supervisors must use a second factor (TOTP) to sign in; unset: on in production only.
        "MFA_REQUIRED_FOR_STAFF": None,
        "MAIL_SERVER": "localhost",
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_DEFAULT_SENDER": "Internship portal <no-reply@localhost>",
        "MAIL_TIMEOUT": 10,
        "MAIL_TRANSPORT": None,  # unset: "dev" in development, "smtp" otherwise, see derive_settings
        "OUTBOX_MAX_ATTEMPTS": 8,
        "OUTBOX_BACKOFF_SECONDS": 60,
        "OUTBOX_BATCH_SIZE": 50,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_ENABLED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        # Signed-in sessions end after this long without a request, and this long after signing in.
        "STAFF_SESSION_IDLE_MINUTES": 30,
        "STAFF_SESSION_MAX_HOURS": 12,
        "INTERN_SESSION_IDLE_HOURS": 12,
        "INTERN_SESSION_MAX_DAYS": 14,
        # Host names the app answers to (others get 400); unset: any outside production, and in
        # production only PUBLIC_URL's host, see derive_settings. A name starting with "." allows subdomains.
        "TRUSTED_HOSTS": None,
        # How many proxies in front of the app set each X-Forwarded-* header (nginx alone: 1); 0 ignores it.
        "PROXY_FIX_X_FOR": 0,
        "PROXY_FIX_X_PROTO": 0,
        "PROXY_FIX_X_HOST": 0,
        "PROXY_FIX_X_PORT": 0,
        "PROXY_FIX_X_PREFIX": 0,
        # clamd for virus-scanning resumes: a unix socket path or tcp://host:port; None: no scanning.
        "CLAMD_SOCKET": None,
        "CLAMD_TIMEOUT": 10,  # seconds for one scan at upload; past it the file waits as "pending scan"
        # Years an intern's timesheets and hours statements are kept after the placement ends (`flask purge`).
        "INTERN_RECORDS_RETENTION_YEARS": 3,
        "WTF_CSRF_ENABLED": True,
        # Seconds a posting and its empty form are kept whole for visitors who are not signed in (0: never);
        # an admin's change shows at once on the worker that saved it, on the others within this time.
        "PUBLIC_PAGE_SECONDS": 5,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }


def normalise_database_url(url: str) -> str:
    """Accept the ``postgres://`` URLs hosting providers hand out and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def normalise_environment(config: dict) -> None:
    """``PORTAL_ENV=Production`` means production (never development by accident); an unknown value is refused."""
    value = str(config.get("ENV") or "").strip().lower()
    if value not in ENVIRONMENTS:
        raise ConfigError(f"PORTAL_ENV is {config.get('ENV')!r}; use one of: {', '.join(ENVIRONMENTS)}.")
    config["ENV"] = value


def bits_per_character(value: str) -> float:
    """Shannon entropy of the value's characters: how unpredictable each one is, at best."""
    length = len(value)
    return -sum(n / length * math.log2(n / length) for n in Counter(value).values()) if length else 0.0


def check_secret_strength(value: str) -> None:
    """A production SECRET_KEY not made of a few characters or of a repeated piece."""
    repeated = value in (value + value)[1:-1]  # "abcabcabc…" is a rotation of itself
    if repeated or bits_per_character(value) < MIN_SECRET_BITS_PER_CHARACTER:
        raise ConfigError(
            "PORTAL_SECRET_KEY is too predictable (repeated or too few different characters); make one with "
            "python -c \"import secrets; print(secrets.token_urlsafe(48))\"."
        )


def check_self_id_key(config: dict) -> None:
    """SELF_ID_KEY must be a key the self-identification code can use, and not the SECRET_KEY."""
    from portal.services.self_identification import validate_key

    key = config.get("SELF_ID_KEY")
    if key and key == config.get("SECRET_KEY"):
        raise ConfigError("PORTAL_SELF_ID_KEY is the same as PORTAL_SECRET_KEY; give each its own random value.")
    if key:
        try:
            validate_key(str(key))
        except ValueError as problem:
            raise ConfigError(f"PORTAL_SELF_ID_KEY is not a valid key: {problem}") from None


def check_production_secrets(config: dict) -> None:
    """Refuse weak secrets outside development and tests: one line that names the setting."""
    if config.get("ENV") != "production":
        return
    for name in ("SECRET_KEY", "SELF_ID_KEY"):
        value = config.get(name)
        if not value:
            raise ConfigError(
                f"PORTAL_{name} is not set; production needs a random value of at least {MIN_SECRET_LENGTH} characters."
            )
        if value in KNOWN_DEV_SECRETS:
            raise ConfigError(
                f"PORTAL_{name} is a development value; "
                f"set a random production value of at least {MIN_SECRET_LENGTH} characters."
            )
        if len(str(value)) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"PORTAL_{name} is shorter than {MIN_SECRET_LENGTH} characters; use a longer random value."
            )
    check_secret_strength(str(config["SECRET_KEY"]))


def derive_settings(config: dict, environ: Mapping[str, str] = os.environ) -> None:
    """Fill the settings whose default depends on others, once every layer has been read.

    ``PUBLIC_URL``: outside production, the port the app is served on (``PORT``, as ``make run`` sets
    it), so emailed links and the hours statement point at the running demo; in production the old
    fixed default. ``MAIL_TRANSPORT``: ``dev`` in development, ``smtp`` everywhere else.
    """
    production = config.get("ENV") == "production"
    if not config.get("PUBLIC_URL"):
        port = DEFAULT_PORT if production else _served_port(environ)
        config["PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    transport = config.get("MAIL_TRANSPORT") or ("dev" if config.get("ENV") == "development" else "smtp")
    if transport not in MAIL_TRANSPORTS:
        raise ConfigError(f"PORTAL_MAIL_TRANSPORT is {transport!r}; use one of: {', '.join(MAIL_TRANSPORTS)}.")
    if transport == "dev" and production:
        raise ConfigError("PORTAL_MAIL_TRANSPORT is dev, which only prints mail; production needs smtp.")
    config["MAIL_TRANSPORT"] = transport
    config["TRUSTED_HOSTS"] = trusted_hosts(config)
    check_clamd_socket(config.get("CLAMD_SOCKET"))
    if config.get("MFA_REQUIRED_FOR_STAFF") is None:
        config["MFA_REQUIRED_FOR_STAFF"] = production
    if production:
        secure_session_cookie(config)


#: Production's session cookie: the ``__Host-`` prefix makes browsers refuse it unless it is Secure,
#: for Path=/ and without a Domain, so no other host (a subdomain) can set or overwrite it.
PRODUCTION_SESSION_COOKIE = {
    "SESSION_COOKIE_NAME": "__Host-session",
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_PATH": "/",
    "SESSION_COOKIE_DOMAIN": None,
}


def secure_session_cookie(config: dict) -> None:
    """Production: the ``__Host-session`` cookie (Secure, Path=/, no Domain), whatever other layers said."""
    config.update(PRODUCTION_SESSION_COOKIE)


def check_clamd_socket(value: object) -> None:
    """CLAMD_SOCKET, when set, is an address the scanner can use (else every upload would wait forever)."""
    if not value:
        return
    from portal.services.scanning import parse_address

    try:
        parse_address(str(value))
    except ValueError as problem:
        raise ConfigError(f"PORTAL_CLAMD_SOCKET: {problem}.") from None


def trusted_hosts(config: Mapping[str, object]) -> list[str] | None:
    """The Host names to answer (a list, or a comma-separated string from the environment); in production
    by default only PUBLIC_URL's; None (any host) in development and tests unless set."""
    value = config.get("TRUSTED_HOSTS")
    if isinstance(value, str):
        value = [name.strip() for name in value.split(",") if name.strip()]
    if value:
        return list(value)
    if config.get("ENV") != "production":
        return None
    host = urlsplit(str(config["PUBLIC_URL"])).hostname
    if not host:
        raise ConfigError(f"PORTAL_PUBLIC_URL is {config['PUBLIC_URL']!r}; use an address like https://interns.example.org.")
    return [host]


def mail_destination(config: Mapping[str, object], served_at: str) -> str:
    """One line for ``make run``: where the mail the running app queues ends up."""
    if config.get("MAIL_TRANSPORT") == "dev":
        return (
            "Demo mail is not sent (MAIL_TRANSPORT=dev): each message is printed below and listed at "
            f"{served_at.rstrip('/')}/admin/mail (sign in as the demo admin)."
        )
    return (
        f"Mail is queued for SMTP at {config.get('MAIL_SERVER')}:{config.get('MAIL_PORT')}; "
        "it leaves only while `.venv/bin/flask --app wsgi outbox send --loop` runs."
    )


def _served_port(environ: Mapping[str, str]) -> int:
    value = str(environ.get("PORT") or DEFAULT_PORT).strip()
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) < 65536:
        raise ConfigError(f"PORT is {value!r}; use a port number from 1 to 65535.")
    return int(value)


def env_name() -> str:
    return os.environ.get("PORTAL_ENV", "development")
