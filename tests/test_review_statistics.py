"""The review queue's stored figures equal ``portal.rules.scores.fair_scores``, per program, on random data.

Random reviewers score, revise, clear and erase through the services (``submit_review``,
``erase_personal_data``); after each run every stored figure (each application's count, raw mean, mean z and
normalised score, each reviewer's count, mean, spread and habits per program, each program's pool) is compared
with the pure functions, then ``recompute_all`` must give the same figures again. Both databases.
"""

from __future__ import annotations

import math

import pytest
from click.testing import CliRunner
from factories import ApplicationFactory, ProgramFactory, RubricCriterionFactory, UserFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.extensions import db
from portal.models import Application, Review, ReviewerStatistics, ReviewFigure, Score, ScorePool
from portal.rules.scores import ReviewScore, Scale, counts_by_own_habits, fair_scores, normalised_score, review_score
from portal.services.applications import erase_personal_data
from portal.services.review_statistics import recompute_all
from portal.services.reviews import CriterionScore, submit_review

PROGRAMS, REVIEWERS, CRITERIA = 2, 3, 2

# One step: (roll, application, reviewer, values). A roll of 0 erases the application's data, 1 clears the
# reviewer's review of it (no values: it stops counting); otherwise the reviewer scores it (again: a revision).
steps_strategy = st.lists(
    st.tuples(
        st.integers(0, 11),
        st.integers(0, 7),  # which application (modulo how many there are)
        st.integers(0, REVIEWERS - 1),
        st.lists(st.integers(1, 5), min_size=1, max_size=CRITERIA),
    ),
    min_size=4,
    max_size=40,
)


def close(stored: float | None, expected: float | None) -> bool:
    if stored is None or expected is None:
        return stored is expected
    return math.isclose(stored, expected, rel_tol=1e-9, abs_tol=1e-9)


@pytest.fixture
def world(app):
    programs = [ProgramFactory() for _ in range(PROGRAMS)]
    criteria = {program.id: [RubricCriterionFactory(program=program) for _ in range(CRITERIA)] for program in programs}
    reviewers = [UserFactory() for _ in range(REVIEWERS)]
    return programs, criteria, reviewers


def expected_figures(program_id: int):
    """``fair_scores`` of the program's counted reviews, and the scores per reviewer and in the pool."""
    rows = db.session.execute(
        select(Review.application_id, Review.reviewer_id, Score.value)
        .join(Application, Application.id == Review.application_id)
        .join(Score, Score.review_id == Review.id)
        .where(
            Application.program_id == program_id,
            Application.data_deleted_at.is_(None),
            Review.submitted_at.is_not(None),
        )
    ).all()
    values: dict[tuple[int, int], list[int]] = {}
    for application_id, reviewer_id, value in rows:
        values.setdefault((application_id, reviewer_id), []).append(value)
    reviews = [ReviewScore(a, r, review_score(v)) for (a, r), v in values.items()]
    kept = db.session.scalars(
        select(Application.id).where(Application.program_id == program_id, Application.data_deleted_at.is_(None))
    ).all()
    by_reviewer: dict[int, list[float]] = {}
    for review in reviews:
        by_reviewer.setdefault(review.reviewer_id, []).append(review.score)
    return fair_scores(reviews, application_ids=kept), by_reviewer, [review.score for review in reviews]


def assert_stored_figures_match(programs) -> None:
    db.session.expire_all()
    for program in programs:
        fair, by_reviewer, pool_scores = expected_figures(program.id)
        pool = db.session.get(ScorePool, program.id)
        if pool_scores:
            expected_pool = Scale.of(pool_scores)
            assert pool.reviews == len(pool_scores)
            assert close(pool.mean, expected_pool.mean) and close(pool.std, expected_pool.std)
        else:
            assert pool is None
        stored_reviewers = {
            row.reviewer_id: row
            for row in db.session.scalars(select(ReviewerStatistics).where(ReviewerStatistics.program_id == program.id))
        }
        assert set(stored_reviewers) == set(by_reviewer)
        for reviewer_id, scores in by_reviewer.items():
            row, own = stored_reviewers[reviewer_id], Scale.of(scores)
            assert row.reviews == len(scores) and close(row.mean, own.mean) and close(row.std, own.std)
            assert row.normalising == counts_by_own_habits(len(scores), own.std)
        for application_id, expected in fair.items():
            application = db.session.get(Application, application_id)
            shown = normalised_score(Scale(pool.mean, pool.std), application.mean_z) if pool else None
            assert (application.review_count, application.scored) == (expected.reviews, expected.reviews > 0)
            assert close(application.raw_mean, expected.raw_mean), application_id
            assert close(application.mean_z, expected.mean_z), application_id
            assert close(shown, expected.normalised), application_id


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(applications_per_program=st.integers(1, 4), steps=steps_strategy)
def test_stored_figures_equal_the_rules_after_any_reviews_edits_and_erasures(world, applications_per_program, steps):
    programs, criteria, reviewers = world
    applications = [
        Application(program=program, full_name=f"Applicant {n}", email=f"a{n}-{program.id}@example.org")
        for program in programs
        for n in range(applications_per_program)
    ]
    db.session.add_all(applications)
    db.session.flush()
    try:
        for roll, index, reviewer, values in steps:
            application = applications[index % len(applications)]
            if application.data_deleted_at is not None:
                continue  # the review page is a 404 once the data is erased
            if roll == 0:
                erase_personal_data(application)
                continue
            scores = [
                CriterionScore(criterion.id, value)
                for criterion, value in zip(criteria[application.program_id], values if roll > 1 else [], strict=False)
            ]
            submit_review(application, reviewers[reviewer], scores, comment="")
        assert_stored_figures_match(programs)
        before = {a.id: (a.review_count, a.raw_mean, a.mean_z) for a in applications}
        recompute_all()
        assert_stored_figures_match(programs)
        for application in applications:
            count, raw_mean, mean_z = before[application.id]
            assert application.review_count == count
            assert close(application.raw_mean, raw_mean) and close(application.mean_z, mean_z)
    finally:
        db.session.rollback()


def test_recompute_fills_figures_for_reviews_loaded_in_bulk_and_is_idempotent(app, program, supervisor):
    """Rows inserted without the service (an import, the benchmark) get their figures from the command."""
    criterion = RubricCriterionFactory(program=program)
    strict, lenient = UserFactory(), UserFactory()
    applications = [ApplicationFactory(program=program) for _ in range(4)]
    for reviewer, values in ((strict, (1, 2, 3, 2)), (lenient, (5, 5, 4, 5))):
        for application, value in zip(applications, values, strict=True):
            review = Review(application=application, reviewer=reviewer, submitted_at=application.submitted_at)
            review.scores = [Score(criterion=criterion, value=value)]
            db.session.add(review)
    db.session.commit()
    assert db.session.scalar(select(ReviewFigure.review_id).limit(1)) is None  # nothing kept them yet

    result = CliRunner().invoke(app.cli, ["scores", "recompute"], catch_exceptions=False)
    assert result.exit_code == 0 and "4 scored applications recomputed" in result.output
    assert_stored_figures_match([program])
    first = [(a.review_count, a.raw_mean, a.mean_z) for a in applications]
    assert recompute_all() == 4
    db.session.commit()
    assert_stored_figures_match([program])
    assert [(a.review_count, a.raw_mean, a.mean_z) for a in applications] == first
    # Three raw means tie at 3.5; the third is the lenient reviewer's worst, so the fair score puts it after.
    assert [a.raw_mean for a in applications] == [3.0, 3.5, 3.5, 3.5]
    fair_order = sorted(applications, key=lambda a: (-a.mean_z, a.id))
    assert fair_order == [applications[1], applications[3], applications[2], applications[0]]
