"""HTTP hardening: the proxies in front of the app, and the security headers on every response.

``PROXY_FIX_*`` says how many proxies (nginx) set each ``X-Forwarded-*`` header, so the client's
address (and so every rate limit) is the visitor's, not the proxy's; with 0 (the default) the headers
are ignored, so a visitor cannot choose their own address. Host checking is Flask's ``TRUSTED_HOSTS``
(filled in by ``portal.config.derive_settings``).
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.sessions import someone_signed_in

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
#: Sent with every response unless the view set its own.
SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
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

    defaults = SECURITY_HEADERS + ((("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY),) if production else ())

    @app.after_request
    def security_headers(response: Response) -> Response:
        """Each default header the view has not set itself (a download sets a stricter CSP), in one pass
        over the response's few headers."""
        headers = response.headers
        present = {name.lower() for name, _ in headers.items()}
        for name, value in defaults:
            if name.lower() not in present:
                headers.add(name, value)
        if private_response():
            headers["Cache-Control"] = "no-store"
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
    return someone_signed_in()  # without loading the user from the database
