"""The command-line tasks a new user runs: init-db, seed-demo, create-user."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.demo import posting
from portal.extensions import db
from portal.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    Placement,
    Program,
    ProgramState,
    Role,
    TimesheetWeek,
    User,
    WeekStatus,
)
from portal.rules.weeks import is_short_week
from portal.services.demo import DEMO_SLUG


def test_seed_demo_builds_the_fall_program_from_the_real_posting(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    program = db.session.scalar(select(Program).where(Program.slug == DEMO_SLUG))
    assert program.title == "Organizing 2.0 Fall Internship"
    assert "No fetching coffee or photocopying" in program.body
    assert "Undocumented" in program.body
    assert "will not be performing the job of a paid staff person" in program.body
    assert program.state == ProgramState.PUBLISHED and program.published_at is not None
    assert [t.monthly_cents for t in program.stipend_tiers] == [0, 50_000, 75_000, 100_000]
    assert any(not c.is_learning for c in program.categories) and any(c.is_learning for c in program.categories)
    assert len(program.active_rubric()) >= 5
    assert [q.key for q in program.active_questions()][:2] == ["why_this_internship", "current_events"]
    # "Open now so the demo works any day".
    from datetime import date

    assert program.applications_open <= date.today() <= program.applications_close


def test_seed_demo_builds_the_program_through_the_admin_services(app):
    """The demo passes the checks an admin's program passes, and leaves the audit trail an admin leaves."""
    app.test_cli_runner().invoke(args=["seed-demo"])
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN))
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_id == admin.id, AuditEvent.target_type != "application")
        .order_by(AuditEvent.id)
    ).all()
    assert actions[0] == "program.created" and actions[-1] == "program.published"
    assert "program.posting_changed" in actions
    assert actions.count("rubric.criterion_added") == len(posting.RUBRIC)
    assert actions.count("question.added") == len(posting.QUESTIONS)


def test_every_demo_applicant_answered_the_required_questions(app):
    app.test_cli_runner().invoke(args=["seed-demo"])
    program = db.session.scalar(select(Program).where(Program.slug == DEMO_SLUG))
    required = {q.id for q in program.active_questions() if q.required}
    applications = db.session.scalars(select(Application)).all()
    assert required and applications
    for application in applications:
        answered = {answer.question_id for answer in application.answers if not answer.is_empty}
        assert required <= answered, application.full_name


def test_seed_demo_prints_each_login_once_and_the_passwords_work(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    logins = [line.split() for line in first.output.splitlines() if "@" in line]
    assert {row[0] for row in logins} == {"admin", "supervisor", "intern"}
    for role, email, password in logins:
        user = User.by_email(email)
        assert user.role == Role(role)
        assert user.check_password(password)

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert "already present" in second.output
    assert not any(password in second.output for _, _, password in logins)
    assert db.session.scalar(select(func.count()).select_from(Program)) == 1


def test_seed_demo_has_applications_in_every_state_and_hours_with_short_weeks(app):
    app.test_cli_runner().invoke(args=["seed-demo"])
    statuses = db.session.scalars(select(Application.status)).all()
    assert len(statuses) >= 12
    assert set(statuses) == set(ApplicationStatus)
    placement = db.session.scalar(select(Placement))
    assert placement.intern.role == Role.INTERN and placement.stipend_eligible
    weeks = db.session.scalars(select(TimesheetWeek).order_by(TimesheetWeek.week_start)).all()
    approved = [w for w in weeks if w.status == WeekStatus.APPROVED]
    rules = placement.program.rules()
    assert len(approved) >= 4
    assert sum(is_short_week(w.total_minutes, rules) for w in approved) >= 2
    assert any(w.status == WeekStatus.SUBMITTED for w in weeks)


def test_create_user_with_password_option(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "Coordinator@Example.org", "--role", "supervisor", "--password", "a-long-password-123"]
    )
    assert result.exit_code == 0, result.output
    user = User.by_email("coordinator@example.org")
    assert user.role == Role.SUPERVISOR and user.check_password("a-long-password-123")


def test_create_user_prompts_for_the_password_when_omitted(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "admin2@example.org", "--role", "admin"],
        input="prompted-password-1\nprompted-password-1\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    assert User.by_email("admin2@example.org").check_password("prompted-password-1")


def test_create_user_refuses_duplicates_and_short_passwords(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["create-user", "dup@example.org", "--role", "intern", "--password", "a-long-password-123"])
    again = runner.invoke(
        args=["create-user", "DUP@example.org", "--role", "intern", "--password", "a-long-password-123"]
    )
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(args=["create-user", "short@example.org", "--role", "intern", "--password", "short"])
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    assert User.by_email("short@example.org") is None


# --- create-user goes through accounts.create_account and the portal's one password rule --------------


def test_create_user_refuses_a_short_password_with_the_rules_message(app):
    from portal.rules.passwords import MIN_PASSWORD_LENGTH, password_problem

    short = "x" * (MIN_PASSWORD_LENGTH - 1)
    result = app.test_cli_runner().invoke(
        args=["create-user", "short@example.org", "--role", "supervisor", "--password", short]
    )
    assert result.exit_code != 0
    assert password_problem(short) == f"Use at least {MIN_PASSWORD_LENGTH} characters"
    assert f"Invalid value for --password: {password_problem(short)}" in result.output
    assert User.by_email("short@example.org") is None


def test_create_user_applies_the_same_rule_as_the_set_password_form(app):
    runner = app.test_cli_runner()
    for password, message in [
        (" " * 14, "Enter a new password, not only spaces"),
        ("Ada.Lovelace@Example.org", "Choose a password that is not your email address"),
        ("x" * 257, "Use at most 256 characters"),
    ]:
        result = runner.invoke(
            args=["create-user", "ada.lovelace@example.org", "--role", "intern", "--password", password]
        )
        assert result.exit_code != 0 and message in result.output, (password, result.output)
    assert User.by_email("ada.lovelace@example.org") is None


def test_create_user_refuses_a_taken_email_and_keeps_the_first_account(app):
    runner = app.test_cli_runner()
    first = runner.invoke(
        args=["create-user", "dup@example.org", "--role", "admin", "--password", "first-password-123"]
    )
    assert first.exit_code == 0, first.output
    again = runner.invoke(
        args=["create-user", " DUP@Example.org ", "--role", "intern", "--password", "second-password-456"]
    )
    assert again.exit_code == 1
    assert "A user with the email dup@example.org already exists." in again.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    user = User.by_email("dup@example.org")
    assert user.role == Role.ADMIN and user.check_password("first-password-123")


def test_create_user_prints_the_account_and_audits_it(app):
    from portal.models import AuditEvent

    result = app.test_cli_runner().invoke(
        args=[
            "create-user", "Mentor@Example.org", "--role", "supervisor", "--name", "Rosa Parks",
            "--password", "a-long-password-123",
        ]
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Created supervisor mentor@example.org."
    user = User.by_email("mentor@example.org")
    assert user.full_name == "Rosa Parks" and user.role == Role.SUPERVISOR
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.created"))
    assert (event.target_id, event.actor_label, event.to_state) == (user.id, "flask create-user", "supervisor")
