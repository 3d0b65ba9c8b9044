"""the data requests log (deletions, downloads and purges, with no personal data)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

data_request_kind = sa.Enum(
    "deletion", "download", "purge",
    name="data_request_kind", native_enum=False, create_constraint=True, length=20,
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "data_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", data_request_kind, nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("application_count", sa.Integer(), nullable=False),
        sa.Column("actor_label", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_data_requests_program_id_programs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_requests")),
    )
    with op.batch_alter_table("data_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_requests_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_data_requests_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_data_requests_program_id"), ["program_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("data_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_requests_program_id"))
        batch_op.drop_index(batch_op.f("ix_data_requests_kind"))
        batch_op.drop_index(batch_op.f("ix_data_requests_at"))
    op.drop_table("data_requests")
