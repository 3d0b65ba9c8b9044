"""The review queue's stored figures, kept in the transaction that changes a review, and rebuilt from scratch.

``portal.rules.scores.fair_scores`` defines the figures for one program's reviews; this module keeps them in
the database so the queue can sort and page in SQL:

- ``review_figures``: each counted review (submitted, at least one criterion scored, application not erased)
  with its overall score, ``rules.scores.review_score``;
- ``reviewer_statistics``: per program and reviewer, a ``Tally`` (count, mean, squared deviations), the
  spread, and whether they are measured by their own habits (``counts_by_own_habits``);
- ``score_pools``: per program, the ``Tally`` of every counted score;
- on ``applications``: ``review_count``, ``raw_mean``, ``mean_z`` (the mean of the reviews' z contributions)
  and ``pool_measured`` (how many of them are measured against the pool). The normalised score shown is
  ``normalised_score(pool scale, mean_z)``; within a program it orders the same way as ``mean_z``.

A change to one review changes its reviewer's habits and the program's pool, so besides its application
every application that reviewer scored in the program (when they are measured by their own habits, before
or after) and every application with a pool-measured review is refreshed, in one set-based UPDATE. The
program's pool row is locked first, so two reviews saved at once in one program are counted one after the
other (PostgreSQL; SQLite writes one at a time anyway).

``recompute_all`` rebuilds everything with set-based SQL (``flask scores recompute``; the benchmark calls it
after bulk-inserting reviews).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Float, and_, case, cast, delete, func, insert, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db
from portal.models import Application, Review, ReviewerStatistics, ReviewFigure, Score, ScorePool
from portal.rules.scores import Tally, counts_by_own_habits, review_score


def review_changed(review: Review) -> None:
    """Bring the stored figures in line with ``review`` as it now is, so the queue's order is right at once."""
    db.session.flush()
    application = review.application
    figure = db.session.get(ReviewFigure, review.id)
    old = figure.score if figure is not None else None
    new = None
    if review.submitted_at is not None and application.data_deleted_at is None:
        new = review_score([score.value for score in review.scores])
    if old == new:
        return
    if figure is None:
        db.session.add(
            ReviewFigure(
                review_id=review.id,
                application_id=application.id,
                program_id=application.program_id,
                reviewer_id=review.reviewer_id,
                score=new,
            )
        )
    elif new is None:
        db.session.delete(figure)
    else:
        figure.score = new
    _recount(application.program_id, {review.reviewer_id}, {application.id})


def application_erased(application: Application) -> None:
    """An erased application's reviews leave its program's pool and their reviewers' habits (it leaves the
    queue), so every other application's fair score is measured without them."""
    db.session.flush()
    figures = list(db.session.scalars(select(ReviewFigure).where(ReviewFigure.application_id == application.id)))
    if not figures:
        return
    for figure in figures:
        db.session.delete(figure)
    _recount(application.program_id, {figure.reviewer_id for figure in figures}, {application.id})


def _recount(program_id: int, reviewer_ids: set[int], application_ids: set[int]) -> None:
    """Recount the program's pool and these reviewers' habits from the counted reviews, then refresh the
    applications whose figures they move."""
    db.session.flush()
    pool = _locked_row(ScorePool, program_id=program_id)  # first: one review at a time per program
    _store(pool, _tally(ReviewFigure.program_id == program_id))
    moved_reviewers: set[int] = set()
    for reviewer_id in reviewer_ids:
        reviewer = _locked_row(ReviewerStatistics, program_id=program_id, reviewer_id=reviewer_id)
        was_normalising = reviewer.normalising
        _store(reviewer, _tally(ReviewFigure.program_id == program_id, ReviewFigure.reviewer_id == reviewer_id))
        if was_normalising or reviewer.normalising:
            moved_reviewers.add(reviewer_id)
    db.session.flush()
    affected = or_(
        ReviewFigure.application_id.in_(application_ids),
        ReviewFigure.application_id.in_(
            select(Application.id)
            .where(Application.program_id == program_id, Application.pool_measured > 0)
            .correlate(None)
        ),
    )
    if moved_reviewers:
        affected = or_(
            affected,
            ReviewFigure.application_id.in_(
                select(ReviewFigure.application_id)
                .where(ReviewFigure.program_id == program_id, ReviewFigure.reviewer_id.in_(moved_reviewers))
                .correlate(None)
            ),
        )
    _reset_unscored(Application.id.in_(application_ids))
    _refresh_applications(affected)
    for application_id in application_ids:
        application = db.session.get(Application, application_id)
        if application is not None:
            db.session.expire(application, _FIGURES)


def _tally(*which: ColumnElement[bool]) -> Tally:
    """Count, mean and squared deviations of the counted scores matching ``which``, in two passes as
    ``statistics.pstdev`` does (so equal scores have no spread, whatever was added and taken out before)."""
    count, mean = db.session.execute(select(func.count(), func.avg(ReviewFigure.score)).where(*which)).one()
    if not count:
        return Tally()
    deviation = ReviewFigure.score - float(mean)
    squares = db.session.scalar(select(func.sum(deviation * deviation)).where(*which))
    return Tally(count, float(mean), float(squares or 0.0))


_FIGURES = ["review_count", "raw_mean", "mean_z", "pool_measured", "scored"]


def _locked_row(model: type[ScorePool] | type[ReviewerStatistics], **key: int) -> ScorePool | ReviewerStatistics:
    """The tally row of ``key``, created empty when missing, locked until the commit (PostgreSQL)."""
    dialect = db.session.get_bind().dialect.name
    insert_row = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)
    db.session.execute(insert_row.values(**key, reviews=0, mean=0.0, squares=0.0, std=0.0).on_conflict_do_nothing())
    statement = select(model).filter_by(**key).with_for_update().execution_options(populate_existing=True)
    return db.session.scalars(statement).one()


def _store(row: ScorePool | ReviewerStatistics, tally: Tally) -> None:
    """Write ``tally`` and its spread (and, for a reviewer, whether they count by their own habits) to ``row``;
    a row left with no review goes."""
    if tally.count == 0:
        db.session.delete(row)
        return
    row.reviews, row.mean, row.squares = tally.count, tally.mean, tally.squares
    row.std = tally.scale().std
    if isinstance(row, ReviewerStatistics):
        row.normalising = counts_by_own_habits(tally.count, row.std)


def _reset_unscored(which: ColumnElement[bool]) -> None:
    """Applications among ``which`` that no counted review is left for have no figures."""
    db.session.execute(
        update(Application)
        .where(which, ~select(ReviewFigure.review_id).where(ReviewFigure.application_id == Application.id).exists())
        .values(
            review_count=0, raw_mean=None, mean_z=None, pool_measured=0, scored=False, updated_at=Application.updated_at
        )
        .execution_options(synchronize_session=False)
    )


def _refresh_applications(which: ColumnElement[bool] | None) -> int:
    """Set the figures of the applications with a counted review matching ``which`` (every one for ``None``)
    from their reviews, their reviewers' statistics and their pool: one UPDATE … FROM an aggregate."""
    own = ReviewerStatistics.normalising.is_(True)
    z = case(
        (own, (ReviewFigure.score - ReviewerStatistics.mean) / ReviewerStatistics.std),
        (ScorePool.std == 0, 0.0),
        else_=(ReviewFigure.score - ScorePool.mean) / ScorePool.std,
    )
    figures = (
        select(
            ReviewFigure.application_id.label("application_id"),
            func.count().label("reviews"),
            func.avg(ReviewFigure.score).label("raw_mean"),
            func.avg(z).label("mean_z"),
            func.sum(case((own, 0), else_=1)).label("pool_measured"),
        )
        .join(
            ReviewerStatistics,
            and_(
                ReviewerStatistics.program_id == ReviewFigure.program_id,
                ReviewerStatistics.reviewer_id == ReviewFigure.reviewer_id,
            ),
        )
        .join(ScorePool, ScorePool.program_id == ReviewFigure.program_id)
        .group_by(ReviewFigure.application_id)
    )
    if which is not None:
        figures = figures.where(which)
    figures = figures.subquery()
    result = db.session.execute(
        update(Application)
        .where(Application.id == figures.c.application_id)
        .values(
            review_count=figures.c.reviews,
            raw_mean=cast(figures.c.raw_mean, Float),
            mean_z=cast(figures.c.mean_z, Float),
            pool_measured=figures.c.pool_measured,
            scored=True,
            updated_at=Application.updated_at,  # not the applicant's update: keep the column's onupdate out
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


# ---- rebuilding every figure ----------------------------------------------------------------------


def recompute_all() -> int:
    """Rebuild every stored figure from the reviews (idempotent; after bulk inserts or to repair drift) and
    return how many applications have a score. Set-based SQL: a few statements whatever the number of rows."""
    db.session.flush()
    for model in (ReviewFigure, ReviewerStatistics, ScorePool):
        db.session.execute(delete(model))
    overall = func.avg(cast(Score.value, Float))
    db.session.execute(
        insert(ReviewFigure).from_select(
            ["review_id", "application_id", "program_id", "reviewer_id", "score"],
            select(Review.id, Review.application_id, Application.program_id, Review.reviewer_id, overall)
            .join(Application, Application.id == Review.application_id)
            .join(Score, Score.review_id == Review.id)
            .where(Review.submitted_at.is_not(None), Application.data_deleted_at.is_(None))
            .group_by(Review.id, Review.application_id, Application.program_id, Review.reviewer_id),
        )
    )
    _tally_into(ScorePool, [ReviewFigure.program_id])
    _tally_into(ReviewerStatistics, [ReviewFigure.program_id, ReviewFigure.reviewer_id])
    db.session.execute(
        update(Application)
        .where(or_(Application.scored.is_(True), Application.review_count != 0, Application.pool_measured != 0))
        .values(
            review_count=0, raw_mean=None, mean_z=None, pool_measured=0, scored=False, updated_at=Application.updated_at
        )
        .execution_options(synchronize_session=False)
    )
    scored = _refresh_applications(None)
    db.session.expire_all()
    return scored


def _tally_into(model: type[ScorePool] | type[ReviewerStatistics], keys: Iterable) -> None:
    """Count and mean per key in one INSERT … SELECT, then the squared deviations from that mean (two passes,
    as ``statistics.pstdev`` does), then the spread and habits per row by the rules."""
    keys = list(keys)
    names = [key.key for key in keys]
    db.session.execute(
        insert(model).from_select(
            [*names, "reviews", "mean", "squares", "std"],
            select(*keys, func.count(), cast(func.avg(ReviewFigure.score), Float), literal(0.0), literal(0.0)).group_by(
                *keys
            ),
        )
    )
    deviation = ReviewFigure.score - model.mean
    squares = (
        select(func.sum(deviation * deviation))
        .where(*(key == getattr(model, key.key) for key in keys))
        .scalar_subquery()
    )
    db.session.execute(update(model).values(squares=cast(squares, Float)).execution_options(synchronize_session=False))
    for row in db.session.scalars(select(model).execution_options(populate_existing=True)):
        _store(row, Tally(row.reviews, row.mean, row.squares))
    db.session.flush()
