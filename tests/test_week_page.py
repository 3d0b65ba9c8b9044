"""The week page's read model: what each person sees and may do, as booleans the template uses."""

from __future__ import annotations

from datetime import timedelta

from factories import AdminFactory, PlacementFactory, TimesheetWeekFactory, UserFactory

from portal.models import WeekStatus
from portal.rules.weeks import week_monday
from portal.services.timesheets import week_page


def first_monday(placement):
    return week_monday(placement.start_date)


def test_the_intern_edits_and_submits_a_started_draft_and_nobody_decides_it(app):
    placement = PlacementFactory()
    monday = first_monday(placement)
    page = week_page(placement, monday, user=placement.intern, today=monday + timedelta(days=2))
    assert (page.is_intern, page.is_draft, page.can_edit, page.can_submit) == (True, True, True, True)
    assert (page.can_decide, page.can_reopen) == (False, False)
    assert page.loggable == [monday, monday + timedelta(days=1), monday + timedelta(days=2)]
    # The placement's first week, and this week: no link before it, none into the future, none to itself.
    assert (page.previous_monday, page.next_monday, page.this_monday) == (None, None, None)
    later = week_page(placement, monday, user=placement.intern, today=monday + timedelta(days=15))
    assert (later.next_monday, later.this_monday) == (monday + timedelta(days=7), monday + timedelta(days=14))


def test_a_week_not_started_yet_cannot_be_submitted(app):
    placement = PlacementFactory()
    monday = first_monday(placement)
    page = week_page(placement, monday, user=placement.intern, today=monday - timedelta(days=1))
    assert page.can_edit and not page.can_submit and not page.started and page.loggable == []


def test_the_supervisor_decides_a_submitted_week_and_only_an_admin_reopens_an_approved_one(app):
    placement = PlacementFactory()
    monday = first_monday(placement)
    TimesheetWeekFactory(placement=placement, week_start=monday, status=WeekStatus.SUBMITTED)
    today = monday + timedelta(days=8)
    supervisor_view = week_page(placement, monday, user=placement.supervisor, today=today)
    assert supervisor_view.can_decide and not supervisor_view.can_edit and not supervisor_view.is_intern
    assert not week_page(placement, monday, user=UserFactory(), today=today).can_decide  # another supervisor

    week = supervisor_view.week
    week.status = WeekStatus.APPROVED
    admin, supervisor = AdminFactory(), placement.supervisor
    assert week_page(placement, monday, user=admin, today=today).can_reopen
    assert not week_page(placement, monday, user=supervisor, today=today).can_reopen
    intern_view = week_page(placement, monday, user=placement.intern, today=today)
    assert intern_view.is_approved and not intern_view.can_edit and not intern_view.can_submit


def test_an_admin_never_reopens_their_own_hours(app):
    placement = PlacementFactory(intern=AdminFactory())  # an admin who is also an intern somewhere
    assert placement.can_reopen(AdminFactory())
    assert not placement.can_reopen(placement.intern)
