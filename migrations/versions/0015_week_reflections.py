"""week reflections: the intern's optional "What did you learn this week?", one per timesheet week

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 00:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "week_reflections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["week_id"],
            ["timesheet_weeks.id"],
            name=op.f("fk_week_reflections_week_id_timesheet_weeks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_week_reflections")),
        sa.UniqueConstraint("week_id", name=op.f("uq_week_reflections_week_id")),
    )


def downgrade() -> None:
    op.drop_table("week_reflections")
