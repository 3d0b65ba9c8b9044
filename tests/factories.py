"""factory-boy factories for every model; rows are committed so requests (own sessions) see them."""

from __future__ import annotations

import functools
from datetime import date, timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    ActivityCategory,
    Application,
    ApplicationAnswer,
    ApplicationQuestion,
    ApplicationStatus,
    AuditEvent,
    Concern,
    ConcernKind,
    HoursStatement,
    OutboxMessage,
    Placement,
    Program,
    ProgramState,
    QuestionKind,
    ReminderLog,
    Resume,
    Review,
    Role,
    RubricCriterion,
    Score,
    SelfIdentification,
    StipendTierSetting,
    TimesheetEntry,
    TimesheetWeek,
    TokenPurpose,
    User,
    UserToken,
)
from portal.rules.weeks import week_monday
from portal.services.review_statistics import review_changed

TEST_PASSWORD = "correct horse battery staple"


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class ProgramFactory(BaseFactory):
    class Meta:
        model = Program

    slug = factory.Sequence(lambda n: f"program-{n}")
    title = factory.Sequence(lambda n: f"Fall Internship {n}")
    organisation = "Organizing 2.0"
    location = "New York, NY"
    summary = "An internship in digital organizing."
    body = (
        "## What you will learn\n\n- How to plan events\n- Online marketing\n\n"
        "## What we require\n\n- Knowledge of current events"
    )
    state = ProgramState.PUBLISHED
    published_at = factory.LazyFunction(utcnow)
    applications_open = factory.LazyFunction(lambda: date.today() - timedelta(days=30))
    applications_close = factory.LazyFunction(lambda: date.today() + timedelta(days=30))
    start_window_start = factory.LazyFunction(lambda: date.today())
    start_window_end = factory.LazyFunction(lambda: date.today() + timedelta(days=60))
    places = 3


class StipendTierFactory(BaseFactory):
    class Meta:
        model = StipendTierSetting

    program = factory.SubFactory(ProgramFactory)
    min_average_minutes = 25 * 60
    monthly_cents = 50_000


class ActivityCategoryFactory(BaseFactory):
    class Meta:
        model = ActivityCategory

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Category {n}")
    is_learning = True
    position = factory.Sequence(int)


class RubricCriterionFactory(BaseFactory):
    class Meta:
        model = RubricCriterion

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    position = factory.Sequence(int)


class ApplicationQuestionFactory(BaseFactory):
    class Meta:
        model = ApplicationQuestion

    program = factory.SubFactory(ProgramFactory)
    key = factory.Sequence(lambda n: f"question_{n}")
    kind = QuestionKind.LONG_TEXT
    label = factory.Sequence(lambda n: f"Question {n}?")
    position = factory.Sequence(int)


def add_demo_questions(program: Program) -> dict[str, ApplicationQuestion]:
    """The demo program's eleven questions (portal.demo.posting.QUESTIONS) on ``program``, by key."""
    from portal.demo.posting import QUESTIONS

    return {
        spec["key"]: ApplicationQuestionFactory(
            program=program, position=position, **{**spec, "kind": QuestionKind(spec["kind"])}
        )
        for position, spec in enumerate(QUESTIONS)
    }


def hash_password(password: str) -> str:
    """A real argon2 hash of ``password``, made by ``User.set_password`` with the production parameters."""
    user = User(email="x@example.org", role=Role.INTERN)
    user.set_password(password)
    return user.password_hash


@functools.cache
def hashed_test_password() -> str:
    """The hash of ``TEST_PASSWORD``, made once per run: every factory user shares it (argon2 is slow on purpose)."""
    return hash_password(TEST_PASSWORD)


class UserFactory(BaseFactory):
    """A user who signs in with ``TEST_PASSWORD``; ``password="..."`` hashes another one for this user alone."""

    class Meta:
        model = User

    class Params:
        password = TEST_PASSWORD

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    role = Role.SUPERVISOR
    password_hash = factory.LazyAttribute(
        lambda o: hashed_test_password() if o.password == TEST_PASSWORD else hash_password(o.password)
    )


class AdminFactory(UserFactory):
    role = Role.ADMIN


class InternFactory(UserFactory):
    role = Role.INTERN


class ApplicationFactory(BaseFactory):
    class Meta:
        model = Application

    program = factory.SubFactory(ProgramFactory)
    full_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"applicant{n}@example.org")
    city = "New York"
    school = "Hunter College"
    major = "Sociology"
    hours_per_week = 20
    earliest_start = factory.LazyFunction(date.today)
    weeks_available = 12
    status = ApplicationStatus.SUBMITTED


class ApplicationAnswerFactory(BaseFactory):
    """An answer; give ``text`` (text, link, yes/no, one choice) or ``choices`` (several choices)."""

    class Meta:
        model = ApplicationAnswer

    application = factory.SubFactory(ApplicationFactory)
    question = factory.SubFactory(ApplicationQuestionFactory, program=factory.SelfAttribute("..application.program"))
    text = ""
    choices = factory.LazyFunction(list)


class ResumeFactory(BaseFactory):
    class Meta:
        model = Resume

    application = factory.SubFactory(ApplicationFactory)
    stored_name = factory.Sequence(lambda n: f"{n:032x}.pdf")
    original_name = "resume.pdf"
    content_type = "application/pdf"
    size_bytes = 1024
    sha256 = "0" * 64


class SelfIdentificationFactory(BaseFactory):
    class Meta:
        model = SelfIdentification

    application = factory.SubFactory(ApplicationFactory)
    program_id = factory.SelfAttribute("application.program_id")
    ciphertext = b"not-really-encrypted"


def _keep_figures(review: Review) -> None:
    """The queue's stored figures follow a review written here, as the review service keeps them."""
    review_changed(review)
    db.session.commit()


class ReviewFactory(BaseFactory):
    class Meta:
        model = Review

    application = factory.SubFactory(ApplicationFactory)
    reviewer = factory.SubFactory(UserFactory)

    @factory.post_generation
    def figures(obj, create, extracted, **kwargs):  # noqa: N805 (factory_boy passes the object)
        if create:
            _keep_figures(obj)


class ScoreFactory(BaseFactory):
    class Meta:
        model = Score

    review = factory.SubFactory(ReviewFactory)
    criterion = factory.SubFactory(
        RubricCriterionFactory, program=factory.SelfAttribute("..review.application.program")
    )
    value = 3

    @factory.post_generation
    def figures(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            _keep_figures(obj.review)


class PlacementFactory(BaseFactory):
    class Meta:
        model = Placement

    application = factory.SubFactory(ApplicationFactory, status=ApplicationStatus.ACCEPTED)
    program = factory.SelfAttribute("application.program")
    intern = factory.SubFactory(InternFactory)
    supervisor = factory.SubFactory(UserFactory)
    start_date = factory.LazyFunction(lambda: week_monday(date.today()) - timedelta(weeks=4))
    committed_minutes_per_week = 20 * 60


class TimesheetWeekFactory(BaseFactory):
    class Meta:
        model = TimesheetWeek

    placement = factory.SubFactory(PlacementFactory)
    week_start = factory.LazyAttribute(lambda o: week_monday(o.placement.start_date))


class TimesheetEntryFactory(BaseFactory):
    class Meta:
        model = TimesheetEntry

    week = factory.SubFactory(TimesheetWeekFactory)
    work_date = factory.LazyAttribute(lambda o: o.week.week_start)
    minutes = 180
    category = factory.SubFactory(ActivityCategoryFactory, program=factory.SelfAttribute("..week.placement.program"))


class OutboxMessageFactory(BaseFactory):
    class Meta:
        model = OutboxMessage

    recipient = factory.Sequence(lambda n: f"person{n}@example.org")
    subject = "Hello"
    text_body = "Hello there."


class AuditEventFactory(BaseFactory):
    class Meta:
        model = AuditEvent

    action = "application.status_changed"
    target_type = "application"
    target_id = 1
    actor_label = "system"


class UserTokenFactory(BaseFactory):
    class Meta:
        model = UserToken

    user = factory.SubFactory(InternFactory)
    purpose = TokenPurpose.INVITATION
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: utcnow() + timedelta(days=7))


class ConcernFactory(BaseFactory):
    class Meta:
        model = Concern

    placement = factory.SubFactory(PlacementFactory)
    raised_by = factory.SelfAttribute("placement.intern")
    kind = ConcernKind.NOT_LEARNING
    details = "I have only been making copies."


class ReminderLogFactory(BaseFactory):
    class Meta:
        model = ReminderLog

    user = factory.SubFactory(InternFactory)
    reason = "timesheet_missing"
    week_start = factory.LazyFunction(lambda: week_monday(date.today()))


class HoursStatementFactory(BaseFactory):
    class Meta:
        model = HoursStatement

    placement = factory.SubFactory(PlacementFactory)
    figures = factory.LazyFunction(lambda: {"total_minutes": 0})
