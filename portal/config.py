"""Configuration in layers: these defaults, then ``instance/config.py``, then ``PORTAL_*`` variables.

Production (``PORTAL_ENV=production``) refuses to start with a missing or development secret, so a
forgotten setting can never ship a guessable session key.
"""

from __future__ import annotations

import os
from pathlib import Path

DEV_SECRET_KEY = "dev-only-not-secret-change-me-in-production"  # noqa: S105 (refused in production)
DEV_SELF_ID_KEY = "ZGV2LW9ubHktc2VsZi1pZC1rZXktbm90LXNlY3JldCE="  # Fernet key, development only
KNOWN_DEV_SECRETS = {DEV_SECRET_KEY, DEV_SELF_ID_KEY, "dev", "secret", "changeme", "change-me"}
MIN_SECRET_LENGTH = 32


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
        "PUBLIC_URL": "http://127.0.0.1:5000",
        "ORGANISATION_NAME": "Organizing 2.0",
        "MAIL_SERVER": "localhost",
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_DEFAULT_SENDER": "Internship portal <no-reply@localhost>",
        "MAIL_TIMEOUT": 10,
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


def env_name() -> str:
    return os.environ.get("PORTAL_ENV", "development")
