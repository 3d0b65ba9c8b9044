"""placements changed, extended and ended (completed or before the minimum, with a reason)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 08:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

placement_outcome = sa.Enum(
    "completed", "ended_early", name="placement_outcome", native_enum=False, create_constraint=True, length=20
)


def upgrade() -> None:
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", placement_outcome, nullable=True))
        batch_op.add_column(sa.Column("end_reason", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("ended_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("ended_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_placements_ended_by_id_users"), "users", ["ended_by_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_placements_outcome_has_end"), "outcome IS NULL OR end_date IS NOT NULL"
        )
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.alter_column("end_reason", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_placements_outcome_has_end"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_placements_placement_outcome"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_placements_ended_by_id_users"), type_="foreignkey")
        batch_op.drop_column("ended_by_id")
        batch_op.drop_column("ended_at")
        batch_op.drop_column("end_reason")
        batch_op.drop_column("outcome")
