"""Fixtures: a fresh app and database per test, on SQLite and (with TEST_DATABASE_URL) PostgreSQL.

Every test that takes ``app`` (or ``client``, ``db_session``) runs once per database backend; the
test id says which (``[sqlite]`` / ``[postgresql]``). At the end a line counts the outcomes per backend.
"""

from __future__ import annotations

import contextvars
import os
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.extensions import db

# Shared fixtures for every module (never import them directly): the test data (today, a program, its
# supervisor, intern and placement, an admin), one Chromium per run, and an SMTP server.
pytest_plugins = ["shared_fixtures", "browser_support", "smtp_support"]

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


def postgres_admin_url() -> str:
    from portal.config import normalise_database_url

    return normalise_database_url(TEST_DATABASE_URL)


def create_postgres_database(prefix: str) -> str:
    """A database of its own for this run, so two runs (or two suites) never share rows."""
    admin_url = make_url(postgres_admin_url())
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    admin_url = make_url(postgres_admin_url())
    name = make_url(url).database
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_run_database() -> Iterator[str]:
    url = create_postgres_database("portal_test")
    yield url
    drop_postgres_database(url)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(backend, tmp_path, request) -> str:
    if backend == "postgresql":
        return request.getfixturevalue("postgres_run_database")
    return f"sqlite:///{tmp_path / 'portal-test.db'}"


def make_test_config(database_url: str, tmp_path, **overrides) -> dict:
    return {
        "TESTING": True,
        "ENV": "testing",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-123",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PUBLIC_URL": "http://portal.test",
        "MAIL_DEFAULT_SENDER": "Portal <portal@example.org>",
        **overrides,
    }


_postgres_schema_ready = False


class IsolatedClient(FlaskClient):
    """Runs each request in an empty context, as a real server would.

    The ``app`` fixture keeps an app context pushed for factories; without this, Flask would reuse it
    for requests, sharing ``g`` (Flask-Login's cached user) and the database session between them.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app(database_url, backend, tmp_path, request):
    """An app whose database has the full schema and no rows; an app context is pushed for the test."""
    global _postgres_schema_ready
    overrides = getattr(request, "param", None) or {}
    marker = request.node.get_closest_marker("app_config")
    if marker:
        overrides = {**overrides, **marker.kwargs}
    application = create_app(make_test_config(database_url, tmp_path, **overrides))
    application.test_client_class = IsolatedClient
    with application.app_context():
        if backend == "sqlite" or not _postgres_schema_ready:
            db.create_all()
            _postgres_schema_ready = _postgres_schema_ready or backend == "postgresql"
        yield application
        db.session.remove()
        if backend == "postgresql":
            tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db_session(app):
    return db.session


# ----------------------------------------------------------------------------------------------
# One line per backend at the end, so CI output shows how many tests ran on each database.

_outcomes: Counter = Counter()


def pytest_collection_modifyitems(items):
    # Collection runs where the tests run (in each pytest-xdist worker too); the backend travels with
    # every report as a user property, so the summary on the controller counts it right.
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend_name = callspec.params.get("backend", "no-database") if callspec else "no-database"
        item.user_properties.append(("backend", backend_name))


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        backend_name = dict(report.user_properties).get("backend", "no-database")
        _outcomes[(backend_name, report.outcome)] += 1


def pytest_terminal_summary(terminalreporter):
    terminalreporter.section("tests per database backend")
    for name in ("sqlite", "postgresql", "no-database"):
        counts = {outcome: _outcomes[(name, outcome)] for outcome in ("passed", "failed", "skipped")}
        if any(counts.values()):
            terminalreporter.write_line(
                f"{name}: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped"
            )
    if not TEST_DATABASE_URL:
        terminalreporter.write_line("postgresql: not run (set TEST_DATABASE_URL to run the suite on PostgreSQL too)")


def pytest_configure(config):
    config.addinivalue_line("markers", "app_config(**settings): extra settings for the app fixture")
