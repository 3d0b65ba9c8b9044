"""Configuration in layers: these defaults, then ``instance/config.py``, then ``PORTAL_*`` variables.

Production (``PORTAL_ENV=production``) refuses to start with a missing or development secret, so a
forgotten setting can never ship a guessable session key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

DEV_SECRET_KEY = "dev-only-not-secret-change-me-in-production"  # noqa: S105 (refused in production)
DEV_SELF_ID_KEY = "ZGV2LW9ubHktc2VsZi1pZC1rZXktbm90LXNlY3JldCE="  # Fernet key, development only
KNOWN_DEV_SECRETS = {DEV_SECRET_KEY, DEV_SELF_ID_KEY, "dev", "secret", "changeme", "change-me"}
MIN_SECRET_LENGTH = 32
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
        "DATABASE_URL": f"sqlite:///{instance / 'portal.db'}",
        "UPLOAD_FOLDER": str(instance / "uploads"),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "PUBLIC_URL": None,  # unset: http://127.0.0.1:$PORT, see derive_settings
        "ORGANISATION_NAME": "Organizing 2.0",
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
        "WTF_CSRF_ENABLED": True,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }


def normalise_database_url(url: str) -> str:
    """Accept the ``postgres://`` URLs hosting providers hand out and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


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
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"PORT is {value!r}; use a port number from 1 to 65535.")
    return int(value)


def env_name() -> str:
    return os.environ.get("PORTAL_ENV", "development")
