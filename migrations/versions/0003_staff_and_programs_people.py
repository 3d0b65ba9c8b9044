"""staff invitations, program supervisors and deactivation

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 08:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "program_supervisors",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_program_supervisors_program_id_programs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_program_supervisors_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("program_id", "user_id", name=op.f("pk_program_supervisors")),
    )
    # Whoever supervises one of a program's interns today supervises the program.
    op.execute(
        "INSERT INTO program_supervisors (program_id, user_id) "
        "SELECT DISTINCT program_id, supervisor_id FROM placements WHERE supervisor_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("program_supervisors")
