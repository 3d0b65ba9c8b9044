"""the permission to see self-identification reports (a flag an admin grants, not every admin)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 13:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        # Existing accounts get False: nobody sees the report until an admin grants it.
        batch_op.add_column(
            sa.Column("can_view_self_identification", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("can_view_self_identification")
