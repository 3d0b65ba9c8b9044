"""The demo data ``make run`` seeds: the real Fall posting, open today, with people and hours in it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from portal.demo import posting
from portal.extensions import db
from portal.models import (
    ActivityCategory,
    Application,
    ApplicationStatus,
    Placement,
    Program,
    Review,
    Role,
    RubricCriterion,
    Score,
    StipendTierSetting,
    TimesheetEntry,
    TimesheetWeek,
    User,
    WeekStatus,
)
from portal.rules.weeks import week_monday
from portal.services.audit import record_event

DEMO_SLUG = "organizing-2-0-fall-internship"
DEMO_DOMAIN = "demo.example.org"


@dataclass
class DemoSeed:
    program: Program
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role, email, password)


# (name, email local part, hours a week, weeks, seeks stipend, wants credit, status, school)
APPLICANTS = (
    ("Maria Delgado", "maria", 25, 14, True, True, ApplicationStatus.ACCEPTED, "Hunter College"),
    ("Jamal Carter", "jamal", 20, 12, False, True, ApplicationStatus.SUBMITTED, "Brooklyn College"),
    ("Ana Lucía Reyes", "ana", 30, 16, True, False, ApplicationStatus.SUBMITTED, ""),
    ("Wei Chen", "wei", 15, 12, False, True, ApplicationStatus.IN_REVIEW, "NYU"),
    ("Fatima Bello", "fatima", 35, 12, True, True, ApplicationStatus.IN_REVIEW, "City College of New York"),
    ("Sam O'Neill", "sam", 18, 13, False, False, ApplicationStatus.INTERVIEW, "The New School"),
    ("Priya Raman", "priya", 25, 12, True, True, ApplicationStatus.INTERVIEW, "Columbia University"),
    ("Diego Morales", "diego", 40, 20, True, False, ApplicationStatus.WAITLISTED, ""),
    ("Hannah Kim", "hannah", 16, 12, False, True, ApplicationStatus.DECLINED, "Baruch College"),
    ("Kwame Asante", "kwame", 22, 12, False, True, ApplicationStatus.WITHDRAWN, "Lehman College"),
    ("Rosa Jiménez", "rosa", 28, 15, True, True, ApplicationStatus.SUBMITTED, "LaGuardia Community College"),
    ("Tomasz Nowak", "tomasz", 20, 12, False, False, ApplicationStatus.IN_REVIEW, ""),
)

# Weekly approved hours of the demo intern, oldest first; two are short (under 15 h), and most months
# average over 25 h so the stipend statements show a tier being paid.
DEMO_WEEK_HOURS = (30, 32, 12, 35, 30, 14, 28)


def _new_password() -> str:
    return secrets.token_urlsafe(12)


def build_demo_program(today: date) -> Program:
    """The Fall program from the real posting, with its window open around ``today``."""
    applications_open, applications_close = today - timedelta(days=30), today + timedelta(days=60)
    program = Program(
        slug=DEMO_SLUG,
        title=posting.TITLE,
        organisation=posting.ORGANISATION,
        location=posting.LOCATION,
        summary=posting.SUMMARY,
        about_organisation=posting.ABOUT_ORGANISATION,
        what_you_will_do=posting.WHAT_YOU_WILL_DO,
        what_you_will_learn=posting.WHAT_YOU_WILL_LEARN,
        requirements=posting.REQUIREMENTS,
        nice_to_have=posting.NICE_TO_HAVE,
        commitment=posting.commitment(applications_open, applications_close),
        stipend_text=posting.STIPEND_TEXT,
        school_credit_text=posting.SCHOOL_CREDIT_TEXT,
        diversity_statement=posting.DIVERSITY_STATEMENT,
        intern_rights=posting.INTERN_RIGHTS,
        how_to_apply=posting.HOW_TO_APPLY,
        applications_open=applications_open,
        applications_close=applications_close,
        start_window_start=today,
        start_window_end=today + timedelta(days=90),
        places=4,
    )
    program.stipend_tiers = [
        StipendTierSetting(min_average_minutes=m, monthly_cents=c) for m, c in posting.STIPEND_TIERS
    ]
    program.categories = [
        ActivityCategory(name=name, is_learning=learning, position=i)
        for i, (name, learning) in enumerate(posting.ACTIVITY_CATEGORIES)
    ]
    program.rubric = [
        RubricCriterion(name=name, required=required, position=i) for i, (name, required) in enumerate(posting.RUBRIC)
    ]
    return program


def _user(email: str, role: Role, name: str, password: str | None) -> User:
    user = User(email=email, role=role, full_name=name)
    if password:
        user.set_password(password)
    return user


def seed_demo(today: date | None = None) -> DemoSeed | None:
    """Create the demo program, users, applications and hours; ``None`` when it already exists.

    Runs on every ``make run``, so it must never touch existing data.
    """
    today = today or date.today()
    if db.session.scalar(select(Program.id).where(Program.slug == DEMO_SLUG)) is not None:
        return None

    program = build_demo_program(today)
    db.session.add(program)
    seed = DemoSeed(program=program)

    people = {}
    for role, name in (
        (Role.ADMIN, "Demo Admin"),
        (Role.SUPERVISOR, "Demo Supervisor"),
        (Role.INTERN, "Maria Delgado"),
    ):
        password = _new_password()
        email = f"{role.value}@{DEMO_DOMAIN}"
        people[role] = _user(email, role, name, password)
        seed.logins.append((role.value, email, password))
    db.session.add_all(people.values())
    program.reviewers.append(people[Role.SUPERVISOR])
    db.session.flush()

    applications = []
    for i, (name, local, hours, weeks, stipend, credit, status, school) in enumerate(APPLICANTS):
        submitted = datetime.combine(today - timedelta(days=40 - 2 * i), time(15, 30), tzinfo=UTC)
        application = Application(
            program=program,
            status=status,
            full_name=name,
            email=f"{local}@{DEMO_DOMAIN}",
            city="New York",
            school=school,
            not_student=not school,
            major="Labor studies" if school else "",
            wants_credit=credit and bool(school),
            hours_per_week=hours,
            earliest_start=today + timedelta(days=7),
            weeks_available=weeks,
            seeks_stipend=stipend,
            why_this_internship="I want to learn how digital tools can help workers organize and win.",
            current_events="I read the local labor press every morning and follow organizers on social media.",
            organised_deadlines="I coordinated a campus teach-in with three clubs in two weeks.",
            bold_idea="I proposed a text-message phone bank that doubled our turnout.",
            skills=["social media", "writing"] if i % 2 else ["graphics", "video editing"],
            submitted_at=submitted,
        )
        applications.append(application)
    db.session.add_all(applications)
    db.session.flush()
    for application in applications:
        if application.status != ApplicationStatus.SUBMITTED:
            record_event(
                "application.status_changed",
                target_type="application",
                target_id=application.id,
                actor=people[Role.SUPERVISOR] if application.status != ApplicationStatus.WITHDRAWN else None,
                actor_label="" if application.status != ApplicationStatus.WITHDRAWN else "applicant",
                from_state=ApplicationStatus.SUBMITTED.value,
                to_state=application.status.value,
                reason="demo data",
            )
        if application.status in (ApplicationStatus.ACCEPTED, ApplicationStatus.INTERVIEW, ApplicationStatus.DECLINED):
            review = Review(
                application=application,
                reviewer=people[Role.SUPERVISOR],
                comment="Strong written answers.",
                submitted_at=application.submitted_at + timedelta(days=3),
            )
            review.scores = [
                Score(criterion=criterion, value=5 - (application.id + criterion.position) % 3)
                for criterion in program.rubric
            ]
            db.session.add(review)

    _seed_placement(program, applications[0], people[Role.INTERN], people[Role.SUPERVISOR], today)
    return seed


def _seed_placement(program: Program, application: Application, intern: User, supervisor: User, today: date) -> None:
    """The demo intern's placement: several weeks of hours, two of them short, the last one waiting."""
    first_monday = week_monday(today) - timedelta(weeks=len(DEMO_WEEK_HOURS))
    placement = Placement(
        application=application,
        program=program,
        intern=intern,
        supervisor=supervisor,
        start_date=first_monday,
        committed_minutes_per_week=application.hours_per_week * 60,
        stipend_eligible=True,
    )
    db.session.add(placement)
    categories = program.categories
    for index, hours in enumerate(DEMO_WEEK_HOURS):
        monday = first_monday + timedelta(weeks=index)
        last = index == len(DEMO_WEEK_HOURS) - 1
        week = TimesheetWeek(
            placement=placement,
            week_start=monday,
            status=WeekStatus.SUBMITTED if last else WeekStatus.APPROVED,
            submitted_at=datetime.combine(monday + timedelta(days=6), time(18), tzinfo=UTC),
            decided_at=None if last else datetime.combine(monday + timedelta(days=8), time(10), tzinfo=UTC),
            decided_by=None if last else supervisor,
        )
        minutes_left = round(hours * 60)
        day = 0
        while minutes_left > 0:
            chunk = min(minutes_left, 6 * 60)
            week.entries.append(
                TimesheetEntry(
                    work_date=monday + timedelta(days=day),
                    minutes=chunk,
                    category=categories[(index + day) % len(categories)],
                    note="Demo entry",
                )
            )
            minutes_left -= chunk
            day += 1
        db.session.add(week)
