"""programs an admin builds: state, a Markdown body, retirable rubric and categories, own questions

The demo's fixed essay columns become questions of every existing program, and each non-empty
answer moves into ``application_answers``; the downgrade moves them back. The posting's section
columns become one Markdown body (a "## heading" per section).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 23:00:00

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# A frozen copy (migrations never import the application): posting columns and their headings.
SECTIONS = (
    ("about_organisation", "About the organisation"),
    ("what_you_will_do", "What you will do"),
    ("what_you_will_learn", "What you will learn"),
    ("requirements", "What we require"),
    ("nice_to_have", "It would be great if you could"),
    ("commitment", "The commitment"),
    ("stipend_text", "Stipend"),
    ("school_credit_text", "School credit"),
    ("diversity_statement", "Diversity"),
    ("intern_rights", "Our commitment to intern rights"),
    ("how_to_apply", "How to apply"),
)

SKILLS = (
    ("graphics", "Graphics"),
    ("video editing", "Video editing"),
    ("web development", "Web development"),
    ("writing", "Writing"),
    ("social media", "Social media"),
    ("data", "Data"),
)

# (key, kind, label, help text, required, max_chars): the demo form's questions, in its order.
QUESTIONS = (
    ("why_this_internship", "long_text", "Why do you want this internship?", "", True, 1500),
    ("current_events", "long_text", "How do you follow current events and use social media?", "", True, 1500),
    (
        "organised_deadlines",
        "long_text",
        "Tell us about a time you organised yourself around deadlines.",
        "",
        True,
        1500,
    ),
    ("bold_idea", "long_text", "Tell us about a time you were bold or thought outside the box.", "", True, 1500),
    ("skills", "many_choices", "Skills you have", "", False, None),
    ("leadership", "long_text", "Leadership experience", "Clubs, student government, community groups…", False, 1500),
    ("link_1", "link", "Link 1", "A portfolio, social media profile or piece of writing.", False, 500),
    ("link_2", "link", "Link 2", "", False, 500),
    ("link_3", "link", "Link 3", "", False, 500),
    ("heard_about", "short_text", "How did you hear about us?", "", False, 200),
    (
        "accommodations",
        "long_text",
        "Accommodations you would like",
        "For the interview or the internship.",
        False,
        1000,
    ),
)
TEXT_COLUMNS = (
    "why_this_internship",
    "current_events",
    "organised_deadlines",
    "bold_idea",
    "leadership",
    "heard_about",
    "accommodations",
)

program_state = sa.Enum(
    "draft",
    "published",
    "closed",
    "archived",
    name="program_state",
    native_enum=False,
    create_constraint=True,
    length=20,
)
question_kind = sa.Enum(
    "short_text",
    "long_text",
    "one_choice",
    "many_choices",
    "yes_no",
    "link",
    name="question_kind",
    native_enum=False,
    create_constraint=True,
    length=20,
)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _programs_table(*columns):
    return sa.table("programs", sa.column("id", sa.Integer), *columns)


def upgrade():
    op.create_table(
        "application_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("kind", question_kind, nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("help_text", sa.Text(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("max_chars", sa.Integer(), nullable=True),
        sa.Column("max_words", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "max_chars IS NULL OR max_chars > 0", name=op.f("ck_application_questions_max_chars_positive")
        ),
        sa.CheckConstraint(
            "max_words IS NULL OR max_words > 0", name=op.f("ck_application_questions_max_words_positive")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_application_questions_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_questions")),
        sa.UniqueConstraint("program_id", "key", name=op.f("uq_application_questions_program_id_key")),
    )
    with op.batch_alter_table("application_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_questions_program_id"), ["program_id"], unique=False)

    op.create_table(
        "application_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_application_answers_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["application_questions.id"],
            name=op.f("fk_application_answers_question_id_application_questions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_answers")),
        sa.UniqueConstraint(
            "application_id", "question_id", name=op.f("uq_application_answers_application_id_question_id")
        ),
    )
    with op.batch_alter_table("application_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_answers_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_application_answers_question_id"), ["question_id"], unique=False)

    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("state", program_state, nullable=False, server_default="published"))
        batch_op.add_column(sa.Column("published_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("rolling", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f("ix_programs_state"), ["state"], unique=False)
    for table in ("rubric_criteria", "activity_categories"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("retired_at", sa.DateTime(), nullable=True))

    connection = op.get_bind()
    _move_sections_into_body(connection)
    _move_answers_into_questions(connection)

    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.alter_column("body", server_default=None)
        batch_op.alter_column("state", server_default=None)
        batch_op.alter_column("rolling", server_default=None)
        for column, _ in SECTIONS:
            batch_op.drop_column(column)
    with op.batch_alter_table("applications", schema=None) as batch_op:
        for column in (*TEXT_COLUMNS, "skills", "links"):
            batch_op.drop_column(column)


def _move_sections_into_body(connection) -> None:
    """Existing programs were on the public site already: they stay published, their body in Markdown."""
    programs = _programs_table(
        sa.column("body", sa.Text),
        sa.column("published_at", sa.DateTime),
        *(sa.column(c, sa.Text) for c, _ in SECTIONS),
    )
    for row in connection.execute(sa.select(programs)).mappings().all():
        parts = [
            f"## {heading}\n\n{row[column].strip()}" for column, heading in SECTIONS if (row[column] or "").strip()
        ]
        connection.execute(
            programs.update().where(programs.c.id == row["id"]).values(body="\n\n".join(parts), published_at=_now())
        )


def _move_answers_into_questions(connection) -> None:
    questions = sa.table(
        "application_questions",
        sa.column("id", sa.Integer),
        sa.column("program_id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("kind", sa.String),
        sa.column("label", sa.String),
        sa.column("help_text", sa.Text),
        sa.column("required", sa.Boolean),
        sa.column("options", sa.JSON),
        sa.column("max_chars", sa.Integer),
        sa.column("max_words", sa.Integer),
        sa.column("position", sa.Integer),
        sa.column("created_at", sa.DateTime),
    )
    answers = sa.table(
        "application_answers",
        sa.column("application_id", sa.Integer),
        sa.column("question_id", sa.Integer),
        sa.column("text", sa.Text),
        sa.column("choices", sa.JSON),
    )
    applications = sa.table(
        "applications",
        sa.column("id", sa.Integer),
        sa.column("program_id", sa.Integer),
        sa.column("skills", sa.JSON),
        sa.column("links", sa.JSON),
        *(sa.column(c, sa.Text) for c in TEXT_COLUMNS),
    )
    skill_labels = dict(SKILLS)
    for (program_id,) in connection.execute(sa.select(sa.column("id")).select_from(sa.table("programs"))).all():
        ids = {}
        for position, (key, kind, label, help_text, required, max_chars) in enumerate(QUESTIONS):
            ids[key] = connection.execute(
                questions.insert()
                .values(
                    program_id=program_id,
                    key=key,
                    kind=kind,
                    label=label,
                    help_text=help_text,
                    required=required,
                    options=[name for _, name in SKILLS] if key == "skills" else [],
                    max_chars=max_chars,
                    max_words=None,
                    position=position,
                    created_at=_now(),
                )
                .returning(questions.c.id)
            ).scalar_one()
        rows = []
        for application in connection.execute(
            sa.select(applications).where(applications.c.program_id == program_id)
        ).mappings():
            for column in TEXT_COLUMNS:
                if (application[column] or "").strip():
                    rows.append({"question_id": ids[column], "text": application[column], "choices": []})
                    rows[-1]["application_id"] = application["id"]
            skills = [skill_labels.get(skill, skill) for skill in application["skills"] or []]
            if skills:
                rows.append(
                    {"application_id": application["id"], "question_id": ids["skills"], "text": "", "choices": skills}
                )
            for index, link in enumerate((application["links"] or [])[:3], start=1):
                rows.append(
                    {
                        "application_id": application["id"],
                        "question_id": ids[f"link_{index}"],
                        "text": link,
                        "choices": [],
                    }
                )
        if rows:
            connection.execute(answers.insert(), rows)


def downgrade():
    with op.batch_alter_table("applications", schema=None) as batch_op:
        for column in TEXT_COLUMNS:
            batch_op.add_column(sa.Column(column, sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("skills", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("links", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("programs", schema=None) as batch_op:
        for column, _ in SECTIONS:
            batch_op.add_column(sa.Column(column, sa.Text(), nullable=False, server_default=""))

    connection = op.get_bind()
    _move_body_into_sections(connection)
    _move_questions_into_columns(connection)

    with op.batch_alter_table("applications", schema=None) as batch_op:
        for column in (*TEXT_COLUMNS, "skills", "links"):
            batch_op.alter_column(column, server_default=None)
    with op.batch_alter_table("programs", schema=None) as batch_op:
        for column, _ in SECTIONS:
            batch_op.alter_column(column, server_default=None)
        batch_op.drop_index(batch_op.f("ix_programs_state"))
        batch_op.drop_constraint(batch_op.f("ck_programs_program_state"), type_="check")
        batch_op.drop_column("rolling")
        batch_op.drop_column("published_at")
        batch_op.drop_column("state")
        batch_op.drop_column("body")
    for table in ("rubric_criteria", "activity_categories"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("retired_at")
    with op.batch_alter_table("application_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_answers_question_id"))
        batch_op.drop_index(batch_op.f("ix_application_answers_application_id"))
    op.drop_table("application_answers")
    with op.batch_alter_table("application_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_questions_program_id"))
    op.drop_table("application_questions")


def _move_body_into_sections(connection) -> None:
    """Each "## heading" block goes back to its column; text under other headings joins the first section."""
    columns_by_heading = {heading: column for column, heading in SECTIONS}
    programs = _programs_table(sa.column("body", sa.Text), *(sa.column(c, sa.Text) for c, _ in SECTIONS))
    for row in connection.execute(sa.select(programs.c.id, programs.c.body)).mappings().all():
        values: dict[str, list[str]] = {}
        column, lines = "what_you_will_do", []
        for line in (row["body"] or "").splitlines() + ["## "]:
            if line.startswith("## "):
                if "\n".join(lines).strip():
                    values.setdefault(column, []).append("\n".join(lines).strip())
                column, lines = columns_by_heading.get(line[3:].strip(), "what_you_will_do"), []
            else:
                lines.append(line)
        connection.execute(
            programs.update().where(programs.c.id == row["id"]).values(**{c: "\n\n".join(v) for c, v in values.items()})
        )


def _move_questions_into_columns(connection) -> None:
    rows = connection.execute(
        sa.text(
            "SELECT a.application_id, q.key, a.text, a.choices FROM application_answers a "
            "JOIN application_questions q ON q.id = a.question_id ORDER BY a.application_id, q.position"
        ).columns(sa.column("application_id"), sa.column("key"), sa.column("text"), sa.column("choices", sa.JSON))
    ).all()
    labels_to_skills = {label: value for value, label in SKILLS}
    per_application: dict[int, dict] = {}
    for application_id, key, text, choices in rows:
        values = per_application.setdefault(application_id, {"links": []})
        if key in TEXT_COLUMNS:
            values[key] = text
        elif key == "skills":
            values["skills"] = [labels_to_skills.get(choice, choice) for choice in choices or []]
        elif key.startswith("link_") and text:
            values["links"].append(text)
    applications = sa.table(
        "applications",
        sa.column("id", sa.Integer),
        sa.column("skills", sa.JSON),
        sa.column("links", sa.JSON),
        *(sa.column(c, sa.Text) for c in TEXT_COLUMNS),
    )
    for application_id, values in per_application.items():
        connection.execute(applications.update().where(applications.c.id == application_id).values(**values))
