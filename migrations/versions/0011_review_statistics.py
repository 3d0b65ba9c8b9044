"""stored review figures: each application's raw mean, count and fair score, each reviewer's and program's statistics

The review queue sorts and pages on these in SQL (portal.services.review_statistics keeps them). The upgrade
fills them for the reviews already there, with the same definitions as ``flask scores recompute``
(portal.rules.scores): a review counts when submitted with at least one score and its application's data is
kept; pool and reviewer spreads are population standard deviations, 0 below 1e-9; a reviewer is measured by
their own habits from 3 counted reviews with some spread.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 03:00:00

"""

import math

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ZERO_SPREAD = 1e-9
MIN_REVIEWS_FOR_NORMALISING = 3


def upgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_count", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("raw_mean", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("mean_z", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("pool_measured", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("scored", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.drop_index("ix_applications_submitted_at")
        batch_op.create_index("ix_applications_queue_submitted", ["program_id", "submitted_at", "id"], unique=False)
        batch_op.create_index("ix_applications_all_submitted", ["submitted_at", "id"], unique=False)
        batch_op.create_index("ix_applications_queue_counts", ["program_id", "status", "data_deleted_at"], unique=False)
        batch_op.create_index("ix_applications_all_counts", ["status", "data_deleted_at"], unique=False)
        batch_op.create_index(
            "ix_applications_pool_measured",
            ["program_id"],
            unique=False,
            sqlite_where=sa.text("pool_measured > 0"),
            postgresql_where=sa.text("pool_measured > 0"),
        )
    # Descending columns are expressions, which batch mode cannot copy: created on the table directly.
    for name, first, score in (
        ("ix_applications_queue_raw", ["program_id"], "raw_mean"),
        ("ix_applications_queue_normalised", ["program_id"], "mean_z"),
        ("ix_applications_all_raw", [], "raw_mean"),
        ("ix_applications_all_normalised", [], "mean_z"),
    ):
        op.create_index(name, "applications", [*first, sa.text("scored DESC"), sa.text(f"{score} DESC"), "id"])
    op.create_table(
        "review_figures",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_review_figures_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_review_figures_program_id_programs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_review_figures_review_id_reviews"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_review_figures_reviewer_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_review_figures")),
    )
    with op.batch_alter_table("review_figures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_figures_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_figures_reviewer_id"), ["reviewer_id"], unique=False)
        batch_op.create_index(
            "ix_review_figures_program_reviewer", ["program_id", "reviewer_id", "score"], unique=False
        )
    op.create_table(
        "reviewer_statistics",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("mean", sa.Float(), nullable=False),
        sa.Column("squares", sa.Float(), nullable=False),
        sa.Column("std", sa.Float(), nullable=False),
        sa.Column("normalising", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_reviewer_statistics_program_id_programs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_reviewer_statistics_reviewer_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("program_id", "reviewer_id", name=op.f("pk_reviewer_statistics")),
    )
    op.create_table(
        "score_pools",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("mean", sa.Float(), nullable=False),
        sa.Column("squares", sa.Float(), nullable=False),
        sa.Column("std", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_score_pools_program_id_programs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("program_id", name=op.f("pk_score_pools")),
    )
    _fill()


def _spread(reviews: int, squares: float) -> float:
    std = math.sqrt(max(0.0, squares) / reviews) if reviews else 0.0
    return 0.0 if std < ZERO_SPREAD else std


def _fill() -> None:
    """The figures of the reviews already stored (what ``flask scores recompute`` computes)."""
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "INSERT INTO review_figures (review_id, application_id, program_id, reviewer_id, score)"
            " SELECT r.id, r.application_id, a.program_id, r.reviewer_id, AVG(CAST(s.value AS FLOAT))"
            " FROM reviews r JOIN applications a ON a.id = r.application_id JOIN scores s ON s.review_id = r.id"
            " WHERE r.submitted_at IS NOT NULL AND a.data_deleted_at IS NULL"
            " GROUP BY r.id, r.application_id, a.program_id, r.reviewer_id"
        )
    )
    bind.execute(
        sa.text(
            "INSERT INTO score_pools (program_id, reviews, mean, squares, std)"
            " SELECT program_id, COUNT(*), AVG(score), 0, 0 FROM review_figures GROUP BY program_id"
        )
    )
    bind.execute(
        sa.text(
            "UPDATE score_pools SET squares = (SELECT SUM((f.score - score_pools.mean) * (f.score - score_pools.mean))"
            " FROM review_figures f WHERE f.program_id = score_pools.program_id)"
        )
    )
    bind.execute(
        sa.text(
            "INSERT INTO reviewer_statistics (program_id, reviewer_id, reviews, mean, squares, std, normalising)"
            " SELECT program_id, reviewer_id, COUNT(*), AVG(score), 0, 0, :no FROM review_figures"
            " GROUP BY program_id, reviewer_id"
        ),
        {"no": False},
    )
    bind.execute(
        sa.text(
            "UPDATE reviewer_statistics SET squares = (SELECT SUM((f.score - reviewer_statistics.mean)"
            " * (f.score - reviewer_statistics.mean)) FROM review_figures f"
            " WHERE f.program_id = reviewer_statistics.program_id AND f.reviewer_id = reviewer_statistics.reviewer_id)"
        )
    )
    for program_id, reviews, squares in bind.execute(sa.text("SELECT program_id, reviews, squares FROM score_pools")):
        bind.execute(
            sa.text("UPDATE score_pools SET std = :std WHERE program_id = :program_id"),
            {"std": _spread(reviews, squares), "program_id": program_id},
        )
    reviewers = bind.execute(sa.text("SELECT program_id, reviewer_id, reviews, squares FROM reviewer_statistics"))
    for program_id, reviewer_id, reviews, squares in list(reviewers):
        std = _spread(reviews, squares)
        bind.execute(
            sa.text(
                "UPDATE reviewer_statistics SET std = :std, normalising = :normalising"
                " WHERE program_id = :program_id AND reviewer_id = :reviewer_id"
            ),
            {
                "std": std,
                "normalising": reviews >= MIN_REVIEWS_FOR_NORMALISING and std > 0,
                "program_id": program_id,
                "reviewer_id": reviewer_id,
            },
        )
    z = (
        "CASE WHEN rs.normalising = :yes THEN (f.score - rs.mean) / rs.std WHEN p.std = 0 THEN 0.0"
        " ELSE (f.score - p.mean) / p.std END"
    )
    joined = (
        " FROM review_figures f JOIN reviewer_statistics rs"
        " ON rs.program_id = f.program_id AND rs.reviewer_id = f.reviewer_id"
        " JOIN score_pools p ON p.program_id = f.program_id WHERE f.application_id = applications.id"
    )
    bind.execute(
        sa.text(
            "UPDATE applications SET"  # noqa: S608 (constant fragments, nothing from input)
            f" review_count = (SELECT COUNT(*){joined}),"
            f" raw_mean = (SELECT AVG(f.score){joined}),"
            f" mean_z = (SELECT AVG({z}){joined}),"
            f" pool_measured = (SELECT COUNT(*){joined} AND rs.normalising = :no),"
            " scored = :yes"
            " WHERE id IN (SELECT application_id FROM review_figures)"
        ),
        {"yes": True, "no": False},
    )


def downgrade() -> None:
    op.drop_table("score_pools")
    op.drop_table("reviewer_statistics")
    with op.batch_alter_table("review_figures", schema=None) as batch_op:
        batch_op.drop_index("ix_review_figures_program_reviewer")
        batch_op.drop_index(batch_op.f("ix_review_figures_reviewer_id"))
        batch_op.drop_index(batch_op.f("ix_review_figures_application_id"))
    op.drop_table("review_figures")
    for name in (
        "ix_applications_queue_raw",
        "ix_applications_queue_normalised",
        "ix_applications_all_raw",
        "ix_applications_all_normalised",
    ):
        op.drop_index(name, table_name="applications")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_applications_pool_measured",
            sqlite_where=sa.text("pool_measured > 0"),
            postgresql_where=sa.text("pool_measured > 0"),
        )
        batch_op.drop_index("ix_applications_all_counts")
        batch_op.drop_index("ix_applications_queue_counts")
        batch_op.drop_index("ix_applications_all_submitted")
        batch_op.drop_index("ix_applications_queue_submitted")
        batch_op.create_index(batch_op.f("ix_applications_submitted_at"), ["submitted_at"], unique=False)
        batch_op.drop_column("scored")
        batch_op.drop_column("pool_measured")
        batch_op.drop_column("mean_z")
        batch_op.drop_column("raw_mean")
        batch_op.drop_column("review_count")
