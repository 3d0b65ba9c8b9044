"""Migrations build the schema the models describe, and can be undone and redone, on both databases."""

from __future__ import annotations

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import create_postgres_database, drop_postgres_database, make_test_config
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from portal import create_app
from portal.extensions import db
from portal.models.application_search import include_in_comparison


@pytest.fixture
def empty_database_url(backend, tmp_path):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = create_postgres_database("portal_migrations")
    yield url
    drop_postgres_database(url)


def pending_differences() -> list:
    with db.engine.connect() as connection:
        # The search index is made by DDL, not described by the models (portal/models/application_search.py).
        opts = {"compare_type": True, "include_name": include_in_comparison}
        context = MigrationContext.configure(connection, opts=opts)
        return compare_metadata(context, db.metadata)


def test_upgrade_matches_the_models_and_round_trips(empty_database_url, tmp_path):
    app = create_app(make_test_config(empty_database_url, tmp_path))
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        assert pending_differences() == []

        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

        upgrade()
        assert pending_differences() == []
        db.engine.dispose()


def _insert_fall_program_with_an_application(connection) -> None:
    """Rows as revision 0001 stored them: section columns and the essay columns of the demo form."""
    section_columns = (
        "about_organisation what_you_will_do what_you_will_learn requirements nice_to_have commitment stipend_text "
        "school_credit_text diversity_statement intern_rights how_to_apply"
    ).split()
    sections = {column: "" for column in section_columns}
    sections.update(
        what_you_will_do="- Update websites\n- Plan events",
        intern_rights="The intern will not be performing the job of a paid staff person.",
    )
    connection.execute(
        text(
            "INSERT INTO programs (id, slug, title, organisation, location, summary, "
            + ", ".join(section_columns)
            + ", applications_open, applications_close, start_window_start, start_window_end, places, blind_review,"
            " min_week_minutes, max_week_minutes, max_day_minutes, min_weeks, stipend_min_week_minutes,"
            " retention_months, created_at) VALUES (1, 'fall', 'Fall', 'Organizing 2.0', 'New York', 'Summary', "
            + ", ".join(f":{column}" for column in section_columns)
            + ", '2026-09-01', '2026-10-01', '2026-10-01', '2026-11-01', 4, false, 900, 2400, 720, 12, 1500, 12,"
            " '2026-09-01 00:00:00')"
        ),
        sections,
    )
    connection.execute(
        text(
            "INSERT INTO applications (id, program_id, status, status_token_hash, version, full_name, preferred_name,"
            " pronouns, email, phone, city, not_student, school, major, wants_credit, hours_per_week, weeks_available,"
            " seeks_stipend, why_this_internship, current_events, organised_deadlines, bold_idea, skills, leadership,"
            " links, heard_about, accommodations, submitted_at, updated_at) VALUES (1, 1, 'submitted', 'h', 1,"
            " 'Maria Delgado', '', '', 'maria@example.org', '', 'Bronx', false, 'Hunter', '', true, 20, 12, false,"
            " 'To learn organizing.', 'Local news.', 'A teach-in in two weeks.', 'A text-message phone bank.',"
            " :skills, '', :links, 'A friend', '', '2026-09-02 00:00:00', '2026-09-02 00:00:00')"
        ),
        {"skills": '["graphics", "data"]', "links": '["https://a.example", "https://b.example"]'},
    )


def _answers(connection) -> dict[str, object]:
    rows = connection.execute(
        text(
            "SELECT q.key, a.text, a.choices FROM application_answers a"
            " JOIN application_questions q ON q.id = a.question_id WHERE a.application_id = 1"
        )
    ).all()
    return {
        key: (json.loads(choices) if isinstance(choices, str) else choices) or answer for key, answer, choices in rows
    }


def test_the_essay_columns_become_questions_and_every_answer_is_kept(empty_database_url, tmp_path):
    app = create_app(make_test_config(empty_database_url, tmp_path))
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as connection:
            _insert_fall_program_with_an_application(connection)
        upgrade()
        with db.engine.connect() as connection:
            labels = connection.execute(
                text("SELECT label FROM application_questions WHERE program_id = 1 ORDER BY position")
            ).scalars()
            assert list(labels)[:4] == [
                "Why do you want this internship?",
                "How do you follow current events and use social media?",
                "Tell us about a time you organised yourself around deadlines.",
                "Tell us about a time you were bold or thought outside the box.",
            ]
            assert _answers(connection) == {
                "why_this_internship": "To learn organizing.",
                "current_events": "Local news.",
                "organised_deadlines": "A teach-in in two weeks.",
                "bold_idea": "A text-message phone bank.",
                "skills": ["Graphics", "Data"],
                "link_1": "https://a.example",
                "link_2": "https://b.example",
                "heard_about": "A friend",
            }
            body, state = connection.execute(text("SELECT body, state FROM programs WHERE id = 1")).one()
            assert body.startswith("## What you will do\n\n- Update websites")
            assert "## Our commitment to intern rights\n\nThe intern will not be performing" in body
            assert state == "published"

        downgrade(revision="0001")
        with db.engine.connect() as connection:
            row = connection.execute(
                text("SELECT why_this_internship, bold_idea, heard_about, skills, links FROM applications")
            ).one()
            assert row[:3] == ("To learn organizing.", "A text-message phone bank.", "A friend")
            assert [json.loads(v) if isinstance(v, str) else v for v in row[3:]] == [
                ["graphics", "data"],
                ["https://a.example", "https://b.example"],
            ]
            intern_rights = connection.execute(text("SELECT intern_rights FROM programs")).scalar_one()
            assert intern_rights == "The intern will not be performing the job of a paid staff person."
        db.engine.dispose()
