"""resume scan state (pending scan, clean, rejected)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

resume_scan_status = sa.Enum(
    "unscanned", "pending", "clean", "rejected",
    name="resume_scan_status", native_enum=False, create_constraint=True, length=20,
)  # fmt: skip


def upgrade() -> None:
    # Resumes stored before scanning existed were never scanned: "unscanned" keeps them downloadable.
    with op.batch_alter_table("resumes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scan_status", resume_scan_status, nullable=False, server_default="unscanned"))
        batch_op.add_column(sa.Column("scanned_at", sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_resumes_scan_status"), ["scan_status"], unique=False)
    with op.batch_alter_table("resumes", schema=None) as batch_op:
        batch_op.alter_column("scan_status", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("resumes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resumes_scan_status"))
        batch_op.drop_constraint(batch_op.f("ck_resumes_resume_scan_status"), type_="check")
        batch_op.drop_column("scanned_at")
        batch_op.drop_column("scan_status")
