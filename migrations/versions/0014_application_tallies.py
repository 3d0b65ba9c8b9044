"""the review queue's counts by status from a tally kept by triggers; status-then-date indexes for its filters

``application_tallies`` holds, per (program, status, hours a week, wants credit, seeks a stipend), how many kept
applications there are (portal/models/application_tally.py says why and how). The upgrade creates it, its
triggers (SQLite) or its deferred constraint trigger and function (PostgreSQL), and counts the applications
already there. The indexes that served the counts by status (0011) give way to partial indexes of kept
applications by status and submission date, which serve both the counts the tally cannot give (a search,
"needs my score") and a status filter's page in order.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 15:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

COUNTED = ("program_id", "status", "hours_per_week", "wants_credit", "seeks_stipend")
KEY = ", ".join(COUNTED)
STATUSES = ("submitted", "in_review", "interview", "accepted", "waitlisted", "declined", "withdrawn")


def sqlite_count(row: str, change: int) -> str:
    values = ", ".join(f"{row}.{column}" for column in COUNTED)
    return (
        f"INSERT INTO application_tallies ({KEY}, applications) SELECT {values}, {change}"
        f" WHERE {row}.data_deleted_at IS NULL"
        f" ON CONFLICT ({KEY}) DO UPDATE SET applications = applications + excluded.applications;"
    )


def postgresql_count(row: str, change: int) -> str:
    values = ", ".join(f"{row}.{column}" for column in COUNTED)
    return (
        f"IF {row}.data_deleted_at IS NULL THEN"
        f" INSERT INTO application_tallies AS tally ({KEY}, applications) VALUES ({values}, {change})"
        f" ON CONFLICT ({KEY}) DO UPDATE SET applications = tally.applications + excluded.applications;"
        " END IF;"
    )


UNCHANGED = " AND ".join(f"OLD.{column} IS NOT DISTINCT FROM NEW.{column}" for column in COUNTED)
POSTGRESQL_FUNCTION = (
    "CREATE OR REPLACE FUNCTION application_tallies_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    f" IF TG_OP = 'UPDATE' AND {UNCHANGED}"
    " AND (OLD.data_deleted_at IS NULL) = (NEW.data_deleted_at IS NULL) THEN RETURN NULL; END IF;"
    f" IF TG_OP IN ('UPDATE', 'DELETE') THEN {postgresql_count('OLD', -1)} END IF;"
    f" IF TG_OP IN ('UPDATE', 'INSERT') THEN {postgresql_count('NEW', 1)} END IF;"
    " RETURN NULL; END $$"
)
SQLITE_TRIGGERS = {
    "application_tallies_insert": f"AFTER INSERT ON applications BEGIN {sqlite_count('new', 1)} END",
    "application_tallies_delete": f"AFTER DELETE ON applications BEGIN {sqlite_count('old', -1)} END",
    "application_tallies_update": f"AFTER UPDATE OF {KEY}, data_deleted_at ON applications"
    f" BEGIN {sqlite_count('old', -1)} {sqlite_count('new', 1)} END",
}


def upgrade() -> None:
    op.create_table(
        "application_tallies",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="application_tally_status", native_enum=False, create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column("hours_per_week", sa.Integer(), nullable=False),
        sa.Column("wants_credit", sa.Boolean(), nullable=False),
        sa.Column("seeks_stipend", sa.Boolean(), nullable=False),
        sa.Column("applications", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_application_tallies_program_id_programs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(*COUNTED, name=op.f("pk_application_tallies")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(
            "CREATE CONSTRAINT TRIGGER application_tallies_count"
            f" AFTER INSERT OR DELETE OR UPDATE OF {KEY}, data_deleted_at ON applications"
            " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION application_tallies_count()"
        )
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(
        f"INSERT INTO application_tallies ({KEY}, applications)"
        f" SELECT {KEY}, count(*) FROM applications WHERE data_deleted_at IS NULL GROUP BY {KEY}"
    )
    kept = sa.text("data_deleted_at IS NULL")
    op.create_index(
        "ix_applications_queue_status",
        "applications",
        ["program_id", "status", "submitted_at", "id"],
        unique=False,
        sqlite_where=kept,
        postgresql_where=kept,
    )
    op.create_index(
        "ix_applications_all_status",
        "applications",
        ["status", "submitted_at", "id"],
        unique=False,
        sqlite_where=kept,
        postgresql_where=kept,
    )
    op.drop_index("ix_applications_queue_counts", table_name="applications")
    op.drop_index("ix_applications_all_counts", table_name="applications")


def downgrade() -> None:
    op.create_index("ix_applications_all_counts", "applications", ["status", "data_deleted_at"], unique=False)
    op.create_index(
        "ix_applications_queue_counts", "applications", ["program_id", "status", "data_deleted_at"], unique=False
    )
    op.drop_index("ix_applications_all_status", table_name="applications")
    op.drop_index("ix_applications_queue_status", table_name="applications")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS application_tallies_count ON applications")
        op.execute("DROP FUNCTION IF EXISTS application_tallies_count()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("application_tallies")
