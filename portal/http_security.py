"""HTTP hardening: the proxies in front of the app, and the security headers on every response.

``PROXY_FIX_*`` says how many proxies (nginx) set each ``X-Forwarded-*`` header, so the client's
address (and so every rate limit) is the visitor's, not the proxy's; with 0 (the default) the headers
are ignored, so a visitor cannot choose their own address. Host checking is Flask's ``TRUSTED_HOSTS``
(filled in by ``portal.config.derive_settings``).
"""

from __future__ import annotations

from flask import Flask, Response, request, session
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
#: One year, subdomains included; sent in production only (development runs on plain http).
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
#: The ProxyFix argument each ``PROXY_FIX_*`` setting fills: how many proxies set that header.
PROXY_FIX_SETTINGS = {
    "x_for": "PROXY_FIX_X_FOR",
    "x_proto": "PROXY_FIX_X_PROTO",
    "x_host": "PROXY_FIX_X_HOST",
    "x_port": "PROXY_FIX_X_PORT",
    "x_prefix": "PROXY_FIX_X_PREFIX",
}


def install_http_security(app: Flask) -> None:
    """Trust exactly the configured proxies, and add the security headers to every response."""
    counts = {argument: int(app.config.get(name) or 0) for argument, name in PROXY_FIX_SETTINGS.items()}
    if any(counts.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **counts)
    production = app.config["ENV"] == "production"
    app.register_error_handler(SecurityError, untrusted_host)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if production:
            response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
        if private_response():
            response.headers["Cache-Control"] = "no-store"
        return response


def untrusted_host(error: SecurityError) -> tuple[str, int, dict[str, str]]:
    """A Host not in TRUSTED_HOSTS: a plain 400 (no page of the site, whose links would need that host)."""
    return "Bad request: this site does not answer to that host name.\n", 400, {"Content-Type": "text/plain"}


def private_response() -> bool:
    """Never cached: any page while someone is signed in, and any page whose address holds a private
    token (an applicant's status link, a reset or invitation link). Static files hold nothing private."""
    if request.endpoint == "static":
        return False
    if "token" in (request.view_args or {}):
        return True
    return "_user_id" in session  # Flask-Login's key: checked without loading the user from the database
