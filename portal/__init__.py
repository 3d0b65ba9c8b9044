"""The internship portal: ``create_app()`` builds the Flask application from layered config."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from portal.config import (
    ConfigError,
    check_production_secrets,
    check_self_id_key,
    default_settings,
    derive_settings,
    normalise_database_url,
    normalise_environment,
)

__all__ = ["create_app", "ConfigError"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults → ``instance/config.py`` → ``PORTAL_*`` environment → ``test_config``."""
    instance_path = os.environ.get("PORTAL_INSTANCE_PATH") or str(Path(__file__).resolve().parent.parent / "instance")
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_mapping(default_settings(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("PORTAL")
    if test_config:
        app.config.from_mapping(test_config)

    normalise_environment(app.config)
    check_production_secrets(app.config)
    check_self_id_key(app.config)
    derive_settings(app.config)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(str(app.config["DATABASE_URL"]))
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    if app.config["ENV"] == "production":
        app.config["SESSION_COOKIE_SECURE"] = True
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)

    _init_extensions(app)
    _register_blueprints(app)
    _register_error_pages(app)
    _register_cli(app)
    _register_template_helpers(app)
    _install_http_security(app)
    _install_log_filters(app)
    _install_session_lifetime(app)
    _install_session_cookie(app)
    return app


def _install_session_cookie(app: Flask) -> None:
    from portal.sessions import KeptSerializerSessionInterface

    app.session_interface = KeptSerializerSessionInterface()  # Flask's signed cookie, its serializer built once


def _install_session_lifetime(app: Flask) -> None:
    from portal.auth.session_lifetime import install_session_lifetime

    install_session_lifetime(app)  # idle and absolute limits per role; sign-in time stamped, CSRF token rotated


def _install_log_filters(app: Flask) -> None:
    from portal.logging_filters import install_log_filters

    install_log_filters(app)  # access logs never record the token of a status, reset or invitation link


def _install_http_security(app: Flask) -> None:
    from portal.http_security import install_http_security

    install_http_security(app)  # proxies from PROXY_FIX_*, HSTS, CSP, no-store on private pages


def _init_extensions(app: Flask) -> None:
    from portal import models  # noqa: F401  (register every table on the metadata)
    from portal.database import configure_engine_events
    from portal.extensions import csrf, db, limiter, login_manager, mail, migrate

    db.init_app(app)
    configure_engine_events()
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    mail.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    @login_manager.user_loader
    def load_user(session_token: str):
        return models.User.from_session_token(session_token)


def _register_blueprints(app: Flask) -> None:
    from werkzeug.routing import IntegerConverter

    # Importing a blueprint imports its package, whose modules register the routes.
    from portal.admin.blueprint import bp as admin_bp
    from portal.auth.blueprint import bp as auth_bp
    from portal.database import MAX_ID
    from portal.public.blueprint import bp as public_bp
    from portal.reports.blueprint import bp as reports_bp
    from portal.review.blueprint import bp as review_bp
    from portal.timesheets.blueprint import bp as timesheets_bp

    class IdConverter(IntegerConverter):
        """``<int:…>`` in every route stops at the largest id, so /placements/99999999999999999999 is a 404."""

        def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
            super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    app.url_map.converters["int"] = IdConverter

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(review_bp, url_prefix="/review")
    app.register_blueprint(timesheets_bp, url_prefix="/hours")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(reports_bp, url_prefix="/reports")


#: Status → the page that explains it (405 reads like 404: the address does nothing here).
ERROR_PAGES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    405: "errors/404.html",
    409: "errors/409.html",
    422: "errors/422.html",
    429: "errors/429.html",
    500: "errors/500.html",
}


#: The only form fields that take a file (the application form's resume); a file under any other name is refused.
UPLOAD_FIELDS = frozenset({"resume"})


def _register_error_pages(app: Flask) -> None:
    from flask import g, render_template, request
    from flask_wtf.csrf import CSRFError
    from sqlalchemy.exc import DBAPIError, OperationalError

    from portal.extensions import db, login_manager
    from portal.services.errors import ServiceError

    @app.before_request
    def refuse_null_characters():
        """A NUL character fits in no text column (PostgreSQL refuses it): say so instead of failing later."""
        values = list(request.args.values())
        if request.method == "POST":
            values += request.form.values()
        if any("\x00" in value for value in values):
            reason = "The form contained a null character, which no field accepts. Remove it and send it again."
            return render_template("errors/400.html", reason=reason), 400
        return None

    @app.before_request
    def refuse_unexpected_files():
        """A file sent as a text field would reach that field's validators as a file object (a 500): say so."""
        if request.method == "POST" and request.files and set(request.files) - UPLOAD_FIELDS:
            reason = "The form contained a file where text was expected. Send the form from its page again."
            return render_template("errors/400.html", reason=reason), 400
        return None

    def render_error(status: int, error: Exception):
        if status >= 500:
            try:
                db.session.rollback()
            except Exception:  # noqa: BLE001  (the error page must show even when the database is down)
                app.logger.exception("rollback failed while handling a server error")
        reason = None
        if isinstance(error, ServiceError):
            reason = error.message
        elif isinstance(error, CSRFError):
            reason = error.description
        return render_template(ERROR_PAGES[status], reason=reason), status

    for status in ERROR_PAGES:
        app.register_error_handler(status, lambda error, status=status: render_error(status, error))

    def database_unreachable(error: DBAPIError):
        """The database went away (down, restarting, a dropped connection): 503 and a page that asks to retry."""
        if not (isinstance(error, OperationalError) or error.connection_invalidated):
            raise error  # a bug (a constraint, bad SQL), not an outage: the 500 page and the log
        app.logger.error("database unreachable: %s", error.orig)
        try:
            db.session.rollback()
        except DBAPIError:
            app.logger.exception("rollback failed while the database was unreachable")
        g._login_user = login_manager.anonymous_user()  # Flask-Login's cache: the page never loads the user
        return render_template("errors/503.html"), 503, {"Retry-After": "60"}

    app.register_error_handler(DBAPIError, database_unreachable)
    def csrf_refused(error: CSRFError):
        """An expired or missing CSRF token: the error page, except on the application form, which comes
        back with the applicant's answers (a long form is often open longer than the token lasts)."""
        from portal.public.applications import APPLY_ENDPOINTS, application_form_kept

        kept = application_form_kept() if request.endpoint in APPLY_ENDPOINTS else None
        return kept or render_error(400, error)

    app.register_error_handler(CSRFError, csrf_refused)
    app.register_error_handler(ServiceError, lambda error: render_error(error.status_code, error))


def _register_cli(app: Flask) -> None:
    from portal.cli import register_commands

    register_commands(app)


def _register_template_helpers(app: Flask) -> None:
    from flask_login import current_user

    from portal.formatting import long_date, text_blocks
    from portal.markdown import render_markdown
    from portal.navigation import navigation_for
    from portal.rules.hours import format_minutes
    from portal.rules.pipeline import ApplicationStatus
    from portal.rules.stipends import format_cents

    app.jinja_env.filters["minutes"] = format_minutes
    app.jinja_env.filters["cents"] = format_cents
    app.jinja_env.filters["status_label"] = lambda value: ApplicationStatus(value).label
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["text_blocks"] = text_blocks
    app.jinja_env.filters["markdown"] = render_markdown

    @app.context_processor
    def inject_globals():
        return {
            "organisation_name": app.config["ORGANISATION_NAME"],
            # Called by base.html's nav, so pages that never show the nav never work it out.
            "navigation_links": lambda: navigation_for(current_user, app.config),
        }
