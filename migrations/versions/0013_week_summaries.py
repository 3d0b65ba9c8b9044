"""week figures from an index: timesheet entries indexed by (week, category, minutes)

The compliance page, the dashboard, the approvals page and the stipend CSV sum each week's minutes and
learning minutes (``services.progress.week_records``, ``services.timesheets.totals_for``). With only an
index on ``week_id``, PostgreSQL read those 25 placements' entries by scanning every intern's entries
(47,848 rows for 2,392 at 500 interns × 26 weeks); this covering index answers from the index alone, and
replaces the one on ``week_id`` it starts with. No summaries are stored: a row's figures (missing, at risk,
learning share, overdue) move with today's date, and a page already reads only its own rows' weeks.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 03:00:00

"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_timesheet_entries_week_figures", "timesheet_entries", ["week_id", "category_id", "minutes"], unique=False
    )
    op.drop_index("ix_timesheet_entries_week_id", table_name="timesheet_entries")


def downgrade() -> None:
    op.create_index("ix_timesheet_entries_week_id", "timesheet_entries", ["week_id"], unique=False)
    op.drop_index("ix_timesheet_entries_week_figures", table_name="timesheet_entries")
