"""The demo data ``make run`` seeds: the real Fall posting, open today, with people and hours in it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from portal.demo import posting
from portal.extensions import db
from portal.models import (
    Application,
    ApplicationStatus,
    Placement,
    Program,
    Review,
    Role,
    Score,
    TimesheetEntry,
    TimesheetWeek,
    User,
    WeekStatus,
)
from portal.rules.program_states import Action
from portal.rules.weeks import week_monday
from portal.services import ordered_items
from portal.services.audit import record_event
from portal.services.program_lifecycle import NewProgramValues, change_state, create_program
from portal.services.program_settings import PostingValues, update_posting
from portal.services.questions import add_question, save_answers
from portal.services.review_statistics import review_changed
from portal.services.rubric import RUBRIC
from portal.services.self_identification import save_self_identification
from portal.services.staff import set_self_identification_report

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

# What the demo applicants wrote, by question key; each applicant takes every answer list's next entry.
DEMO_ANSWERS: dict[str, tuple] = {
    "why_this_internship": (
        "I organise tenants in my building and want to learn how unions use online tools to win campaigns.",
        "I run my college's labor club's social media and want to learn to plan real trainings and events.",
        "After volunteering on a local council race I want to learn the digital side of organizing.",
    ),
    "current_events": (
        "I read two local papers every morning and follow labor reporters; I post a weekly news thread.",
        "Podcasts on my commute, newsletters from unions, and I share the best pieces with my group chat.",
    ),
    "organised_deadlines": (
        "I planned a 200-person teach-in in three weeks with a shared calendar and daily check-ins.",
        "During finals I kept a part-time job and a campaign shift by planning each week on Sunday.",
    ),
    "bold_idea": (
        "I proposed a text-message phone bank when our door knocking stalled; it tripled our turnout.",
        "I started a zine about workers on our campus and handed it out at the dining hall.",
    ),
    "skills": (["Social media", "Writing"], ["Graphics", "Video editing"], ["Data", "Web development"]),
    "leadership": ("Treasurer of the student government.", "", "Captain of a neighbourhood clean-up crew."),
    "link_1": ("https://example.org/portfolio", "", ""),
    "heard_about": ("A friend who interned here", "Our school's career office", "Social media"),
    "accommodations": ("", "", "Interviews by video, please."),
}


# The demo applicants' voluntary self-identification, in APPLICANTS' order (None: skipped the section).
# Saved through the real, encrypted path; the report shows some counts as numbers and small ones as "<5".
DEMO_SELF_IDENTIFICATION: tuple[dict[str, str | list[str]] | None, ...] = tuple(
    None if row is None else dict(zip(("gender", "race", "lgbtq", "disability", "first_generation"), row, strict=True))
    for row in (
        ("woman", ["latine"], "no", "no", "yes"),
        ("man", ["black"], "no", "no", "yes"),
        ("woman", ["latine"], "yes", "no", "yes"),
        ("man", ["asian"], "no", "prefer_not_to_say", "no"),
        ("woman", ["black"], "no", "no", "yes"),
        ("non_binary", ["white"], "yes", "yes", "no"),
        ("woman", ["asian"], "no", "no", "no"),
        ("man", ["latine", "white"], "no", "no", "yes"),
        ("woman", ["asian"], "prefer_not_to_say", "no", "no"),
        None,
        ("woman", ["latine"], "no", "yes", "yes"),
        ("man", ["white"], "no", "no", "no"),
    )
)


def demo_answers(index: int) -> dict[str, str | list[str]]:
    """The ``index``-th demo applicant's answers to the demo program's questions."""
    return {key: answers[index % len(answers)] for key, answers in DEMO_ANSWERS.items()}


# Weekly approved hours of the demo intern, oldest first; two are short (under 15 h), and most months
# average over 25 h so the stipend statements show a tier being paid.
DEMO_WEEK_HOURS = (30, 32, 12, 35, 30, 14, 28)


def _new_password() -> str:
    return secrets.token_urlsafe(12)


def build_demo_program(today: date, admin: User) -> Program:
    """The Fall program from the real posting, open around ``today``, built as an admin builds one.

    Each step is the service behind an admin page (create, posting, rules, rubric, categories,
    questions, publish), so the demo passes the same checks and leaves the same audit trail.
    """
    applications_open, applications_close = today - timedelta(days=30), today + timedelta(days=60)
    window = dict(
        applications_open=applications_open,
        applications_close=applications_close,
        start_window_start=today,
        start_window_end=today + timedelta(days=90),
    )
    program = create_program(
        NewProgramValues(title=posting.TITLE, slug=DEMO_SLUG, organisation=posting.ORGANISATION, **window),
        actor=admin,
    )
    update_posting(
        program,
        PostingValues(
            title=posting.TITLE,
            slug=DEMO_SLUG,
            organisation=posting.ORGANISATION,
            location=posting.LOCATION,
            summary=posting.SUMMARY,
            body=posting.body(applications_open, applications_close),
            rolling=True,
            places=4,
            **window,
        ),
        actor=admin,
    )
    # The new draft already has the posting's stipend tiers and activity categories (the defaults).
    for name, required in posting.RUBRIC:
        ordered_items.add(RUBRIC, program, {"name": name, "description": "", "required": required}, actor=admin)
    for definition in posting.QUESTIONS:
        add_question(program, **definition, actor=admin)
    change_state(program, Action.PUBLISH, actor=admin, today=today)
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

    people, seed_logins = {}, []
    for role, name in (
        (Role.ADMIN, "Demo Admin"),
        (Role.SUPERVISOR, "Demo Supervisor"),
        (Role.INTERN, "Maria Delgado"),
    ):
        password = _new_password()
        email = f"{role.value}@{DEMO_DOMAIN}"
        people[role] = _user(email, role, name, password)
        seed_logins.append((role.value, email, password))
    db.session.add_all(people.values())
    db.session.flush()
    program = build_demo_program(today, people[Role.ADMIN])
    program.reviewers.append(people[Role.SUPERVISOR])
    program.supervisors.append(people[Role.SUPERVISOR])
    seed = DemoSeed(program=program, logins=seed_logins)

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
            submitted_at=submitted,
        )
        applications.append(application)
    db.session.add_all(applications)
    questions = program.active_questions()
    for index, application in enumerate(applications):
        save_answers(application, questions, demo_answers(index))
        save_self_identification(application, DEMO_SELF_IDENTIFICATION[index] or {})
    db.session.flush()  # the audit events below name the applications by id
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
            review_changed(review)

    _seed_placement(program, applications[0], people[Role.INTERN], people[Role.SUPERVISOR], today)
    # The demo admin may see the self-identification report (an organisation grants it person by person).
    set_self_identification_report(people[Role.ADMIN], True, actor=None, actor_label="seed-demo")
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
