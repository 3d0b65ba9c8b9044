"""Shared test data: today's date, a program, its supervisor, an intern, their placement and an admin; and
``migrated_app``, an app on a database built by the migrations rather than ``create_all``.

Registered in conftest.py's ``pytest_plugins``: ask for a fixture by name, never import this module.
Dates are fixtures, never module constants, so they are read when each test starts, not at import.

The people and the program fit together: ``supervisor`` reviews ``program``'s applications and
supervises ``intern``, whose ``placement`` in ``program`` started four weeks before ``this_monday``.
A module that needs another program says so with a marker instead of writing its own fixture::

    pytestmark = pytest.mark.program_settings(places=2, rubric=("Knows current events", "Organised"))

``categories`` (``(name, is_learning)`` pairs) and ``rubric`` (criterion names) replace the
defaults below; any other keyword is a ``ProgramFactory`` field.

(The module is not called ``fixtures.py``: pytest registers its own fixture machinery under the plugin
name ``fixtures``, so ``pytest_plugins = ["fixtures"]`` would silently load nothing.)
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import create_postgres_database, drop_postgres_database, make_test_config
from factories import (
    ActivityCategoryFactory,
    AdminFactory,
    InternFactory,
    PlacementFactory,
    ProgramFactory,
    RubricCriterionFactory,
    UserFactory,
)
from flask_migrate import upgrade

from portal import create_app
from portal.extensions import db
from portal.models import Placement, Program, User
from portal.rules.weeks import week_monday

#: The program's activity categories, in order: two learning ones and one operational.
DEFAULT_CATEGORIES = (
    ("Event planning", True),
    ("Organizing software and tools", True),
    ("Office support", False),
)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "program_settings(**fields): the program fixture's fields, categories=((name, is_learning), ...) "
        "and rubric=(name, ...)",
    )


@pytest.fixture
def today() -> date:
    return date.today()


@pytest.fixture
def this_monday(today) -> date:
    """The Monday of the current week."""
    return week_monday(today)


@pytest.fixture
def supervisor(app) -> User:
    return UserFactory(full_name="Sam Supervisor", email="sam@example.org")


@pytest.fixture
def admin(app) -> User:
    return AdminFactory(full_name="Alex Admin", email="alex@example.org")


@pytest.fixture
def intern(app) -> User:
    return InternFactory(full_name="Ana Reyes", email="ana@example.org")


@pytest.fixture
def program(app, supervisor, request) -> Program:
    """The program "Fall Organizing" (slug ``fall``), open for applications, reviewed by ``supervisor``."""
    marker = request.node.get_closest_marker("program_settings")
    fields = {"slug": "fall", "title": "Fall Organizing", **(marker.kwargs if marker else {})}
    categories = fields.pop("categories", DEFAULT_CATEGORIES)
    rubric = fields.pop("rubric", ())
    program = ProgramFactory(reviewers=[supervisor], **fields)
    for position, (name, is_learning) in enumerate(categories):
        ActivityCategoryFactory(program=program, name=name, is_learning=is_learning, position=position)
    for position, name in enumerate(rubric):
        RubricCriterionFactory(program=program, name=name, position=position)
    return program


@pytest.fixture
def placement(program, intern, supervisor, this_monday) -> Placement:
    """``intern`` in ``program`` under ``supervisor``, from the Monday four weeks ago, 20 h a week."""
    return PlacementFactory(
        program=program,
        application__program=program,
        intern=intern,
        supervisor=supervisor,
        start_date=this_monday - timedelta(weeks=4),
    )


@pytest.fixture
def migrated_app(backend, tmp_path):
    """An app (context pushed) on a new database upgraded by the migrations, for what they make beyond the models'
    tables (triggers, the search index) and what they do to rows already there (downgrade and upgrade again)."""
    url = f"sqlite:///{tmp_path / 'migrated.db'}" if backend == "sqlite" else create_postgres_database("migrated")
    application = create_app(make_test_config(url, tmp_path))
    with application.app_context():
        upgrade()
        yield application
        db.session.remove()
        db.engine.dispose()
    if backend != "sqlite":
        drop_postgres_database(url)
