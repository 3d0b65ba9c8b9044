"""The review queue's stored figures (see ``portal.services.review_statistics``): each counted review's overall
score, each reviewer's habits per program and each program's pool of scores.

An application's own figures (review count, raw mean, mean z) are columns of ``Application`` so the queue sorts
and pages on them in SQL. Every figure here is derived from the reviews and can be rebuilt by
``flask scores recompute``; the definitions are the pure functions in ``portal.rules.scores``.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class ReviewFigure(db.Model):
    """A submitted review that counts: it scored at least one criterion and its application's data is kept."""

    __tablename__ = "review_figures"
    __table_args__ = (Index("ix_review_figures_program_reviewer", "program_id", "reviewer_id", "score"),)

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)  # rules.scores.review_score of its criterion values


class ReviewerStatistics(db.Model):
    """One reviewer's habits in one program: how many counted reviews, their mean and population spread."""

    __tablename__ = "reviewer_statistics"

    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    mean: Mapped[float] = mapped_column(Float, default=0.0)
    squares: Mapped[float] = mapped_column(Float, default=0.0)  # sum of squared deviations from the mean
    std: Mapped[float] = mapped_column(Float, default=0.0)  # 0 below rules.scores' zero spread
    normalising: Mapped[bool] = mapped_column(Boolean, default=False)  # measured by their own habits


class ScorePool(db.Model):
    """Every counted review score of one program together: what a reviewer who "counts raw" is measured
    against, and the scale the normalised score is read on."""

    __tablename__ = "score_pools"

    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True)
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    mean: Mapped[float] = mapped_column(Float, default=0.0)
    squares: Mapped[float] = mapped_column(Float, default=0.0)
    std: Mapped[float] = mapped_column(Float, default=0.0)
