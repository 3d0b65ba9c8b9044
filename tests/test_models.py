"""The schema's own guarantees: constraints hold in the database, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from factories import (
    ActivityCategoryFactory,
    ApplicationFactory,
    PlacementFactory,
    ProgramFactory,
    ReviewFactory,
    RubricCriterionFactory,
    ScoreFactory,
    TimesheetEntryFactory,
    TimesheetWeekFactory,
    UserFactory,
)
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Application, ApplicationStatus, Role, Score, TimesheetEntry, TimesheetWeek, User


def expect_integrity_error(statement: str, **params) -> None:
    with pytest.raises(IntegrityError):
        with db.engine.begin() as connection:
            connection.execute(text(statement), params)


def test_foreign_keys_are_enforced(app):
    expect_integrity_error(
        "INSERT INTO applications (program_id, status, status_token_hash, version, full_name, email, hours_per_week, "
        "weeks_available, submitted_at, updated_at, not_student, wants_credit, seeks_stipend) "
        "VALUES (9999, 'submitted', 'tok', 1, 'x', 'x@example.org', 20, 12, "
        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, false, false, false)"
    )


def test_one_timesheet_week_per_placement_and_monday(app):
    week = TimesheetWeekFactory()
    db.session.add(TimesheetWeek(placement_id=week.placement_id, week_start=week.week_start))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_one_score_per_reviewer_application_and_criterion(app):
    score = ScoreFactory()
    db.session.add(Score(review_id=score.review_id, criterion_id=score.criterion_id, value=4))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # A second review by the same reviewer of the same application is refused as well.
    review = score.review
    with pytest.raises(IntegrityError):
        ReviewFactory(application=review.application, reviewer=review.reviewer)


@pytest.mark.parametrize("minutes", [0, -5, 24 * 60 + 1])
def test_entry_minutes_must_lie_within_one_day(app, minutes):
    entry = TimesheetEntryFactory()
    db.session.add(
        TimesheetEntry(week_id=entry.week_id, work_date=entry.work_date, minutes=minutes, category_id=entry.category_id)
    )
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_a_whole_day_is_a_valid_entry(app):
    entry = TimesheetEntryFactory(minutes=24 * 60)
    assert entry.minutes == 1440


@pytest.mark.parametrize("value", [0, 6])
def test_scores_lie_between_one_and_five(app, value):
    with pytest.raises(IntegrityError):
        ScoreFactory(value=value)


def test_emails_are_unique_whatever_their_case(app):
    UserFactory(email="Organizer@Example.org")
    with pytest.raises(IntegrityError):
        UserFactory(email="organizer@EXAMPLE.ORG")
    db.session.rollback()
    assert User.by_email("ORGANIZER@example.org").email == "organizer@example.org"


def test_statuses_are_stored_as_readable_values_and_checked(app):
    application = ApplicationFactory(status=ApplicationStatus.IN_REVIEW)
    stored = db.session.execute(text("SELECT status FROM applications WHERE id = :id"), {"id": application.id})
    assert stored.scalar() == "in_review"
    expect_integrity_error("UPDATE applications SET status = 'hired' WHERE id = :id", id=application.id)


def test_passwords_are_hashed_with_argon2id(app):
    user = UserFactory()
    user.set_password("a long enough password")
    assert user.password_hash.startswith("$argon2id$")
    assert user.check_password("a long enough password")
    assert not user.check_password("wrong password")
    assert not User(email="new@example.org", role=Role.INTERN).check_password("anything")


def test_ending_sessions_changes_the_login_identity(app):
    user = UserFactory()
    before = user.get_id()
    user.end_sessions()
    db.session.commit()
    assert user.get_id() != before
    assert User.from_session_token(before) is None
    assert User.from_session_token(user.get_id()) == user


def test_times_come_back_as_utc_on_every_backend(app):
    application = ApplicationFactory()
    db.session.expire_all()
    fresh = db.session.get(Application, application.id)
    assert fresh.submitted_at.tzinfo == UTC


def test_status_tokens_are_long_and_only_their_hash_is_stored(app):
    first, second = ApplicationFactory(), ApplicationFactory()
    token = first.issue_status_token()
    assert len(token) >= 43  # 32 random bytes, URL-safe base64: 256 bits
    assert token != second.issue_status_token()
    db.session.commit()
    stored = db.session.execute(text("SELECT status_token_hash FROM applications")).scalars().all()
    assert token not in stored and all(len(value) == 64 for value in stored)


def test_one_active_application_per_email_and_program(app):
    first = ApplicationFactory(email="Ana@example.org")
    with pytest.raises(IntegrityError):
        ApplicationFactory(program=first.program, email="ana@example.org")
    db.session.rollback()
    first.status = ApplicationStatus.WITHDRAWN
    db.session.commit()
    again = ApplicationFactory(program=first.program, email="ana@example.org")  # after withdrawing: allowed
    assert again.id != first.id


def test_program_rules_carry_the_program_settings(app):
    program = ProgramFactory(min_week_minutes=10 * 60, min_weeks=8)
    program.stipend_tiers = []
    rules = program.rules()
    assert rules.min_week_minutes == 600
    assert rules.min_weeks == 8
    assert rules.start_window == (program.start_window_start, program.start_window_end)


def test_placement_and_review_permissions(app):
    placement = PlacementFactory()
    other_intern = UserFactory(role=Role.INTERN)
    admin = UserFactory(role=Role.ADMIN)
    assert placement.can_view(placement.intern)
    assert placement.can_view(placement.supervisor)
    assert not placement.can_view(other_intern)
    assert placement.can_approve(placement.supervisor)
    assert placement.can_approve(admin)
    assert not placement.can_approve(placement.intern)

    application = ApplicationFactory()
    reviewer, outsider = UserFactory(), UserFactory()
    application.program.reviewers.append(reviewer)
    db.session.commit()
    assert application.can_review(reviewer)
    assert not application.can_review(outsider)
    assert application.can_review(admin)


def test_deleting_an_application_removes_its_scores_but_not_the_program(app):
    score = ScoreFactory()
    application = score.review.application
    program_id = application.program_id
    db.session.execute(text("DELETE FROM applications WHERE id = :id"), {"id": application.id})
    db.session.commit()
    assert db.session.scalar(text("SELECT count(*) FROM scores")) == 0
    assert db.session.scalar(text("SELECT count(*) FROM programs WHERE id = :id"), {"id": program_id}) == 1


def test_factories_build_every_model(app):
    from factories import ConcernFactory, HoursStatementFactory, ReminderLogFactory, UserTokenFactory

    assert ConcernFactory().placement.intern_id
    assert len(HoursStatementFactory().code) == 14
    assert ReminderLogFactory().week_start.weekday() == 0
    assert UserTokenFactory().usable(datetime.now(UTC))
    entry = TimesheetEntryFactory()
    ActivityCategoryFactory(program=entry.week.placement.program)
    RubricCriterionFactory()
    assert entry.week.placement.start_date <= date.today() - timedelta(weeks=4) + timedelta(days=6)


def test_a_reminder_is_logged_once_per_person_week_and_reason(app):
    from factories import ReminderLogFactory

    first = ReminderLogFactory()
    with pytest.raises(IntegrityError):
        ReminderLogFactory(user=first.user, reason=first.reason, week_start=first.week_start)
