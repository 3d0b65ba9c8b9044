"""Logs never record private links: a filter masks the token in ``/status/…``, reset and invitation URLs.

The token in an applicant's status link or a reset or invitation link is a password for that page, so
it must not sit in clear text in an access log. ``install_log_filters`` puts ``TokenMaskingFilter`` on
werkzeug's development-server logger, gunicorn's access and error logs and the app's own logger (Flask
logs "Exception on /status/<token>"); the gunicorn config file does the same in the master process.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

#: URL paths whose last segment is a secret token; each keeps its prefix, the token becomes "…".
TOKEN_PATHS = re.compile(
    r"(/(?:status|auth/reset|auth/invitation)/)(?!(?:lost-link|check-your-email)(?:[\s/?#\"'<>]|$))[^\s/?#\"'<>]+"
)
MASK = "…"
#: Loggers that write request lines: werkzeug (dev server), gunicorn (access and error), and Flask's.
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def mask_tokens(text: str) -> str:
    """The text with every private-link token replaced by "…" (``/status/abc`` → ``/status/…``)."""
    return TOKEN_PATHS.sub(rf"\g<1>{MASK}", text)


class TokenMaskingFilter(logging.Filter):
    """Rewrite a record's message with tokens masked; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format is logging's problem, not this filter's
            return True
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install_log_filters(app: Flask | None = None) -> None:
    """Put the masking filter on the access loggers (and the app's logger) once each."""
    loggers = [logging.getLogger(name) for name in ACCESS_LOGGERS]
    if app is not None:
        loggers.append(app.logger)
    for logger in loggers:
        if not any(isinstance(existing, TokenMaskingFilter) for existing in logger.filters):
            logger.addFilter(TokenMaskingFilter())
