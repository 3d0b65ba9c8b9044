"""`flask reminders send`: interns without a submitted timesheet last week, supervisors with weeks waiting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from factories import (
    InternFactory,
    PlacementFactory,
    ReminderLogFactory,
    TimesheetWeekFactory,
    UserFactory,
)
from sqlalchemy import select

from portal.extensions import db
from portal.models import OutboxMessage, ReminderLog, WeekStatus
from portal.services.reminders import send_reminders

TODAY = date(2026, 10, 14)  # a Wednesday
LAST_MONDAY = date(2026, 10, 5)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def placement(program, supervisor, email: str, **kwargs):
    return PlacementFactory(
        program=program,
        application__program=program,
        supervisor=supervisor,
        intern=InternFactory(email=email, full_name=email.split("@")[0].title()),
        start_date=kwargs.pop("start_date", date(2026, 9, 7)),
        **kwargs,
    )


def mail_to(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)))


def run(today: date = TODAY):
    report = send_reminders(today)
    db.session.commit()
    return report


def test_an_intern_without_a_submitted_timesheet_last_week_gets_one_email_a_week(program, supervisor):
    placement(program, supervisor, "ana@example.org")
    run()
    [mail] = mail_to("ana@example.org")
    assert "Please submit your timesheet for the week of Monday 5 October" in mail.subject
    assert "/hours/placements/" in mail.text_body and "/weeks/2026-10-05" in mail.text_body
    assert "If you did not work that week, submit it with no hours" in mail.text_body
    log = db.session.scalar(select(ReminderLog))
    assert (log.reason, log.week_start) == ("timesheet_missing", LAST_MONDAY)

    run()  # cron again the same day
    run(TODAY + timedelta(days=2))  # and later the same week
    assert len(mail_to("ana@example.org")) == 1

    run(TODAY + timedelta(days=7))  # next week: about another week
    assert len(mail_to("ana@example.org")) == 2


def test_interns_who_submitted_or_were_approved_get_nothing(program, supervisor):
    for email, status in (("sub@example.org", WeekStatus.SUBMITTED), ("ok@example.org", WeekStatus.APPROVED)):
        own = placement(program, supervisor, email)
        TimesheetWeekFactory(placement=own, week_start=LAST_MONDAY, status=status, submitted_at=at(LAST_MONDAY))
    draft = placement(program, supervisor, "draft@example.org")
    TimesheetWeekFactory(placement=draft, week_start=LAST_MONDAY, status=WeekStatus.DRAFT)
    returned = placement(program, supervisor, "back@example.org")
    TimesheetWeekFactory(placement=returned, week_start=LAST_MONDAY, status=WeekStatus.RETURNED)
    report = run()
    assert mail_to("sub@example.org") == [] and mail_to("ok@example.org") == []
    assert len(mail_to("draft@example.org")) == 1 and len(mail_to("back@example.org")) == 1
    assert sorted(report.interns) == ["back@example.org", "draft@example.org"]


def test_placements_not_active_last_week_get_nothing(program, supervisor):
    placement(program, supervisor, "later@example.org", start_date=TODAY)  # starts this week
    placement(program, supervisor, "ended@example.org", end_date=LAST_MONDAY - timedelta(days=1))
    placement(program, supervisor, "lastday@example.org", end_date=LAST_MONDAY)  # one day of last week counts
    run()
    assert mail_to("later@example.org") == [] and mail_to("ended@example.org") == []
    assert len(mail_to("lastday@example.org")) == 1


def test_an_earlier_log_row_means_no_second_email(program, supervisor):
    own = placement(program, supervisor, "ana@example.org")
    ReminderLogFactory(user=own.intern, reason="timesheet_missing", week_start=LAST_MONDAY)
    run()
    assert mail_to("ana@example.org") == []


def waiting_week(program, supervisor, email: str, submitted: datetime):
    own = placement(program, supervisor, email)
    TimesheetWeekFactory(placement=own, week_start=LAST_MONDAY, status=WeekStatus.SUBMITTED, submitted_at=submitted)
    return own


def test_a_supervisor_with_a_week_submitted_4_days_ago_gets_one_email(program, supervisor):
    waiting_week(program, supervisor, "ana@example.org", at(TODAY - timedelta(days=4)))
    run()
    [mail] = mail_to("sam@example.org")
    assert "1 timesheet is waiting for your approval" in mail.subject
    assert "Ana" in mail.text_body and "submitted 4 days ago" in mail.text_body
    assert "/hours/approvals" in mail.text_body
    run(TODAY + timedelta(days=1))
    assert len(mail_to("sam@example.org")) == 1  # at most once a week


def test_a_supervisor_with_a_week_submitted_2_days_ago_gets_nothing(program, supervisor):
    waiting_week(program, supervisor, "ana@example.org", at(TODAY - timedelta(days=2)))
    report = run()
    assert mail_to("sam@example.org") == [] and report.supervisors == []


def test_three_days_is_not_yet_more_than_three_days(program, supervisor):
    waiting_week(program, supervisor, "ana@example.org", at(TODAY - timedelta(days=3), hour=0))
    run()
    assert mail_to("sam@example.org") == []
    run(TODAY + timedelta(days=1))
    assert len(mail_to("sam@example.org")) == 1


def test_one_email_lists_every_waiting_week_of_the_supervisor(program, supervisor):
    waiting_week(program, supervisor, "ana@example.org", at(TODAY - timedelta(days=6)))
    waiting_week(program, supervisor, "ben@example.org", at(TODAY - timedelta(days=5)))
    other = UserFactory(email="other@example.org")
    waiting_week(program, other, "cleo@example.org", at(TODAY - timedelta(days=1)))
    run()
    [mail] = mail_to("sam@example.org")
    assert "2 timesheets are waiting" in mail.subject
    assert "Ana" in mail.text_body and "Ben" in mail.text_body and "Cleo" not in mail.text_body
    assert mail_to("other@example.org") == []


def test_the_command_sends_and_accepts_a_day(app, program, supervisor):
    placement(program, supervisor, "ana@example.org")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reminders", "send", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "1 intern reminder and 0 supervisor reminders queued." in result.output
    assert len(mail_to("ana@example.org")) == 1
    again = runner.invoke(args=["reminders", "send", "--today", TODAY.isoformat()])
    assert "0 intern reminders" in again.output
    assert len(mail_to("ana@example.org")) == 1
    bad = runner.invoke(args=["reminders", "send", "--today", "14/10/2026"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output
