"""The intern's week: entries with the caps and date rules, submit, return, resubmit, approve, lock, reopen."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from factories import (
    ActivityCategoryFactory,
    AdminFactory,
    InternFactory,
    PlacementFactory,
    TimesheetEntryFactory,
    TimesheetWeekFactory,
    UserFactory,
)
from session_support import sign_in
from sqlalchemy import event, func, select

from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditEvent, OutboxMessage, TimesheetEntry, TimesheetWeek, WeekStatus
from portal.rules.weeks import week_monday


@pytest.fixture
def past_monday(this_monday):
    """A whole week in the past, inside the placement (which started four weeks before this one)."""
    return this_monday - timedelta(weeks=2)


def category(program, name="Event planning"):
    return next(c for c in program.categories if c.name == name)


def week_path(placement, monday) -> str:
    return f"/hours/placements/{placement.id}/weeks/{monday.isoformat()}"


def add(client, placement, hours, day, *, cat=None, note="Planned the teach-in"):
    """Log ``hours`` on ``day`` through its week's form."""
    cat = cat or category(placement.program)
    return client.post(
        week_path(placement, week_monday(day)) + "/entries",
        data={"work_date": day.isoformat(), "hours": hours, "category": str(cat.id), "note": note},
    )


def the_week(placement, monday) -> TimesheetWeek | None:
    db.session.expire_all()
    return db.session.scalar(
        select(TimesheetWeek).where(TimesheetWeek.placement_id == placement.id, TimesheetWeek.week_start == monday)
    )


def entry_minutes(placement, monday) -> list[int]:
    week = the_week(placement, monday)
    return [entry.minutes for entry in week.entries] if week else []


def offered_days(html: str) -> list[str]:
    """The days the add-entry form's select offers."""
    return re.findall(r'<option (?:selected )?value="(\d{4}-\d\d-\d\d)"', html)


def audit_actions(week) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.target_type == "timesheet_week", AuditEvent.target_id == week.id)
            .order_by(AuditEvent.id)
        )
    )


def fill_week(placement, minutes_by_day: dict[int, int], monday, **week_kwargs) -> TimesheetWeek:
    if week_kwargs.get("status") == WeekStatus.SUBMITTED:
        week_kwargs.setdefault("submitted_at", utcnow() - timedelta(days=1))
    week = TimesheetWeekFactory(placement=placement, week_start=monday, **week_kwargs)
    for offset, minutes in minutes_by_day.items():
        TimesheetEntryFactory(
            week=week, work_date=monday + timedelta(days=offset), minutes=minutes, category=category(placement.program)
        )
    return week


# --- the page ---------------------------------------------------------------------------------------


def test_the_week_page_shows_monday_to_sunday_with_the_rules_from_the_program(client, placement, intern, past_monday):
    fill_week(placement, {0: 180, 2: 150}, past_monday)
    sign_in(client, intern)
    response = client.get(week_path(placement, past_monday))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for offset, name in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]):
        day = past_monday + timedelta(days=offset)
        assert f"{name} {day.day} " in html
    assert "Total this week: 5 h 30 min" in html
    words = " ".join(html.split())
    assert "at least 15 h a week, and allows at most 40 h a week and 12 h a day" in words
    assert "below the weekly minimum" in html
    assert "Status: Draft" in html
    assert "like 2:30, 2.5 or 2h30" in html.lower()
    assert f'href="{week_path(placement, past_monday - timedelta(weeks=1))}" rel="prev"' in html
    assert f'href="{week_path(placement, past_monday + timedelta(weeks=1))}" rel="next"' in html


def test_any_day_of_a_week_redirects_to_its_monday(client, placement, intern, past_monday):
    sign_in(client, intern)
    response = client.get(week_path(placement, past_monday + timedelta(days=3)))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(week_path(placement, past_monday))


def test_the_current_week_link_takes_the_intern_to_this_week(client, placement, intern, this_monday):
    sign_in(client, intern)
    response = client.get("/hours/week")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(week_path(placement, this_monday))


def test_the_date_choices_are_the_days_of_the_week_that_have_passed(client, placement, intern, this_monday, today):
    sign_in(client, intern)
    html = client.get(week_path(placement, this_monday)).get_data(as_text=True)
    assert offered_days(html) == [(this_monday + timedelta(days=n)).isoformat() for n in range(today.weekday() + 1)]


def test_another_intern_and_another_supervisor_get_404(client, placement, past_monday):
    fill_week(placement, {0: 180}, past_monday)
    for outsider in (InternFactory(), UserFactory()):
        sign_in(client, outsider)
        assert client.get(week_path(placement, past_monday)).status_code == 404
        assert add(client, placement, "2", past_monday).status_code == 404
        assert client.post(week_path(placement, past_monday) + "/submit", data={}).status_code == 404
    assert entry_minutes(placement, past_monday) == [180]


def test_the_supervisor_and_an_admin_can_view_but_not_log_hours(client, placement, supervisor, past_monday):
    fill_week(placement, {0: 180}, past_monday)
    for staff in (supervisor, AdminFactory()):
        sign_in(client, staff)
        html = client.get(week_path(placement, past_monday)).get_data(as_text=True)
        assert "Ana Reyes" in html and "3 h" in html
        assert "Add time" not in html
        assert add(client, placement, "2", past_monday).status_code == 403
    assert entry_minutes(placement, past_monday) == [180]


def test_signed_out_visitors_are_sent_to_sign_in(client, placement, past_monday):
    response = client.get(week_path(placement, past_monday))
    assert response.status_code in (302, 401)
    assert the_week(placement, past_monday) is None


# --- entries ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["2:30", "2.5", "2h30"])
def test_each_way_of_typing_hours_saves_two_and_a_half_hours(client, placement, intern, typed, past_monday):
    sign_in(client, intern)
    response = add(client, placement, typed, past_monday)
    assert response.status_code == 302
    assert entry_minutes(placement, past_monday) == [150]
    page = client.get(week_path(placement, past_monday)).get_data(as_text=True)
    assert "2 h 30 min" in page and "Planned the teach-in" in page


def test_unreadable_hours_are_explained_beside_the_field_and_what_was_typed_is_kept(
    client, placement, intern, past_monday
):
    sign_in(client, intern)
    response = add(client, placement, "two hours", past_monday, note="Flyers")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="hours-error"' in html and "Enter hours like 2:30, 2.5 or 2h30" in html
    assert 'value="two hours"' in html and 'value="Flyers"' in html
    assert the_week(placement, past_monday) is None


def test_an_entry_over_the_weekly_cap_is_refused_with_the_hours_left(client, placement, intern, past_monday):
    fill_week(placement, {0: 12 * 60, 1: 12 * 60, 2: 12 * 60, 3: 3 * 60}, past_monday)  # 39 h
    sign_in(client, intern)
    response = add(client, placement, "2", day=past_monday + timedelta(days=4))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This entry would take the week over 40 h: 1 h left." in html
    assert 'id="hours-error"' in html
    assert sum(entry_minutes(placement, past_monday)) == 39 * 60
    assert add(client, placement, "1", day=past_monday + timedelta(days=4)).status_code == 302  # exactly the cap
    assert sum(entry_minutes(placement, past_monday)) == 40 * 60


def test_an_entry_over_the_daily_cap_is_refused_with_the_hours_left(client, placement, intern, past_monday):
    fill_week(placement, {1: 11 * 60}, past_monday)
    sign_in(client, intern)
    response = add(client, placement, "2", day=past_monday + timedelta(days=1))
    assert response.status_code == 422
    assert "This entry would take the day over 12 h: 1 h left." in response.get_data(as_text=True)
    assert entry_minutes(placement, past_monday) == [11 * 60]


def test_changing_an_entry_does_not_count_its_own_old_hours_against_the_cap(client, placement, intern, past_monday):
    week = fill_week(placement, {0: 11 * 60}, past_monday)
    entry = week.entries[0]
    sign_in(client, intern)
    page = client.get(week_path(placement, past_monday) + f"?edit={entry.id}").get_data(as_text=True)
    assert "Change an entry" in page and 'value="11:00"' in page
    response = client.post(
        week_path(placement, past_monday) + f"/entries/{entry.id}",
        data={"work_date": past_monday.isoformat(), "hours": "12", "category": str(entry.category_id), "note": "More"},
    )
    assert response.status_code == 302
    assert entry_minutes(placement, past_monday) == [12 * 60]


def test_a_future_date_is_refused(client, placement, intern, today):
    sign_in(client, intern)
    tomorrow = today + timedelta(days=1)
    response = add(client, placement, "2", day=tomorrow)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="work_date-error"' in html
    assert "You cannot log hours for a day that has not happened yet." in html
    assert entry_minutes(placement, week_monday(tomorrow)) == []


def test_a_date_before_the_placement_starts_is_refused(client, program, intern, supervisor, past_monday):
    start = past_monday + timedelta(days=2)  # a Wednesday
    placement = PlacementFactory(
        program=program, application__program=program, intern=intern, supervisor=supervisor, start_date=start
    )
    sign_in(client, intern)
    html = client.get(week_path(placement, past_monday)).get_data(as_text=True)
    assert offered_days(html) == [(start + timedelta(days=n)).isoformat() for n in range(5)]  # Wednesday to Sunday
    response = add(client, placement, "3", day=past_monday)
    assert response.status_code == 422
    assert "Your placement starts on" in response.get_data(as_text=True)
    assert "you cannot log hours before it" in response.get_data(as_text=True)
    assert entry_minutes(placement, past_monday) == []
    assert client.get(week_path(placement, past_monday - timedelta(weeks=1))).status_code == 404


def test_a_date_after_the_placement_ended_is_refused(client, placement, intern, past_monday):
    placement.end_date = past_monday + timedelta(days=1)
    db.session.commit()
    sign_in(client, intern)
    response = add(client, placement, "3", day=past_monday + timedelta(days=3))
    assert response.status_code == 422
    assert "Your placement ended on" in response.get_data(as_text=True)


def test_a_category_of_another_program_is_refused(client, placement, intern, past_monday):
    foreign = ActivityCategoryFactory(name="Elsewhere")
    sign_in(client, intern)
    response = add(client, placement, "3", past_monday, cat=foreign)
    assert response.status_code == 422
    assert "Choose an activity from the list" in response.get_data(as_text=True)


def test_deleting_asks_first_then_removes_the_entry(client, placement, intern, past_monday):
    week = fill_week(placement, {0: 180, 1: 120}, past_monday)
    doomed = week.entries[1]
    sign_in(client, intern)
    confirm = client.get(week_path(placement, past_monday) + f"?delete={doomed.id}").get_data(as_text=True)
    assert "Delete this entry?" in confirm and "Yes, delete it" in confirm
    assert entry_minutes(placement, past_monday) == [180, 120]  # asking deletes nothing
    response = client.post(week_path(placement, past_monday) + f"/entries/{doomed.id}/delete", data={})
    assert response.status_code == 302
    assert entry_minutes(placement, past_monday) == [180]
    assert "timesheet.entry_deleted" in audit_actions(week)


def test_an_entry_of_another_week_cannot_be_changed_through_this_one(client, placement, intern, past_monday):
    other = fill_week(placement, {0: 60}, monday=past_monday - timedelta(weeks=1))
    sign_in(client, intern)
    response = client.post(week_path(placement, past_monday) + f"/entries/{other.entries[0].id}/delete", data={})
    assert response.status_code == 404
    assert entry_minutes(placement, past_monday - timedelta(weeks=1)) == [60]


# --- the whole life of a week -----------------------------------------------------------------------


def test_draft_submit_return_edit_resubmit_approve_lock_reopen(client, placement, intern, supervisor, past_monday):
    sign_in(client, intern)
    assert add(client, placement, "6", past_monday).status_code == 302
    week = the_week(placement, past_monday)
    assert week.status == WeekStatus.DRAFT

    # Submit.
    response = client.post(week_path(placement, past_monday) + "/submit", data={"version": week.version})
    assert response.status_code == 302
    week = the_week(placement, past_monday)
    assert week.status == WeekStatus.SUBMITTED and week.submitted_at is not None
    assert "Submitted on" in client.get(week_path(placement, past_monday)).get_data(as_text=True)

    # The supervisor returns it with a note; the intern is emailed the note.
    sign_in(client, supervisor)
    response = client.post(
        week_path(placement, past_monday) + "/decision",
        data={"action": "return", "version": week.version, "note": "Split Monday into planning and outreach."},
    )
    assert response.status_code == 302
    week = the_week(placement, past_monday)
    assert week.status == WeekStatus.RETURNED
    [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "ana@example.org")).all()
    assert "returned" in mail.subject and "Split Monday into planning and outreach." in mail.text_body
    assert week_path(placement, past_monday) in mail.text_body

    # The intern sees the note, edits and resubmits.
    sign_in(client, intern)
    page = client.get(week_path(placement, past_monday)).get_data(as_text=True)
    assert "Split Monday into planning and outreach." in page and "Submit this week again" in page
    entry = week.entries[0]
    response = client.post(
        week_path(placement, past_monday) + f"/entries/{entry.id}",
        data={"work_date": past_monday.isoformat(), "hours": "4", "category": str(entry.category_id), "note": "Plan"},
    )
    assert response.status_code == 302
    assert add(client, placement, "2", past_monday, note="Outreach").status_code == 302
    week = the_week(placement, past_monday)
    assert client.post(week_path(placement, past_monday) + "/submit", data={"version": week.version}).status_code == 302
    week = the_week(placement, past_monday)
    assert week.status == WeekStatus.SUBMITTED and week.return_note == ""
    resubmitted = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "timesheet.resubmitted", AuditEvent.target_id == week.id)
    )
    assert resubmitted.details["previous_return_note"] == "Split Monday into planning and outreach."

    # The supervisor approves it; it is locked.
    sign_in(client, supervisor)
    response = client.post(
        week_path(placement, past_monday) + "/decision", data={"action": "approve", "version": week.version}
    )
    assert response.status_code == 302
    week = the_week(placement, past_monday)
    assert week.status == WeekStatus.APPROVED and week.decided_by_id == supervisor.id

    sign_in(client, intern)
    page = client.get(week_path(placement, past_monday)).get_data(as_text=True)
    assert "This week is locked" in page and "Add time" not in page and "Delete" not in page
    locked_entry = week.entries[0]
    response = add(client, placement, "1", past_monday)
    assert response.status_code == 422 and "approved and locked" in response.get_data(as_text=True)
    response = client.post(week_path(placement, past_monday) + f"/entries/{locked_entry.id}/delete", data={})
    assert response.status_code == 302
    assert sorted(entry_minutes(placement, past_monday)) == [120, 240]  # nothing deleted
    response = client.post(
        week_path(placement, past_monday) + f"/entries/{locked_entry.id}",
        data={"work_date": past_monday.isoformat(), "hours": "1", "category": str(locked_entry.category_id)},
    )
    assert response.status_code == 422
    assert sorted(entry_minutes(placement, past_monday)) == [120, 240]

    # The supervisor cannot reopen; an admin can, with a reason that is audited.
    sign_in(client, supervisor)
    response = client.post(week_path(placement, past_monday) + "/reopen", data={"reason": "x", "version": week.version})
    assert response.status_code == 403
    admin = AdminFactory()
    sign_in(client, admin)
    response = client.post(week_path(placement, past_monday) + "/reopen", data={"reason": "", "version": week.version})
    assert response.status_code == 422 and "Say why the week is reopened" in response.get_data(as_text=True)
    response = client.post(
        week_path(placement, past_monday) + "/reopen",
        data={"reason": "Ana logged Tuesday on Monday.", "version": week.version},
    )
    assert response.status_code == 302
    week = the_week(placement, past_monday)
    assert week.status == WeekStatus.DRAFT
    reopened = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "timesheet.reopened", AuditEvent.target_id == week.id)
    )
    assert reopened.reason == "Ana logged Tuesday on Monday." and reopened.actor_id == admin.id
    assert reopened.from_state == "approved" and reopened.to_state == "draft"

    # Editable again.
    sign_in(client, intern)
    assert add(client, placement, "1", day=past_monday + timedelta(days=1)).status_code == 302
    assert sorted(entry_minutes(placement, past_monday)) == [60, 120, 240]

    assert audit_actions(week) == [
        "timesheet.entry_added",
        "timesheet.submitted",
        "timesheet.returned",
        "timesheet.entry_changed",
        "timesheet.entry_added",
        "timesheet.resubmitted",
        "timesheet.approved",
        "timesheet.reopened",
        "timesheet.entry_added",
    ]


def test_an_empty_week_can_be_submitted_as_zero_hours(client, placement, intern, past_monday):
    sign_in(client, intern)
    page = client.get(week_path(placement, past_monday)).get_data(as_text=True)
    assert "you did not work this week (0 h)" in page
    response = client.post(week_path(placement, past_monday) + "/submit", data={})
    assert response.status_code == 302
    week = the_week(placement, past_monday)
    assert week.status == WeekStatus.SUBMITTED and week.total_minutes == 0


def test_a_week_that_has_not_started_cannot_be_submitted(client, program, intern, supervisor, this_monday):
    placement = PlacementFactory(
        program=program, application__program=program, intern=intern, supervisor=supervisor,
        start_date=this_monday + timedelta(weeks=1),
    )
    sign_in(client, intern)
    page = client.get(week_path(placement, this_monday + timedelta(weeks=1))).get_data(as_text=True)
    assert "This week has not started yet" in page
    response = client.post(week_path(placement, this_monday + timedelta(weeks=1)) + "/submit", data={})
    assert response.status_code == 422
    assert "This week has not started yet" in response.get_data(as_text=True)
    assert the_week(placement, this_monday + timedelta(weeks=1)) is None


def test_a_submitted_week_can_still_be_changed_and_its_version_moves_on(client, placement, intern, past_monday):
    week = fill_week(placement, {0: 180}, past_monday, status=WeekStatus.SUBMITTED)
    before = week.version
    sign_in(client, intern)
    assert add(client, placement, "1", day=past_monday + timedelta(days=1)).status_code == 302
    week = the_week(placement, past_monday)
    assert week.status == WeekStatus.SUBMITTED and week.version > before
    assert sorted(entry_minutes(placement, past_monday)) == [60, 180]


def test_submitting_twice_says_it_is_already_submitted(client, placement, intern, past_monday):
    fill_week(placement, {0: 180}, past_monday, status=WeekStatus.SUBMITTED)
    sign_in(client, intern)
    response = client.post(week_path(placement, past_monday) + "/submit", data={})
    assert response.status_code == 422
    assert "already submitted" in response.get_data(as_text=True)


def test_the_intern_cannot_decide_on_their_own_week(client, placement, intern, past_monday):
    week = fill_week(placement, {0: 180}, past_monday, status=WeekStatus.SUBMITTED)
    sign_in(client, intern)
    response = client.post(
        week_path(placement, past_monday) + "/decision", data={"action": "approve", "version": week.version}
    )
    assert response.status_code == 403
    assert the_week(placement, past_monday).status == WeekStatus.SUBMITTED


def test_returning_without_a_note_is_refused_beside_the_note(client, placement, supervisor, past_monday):
    week = fill_week(placement, {0: 180}, past_monday, status=WeekStatus.SUBMITTED)
    sign_in(client, supervisor)
    response = client.post(
        week_path(placement, past_monday) + "/decision", data={"action": "return", "version": week.version}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="note-error"' in html and "Write a note telling the intern what to change." in html
    assert the_week(placement, past_monday).status == WeekStatus.SUBMITTED
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_approving_from_a_page_older_than_the_interns_last_change_is_a_409(
    client, placement, intern, supervisor, past_monday
):
    week = fill_week(placement, {0: 180}, past_monday, status=WeekStatus.SUBMITTED)
    seen_version = week.version
    sign_in(client, intern)
    assert add(client, placement, "8", day=past_monday + timedelta(days=1)).status_code == 302
    sign_in(client, supervisor)
    response = client.post(
        week_path(placement, past_monday) + "/decision", data={"action": "approve", "version": seen_version}
    )
    assert response.status_code == 409
    assert "This week changed while you were looking at it" in response.get_data(as_text=True)
    assert the_week(placement, past_monday).status == WeekStatus.SUBMITTED
    assert db.session.scalar(select(func.count()).select_from(TimesheetEntry)) == 2


def test_submitting_from_a_page_older_than_a_change_made_in_another_tab_is_a_409(
    client, placement, intern, past_monday
):
    week = fill_week(placement, {0: 180}, past_monday)
    seen_version = week.version
    sign_in(client, intern)
    assert add(client, placement, "2", day=past_monday + timedelta(days=1)).status_code == 302  # the other tab
    response = client.post(week_path(placement, past_monday) + "/submit", data={"version": seen_version})
    assert response.status_code == 409
    assert "This week changed while you were looking at it" in response.get_data(as_text=True)
    assert the_week(placement, past_monday).status == WeekStatus.DRAFT


# --- a bounded number of queries ----------------------------------------------------------------


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args) -> None:
        self.count += 1


def queries_for(client, path: str) -> int:
    counter = QueryCounter()
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    return counter.count


def test_the_week_page_makes_the_same_number_of_queries_for_2_or_14_entries(
    client, placement, intern, program, past_monday
):
    sign_in(client, intern)
    fill_week(placement, {0: 60, 1: 60}, past_monday)
    few = queries_for(client, week_path(placement, past_monday))
    week = the_week(placement, past_monday)
    for offset in range(7):
        for name in ("Event planning", "Office support"):
            TimesheetEntryFactory(
                week=week, work_date=past_monday + timedelta(days=offset), minutes=30, category=category(program, name)
            )
    assert queries_for(client, week_path(placement, past_monday)) == few


@pytest.mark.parametrize(
    "path",
    [
        "/hours/placements/99999999999999999999/weeks/{monday}",
        "/hours/placements/{placement}/weeks/{monday}?edit=99999999999999999999",
        "/hours/placements/{placement}/weeks/9999-12-27",
        "/hours/placements/{placement}/weeks/1066-10-12",
    ],
)
def test_ids_and_weeks_no_database_or_calendar_can_hold_are_not_found(client, placement, intern, path, past_monday):
    sign_in(client, intern)
    response = client.get(path.format(placement=placement.id, monday=past_monday.isoformat()))
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_a_null_character_in_a_note_is_refused_with_a_reason_and_nothing_saved(client, placement, intern, past_monday):
    sign_in(client, intern)
    response = add(client, placement, "2", past_monday, note="Planned\x00the teach-in")
    assert response.status_code == 400
    assert "null character" in response.get_data(as_text=True)
    assert entry_minutes(placement, past_monday) == []
