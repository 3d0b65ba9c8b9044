"""``flask purge``: applications of closed programs past their retention are erased (an anonymous row stays),
interns' timesheets and statements after INTERN_RECORDS_RETENTION_YEARS; a dry run lists and changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from factories import (
    ApplicationAnswerFactory,
    ApplicationFactory,
    HoursStatementFactory,
    InternFactory,
    PlacementFactory,
    ProgramFactory,
    SelfIdentificationFactory,
    TimesheetEntryFactory,
    TimesheetWeekFactory,
)
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Application,
    ApplicationAnswer,
    ApplicationStatus,
    AuditEvent,
    DataRequest,
    DataRequestKind,
    HoursStatement,
    Placement,
    ProgramState,
    SelfIdentification,
    TimesheetEntry,
    TimesheetWeek,
    User,
)

CLOSED_ON = date(2025, 9, 30)
DUE_ON = date(2026, 9, 30)  # 12 months (the default retention) after the close
LAST_CHANGE = datetime(2025, 9, 15, 12, 0, tzinfo=UTC)


def closed_program(**fields):
    defaults = dict(
        state=ProgramState.CLOSED,
        applications_open=date(2025, 8, 1),
        applications_close=CLOSED_ON,
        start_window_start=date(2025, 9, 1),
        start_window_end=date(2025, 10, 31),
    )
    return ProgramFactory(**{**defaults, **fields})


def application_in(program, status=ApplicationStatus.DECLINED, **fields):
    fields.setdefault("updated_at", LAST_CHANGE)
    fields.setdefault("submitted_at", datetime(2025, 8, 20, tzinfo=UTC))
    return ApplicationFactory(program=program, status=status, full_name="Rosa Canary", **fields)


def run(app, *args: str):
    result = app.test_cli_runner().invoke(args=["purge", *args])
    db.session.expire_all()
    return result


def fresh(application) -> Application:
    return db.session.get(Application, application.id)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_dry_run_lists_the_counts_per_program_and_changes_nothing(app):
    program = closed_program(title="Fall 2025", slug="fall-2025")
    declined = application_in(program)
    application_in(program, ApplicationStatus.WITHDRAWN)
    SelfIdentificationFactory(application=declined)

    result = run(app, "--dry-run", "--today", DUE_ON.isoformat())

    assert result.exit_code == 0, result.output
    assert "Fall 2025 (fall-2025): would erase 2 applications (1 declined, 1 withdrawn)" in result.output
    assert "Dry run: nothing was changed." in result.output
    assert "Rosa" not in result.output and "example.org" not in result.output
    assert fresh(declined).full_name == "Rosa Canary" and fresh(declined).data_deleted_at is None
    assert count(SelfIdentification) == 1
    assert count(DataRequest) == 0


def test_a_declined_application_past_retention_is_erased_and_its_anonymous_row_keeps_status_and_program(app):
    program = closed_program()
    declined = application_in(program, phone="212 555 0100", school="Hunter College")
    ApplicationAnswerFactory(application=declined, text="I heard about it from a friend")
    SelfIdentificationFactory(application=declined)

    result = run(app, "--today", DUE_ON.isoformat())

    assert result.exit_code == 0, result.output
    assert "erased 1 application (1 declined)" in result.output
    row = fresh(declined)
    assert (row.full_name, row.email, row.phone, row.school) == ("", "", "", "")
    assert row.data_deleted_at is not None
    assert (row.status, row.program_id) == (ApplicationStatus.DECLINED, program.id)
    assert row.submitted_at.date() == date(2025, 8, 20)
    assert count(ApplicationAnswer) == 0 and count(SelfIdentification) == 0


def test_applications_within_retention_or_of_an_open_program_stay(app):
    closed = closed_program()
    recent = application_in(closed)
    changed_later = application_in(closed, updated_at=datetime(2025, 11, 1, tzinfo=UTC))
    still_open = ProgramFactory(applications_open=date(2025, 8, 1), applications_close=date(2026, 12, 31))
    open_one = application_in(still_open)

    day_before = run(app, "--today", "2026-09-29")
    assert "Nothing is due for purging on 2026-09-29." in day_before.output
    assert fresh(recent).full_name == "Rosa Canary"

    run(app, "--today", DUE_ON.isoformat())
    assert fresh(recent).data_deleted_at is not None
    assert fresh(changed_later).full_name == "Rosa Canary"  # its 12 months run from 1 November
    assert fresh(open_one).full_name == "Rosa Canary"


def test_accepted_applications_are_never_purged(app):
    program = closed_program()
    accepted = application_in(program, ApplicationStatus.ACCEPTED)

    result = run(app, "--today", "2040-01-01")

    assert "Nothing is due" in result.output
    assert fresh(accepted).full_name == "Rosa Canary" and fresh(accepted).data_deleted_at is None


def test_a_second_run_does_nothing(app):
    program = closed_program()
    application_in(program)
    first = run(app, "--today", DUE_ON.isoformat())
    assert "erased 1 application" in first.output

    second = run(app, "--today", "2026-10-01")

    assert "Nothing is due for purging on 2026-10-01." in second.output
    assert count(DataRequest) == 1
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "retention.purged")) == 1


def test_one_data_request_per_program_purged_with_its_count_and_one_audit_event_with_counts_only(app):
    fall = closed_program(title="Fall 2025", slug="fall-2025")
    spring = closed_program(title="Spring 2025", slug="spring-2025")
    for status in (ApplicationStatus.DECLINED, ApplicationStatus.WITHDRAWN, ApplicationStatus.SUBMITTED):
        application_in(fall, status)
    application_in(spring, ApplicationStatus.WAITLISTED)

    run(app, "--today", DUE_ON.isoformat())

    rows = db.session.scalars(select(DataRequest).order_by(DataRequest.application_count)).all()
    assert [(r.kind, r.program_id, r.application_count, r.actor_label) for r in rows] == [
        (DataRequestKind.PURGE, spring.id, 1, "system"),
        (DataRequestKind.PURGE, fall.id, 3, "system"),
    ]
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.purged")).all()
    assert event.details["applications"] == 4 and event.details["programs"] == 2
    assert "Rosa" not in str(event.details)


def test_a_failure_part_way_changes_nothing(app, monkeypatch):
    program = closed_program()
    first, second = application_in(program), application_in(program)
    from portal.services import retention

    real_erase = retention.erase_personal_data

    def erase_then_fail(application):
        real_erase(application)
        if application.id == second.id:
            raise RuntimeError("disk full")

    monkeypatch.setattr(retention, "erase_personal_data", erase_then_fail)

    result = run(app, "--today", DUE_ON.isoformat())

    assert result.exit_code != 0
    assert fresh(first).full_name == "Rosa Canary" and fresh(first).data_deleted_at is None
    assert count(DataRequest) == 0


# --- interns' timesheets and hours statements ---------------------------------------------------


@pytest.fixture
def ended_placement(app):
    """A placement that ended on 12 December 2025, with a week of hours and an issued statement."""
    program = closed_program()
    placement = PlacementFactory(
        program=program,
        application__program=program,
        start_date=date(2025, 9, 15),
        end_date=date(2025, 12, 12),
    )
    week = TimesheetWeekFactory(placement=placement, week_start=date(2025, 9, 15))
    TimesheetEntryFactory(week=week, note="Phone bank with Rosa")
    TimesheetEntryFactory(week=week, work_date=date(2025, 9, 16))
    HoursStatementFactory(placement=placement)
    return placement


def test_interns_records_stay_until_three_years_after_the_placement_ends(app, ended_placement):
    result = run(app, "--today", "2028-12-11")

    assert "Nothing is due" in result.output
    assert count(TimesheetWeek) == 1 and count(TimesheetEntry) == 2 and count(HoursStatement) == 1
    assert db.session.get(User, ended_placement.intern_id).active


def test_interns_records_go_three_years_after_the_placement_ends_and_the_account_is_deactivated(app, ended_placement):
    dry = run(app, "--dry-run", "--today", "2028-12-12")
    assert "would delete the records of 1 intern (1 timesheet week, 2 entries, 1 hours statement)" in dry.output
    assert count(TimesheetEntry) == 2

    result = run(app, "--today", "2028-12-12")

    assert result.exit_code == 0, result.output
    assert "deleted the records of 1 intern" in result.output
    assert "1 intern account was deactivated." in result.output
    assert count(TimesheetWeek) == 0 and count(TimesheetEntry) == 0 and count(HoursStatement) == 0
    placement = db.session.get(Placement, ended_placement.id)
    assert placement.end_date == date(2025, 12, 12)  # the placement row stays for the reports
    assert not db.session.get(User, ended_placement.intern_id).active
    assert "Nothing is due" in run(app, "--today", "2028-12-13").output


@pytest.mark.app_config(INTERN_RECORDS_RETENTION_YEARS=5)
def test_the_interns_retention_is_a_setting(app, ended_placement):
    assert "Nothing is due" in run(app, "--today", "2028-12-12").output
    assert "deleted the records of 1 intern" in run(app, "--today", "2030-12-12").output


def test_an_intern_with_a_current_placement_keeps_their_account(app, ended_placement):
    intern = db.session.get(User, ended_placement.intern_id)
    PlacementFactory(intern=intern, start_date=date(2028, 9, 4))

    run(app, "--today", "2028-12-12")

    assert count(TimesheetWeek) == 0
    assert db.session.get(User, intern.id).active


def test_an_intern_placement_without_an_end_keeps_its_records(app):
    placement = PlacementFactory(start_date=date(2025, 9, 15), intern=InternFactory())
    TimesheetEntryFactory(week=TimesheetWeekFactory(placement=placement, week_start=date(2025, 9, 15)))

    assert "Nothing is due" in run(app, "--today", "2040-01-01").output
    assert count(TimesheetEntry) == 1


# --- the canary: nothing of a purged application stays anywhere ----------------------------------


def test_after_flask_purge_past_retention_a_declined_canary_application_is_nowhere(
    app, program, supervisor, admin, today, caplog
):
    from canary_support import assert_canary_gone, assert_canary_present, plant_canary

    canary = plant_canary(program, today=today, reviewer=supervisor, admin=admin)
    program.state = ProgramState.CLOSED
    db.session.commit()
    program_id = program.id
    assert_canary_present(canary, app)
    after_retention = date(today.year + 3, 1, 1)  # past the close (in 30 days) and 12 months

    result = run(app, "--today", after_retention.isoformat())

    assert result.exit_code == 0, result.output
    assert "erased 1 application (1 declined)" in result.output
    assert_canary_gone(canary, app, caplog=caplog)
    row = db.session.get(Application, canary.application_id)
    assert (row.status, row.program_id) == (ApplicationStatus.DECLINED, program_id)
