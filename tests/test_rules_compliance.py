"""Week states, learning share, "at risk", overdue approvals and stipend months (no app needed)."""

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest

from portal.rules.compliance import (
    APPROVED,
    DRAFT,
    RETURNED,
    SUBMITTED,
    WeekRecord,
    WeekState,
    approval_overdue,
    completion_wording,
    learning_share,
    risk_run,
    standing,
    stipend_months,
    stipend_threshold_minutes,
    week_is_over,
    week_state,
)
from portal.rules.settings import DEFAULT_RULES, ProgramRules, StipendTier
from portal.rules.weeks import CompletionState, completion

H = 60
WEDNESDAY = date(2025, 10, 22)  # "today" in these tests; its week starts Monday 20 October
THIS_MONDAY = date(2025, 10, 20)
NOW = datetime(2025, 10, 22, 12, 0, tzinfo=UTC)


def monday(weeks_ago: int) -> date:
    return THIS_MONDAY - timedelta(weeks=weeks_ago)


@pytest.mark.parametrize(
    ("week", "today", "end", "over"),
    [
        (date(2025, 10, 13), date(2025, 10, 20), None, True),  # Sunday 19th is before Monday 20th
        (date(2025, 10, 13), date(2025, 10, 19), None, False),  # on its own Sunday it is still going
        (date(2025, 10, 20), date(2025, 10, 22), date(2025, 10, 21), True),  # ended Tuesday, today Wednesday
        (date(2025, 10, 20), date(2025, 10, 22), date(2025, 10, 24), False),
    ],
)
def test_week_is_over(week, today, end, over) -> None:
    assert week_is_over(week, today, end) is over


@pytest.mark.parametrize(
    ("record", "state"),
    [
        (WeekRecord(monday(1), APPROVED, 15 * H), WeekState.QUALIFYING),
        (WeekRecord(monday(1), APPROVED, 15 * H - 1), WeekState.SHORT),
        (WeekRecord(monday(1), SUBMITTED, 30 * H), WeekState.WAITING),
        (WeekRecord(monday(1), DRAFT, 30 * H), WeekState.MISSING),  # logged but never submitted
        (WeekRecord(monday(1), RETURNED, 30 * H), WeekState.MISSING),
        (WeekRecord(monday(1)), WeekState.MISSING),  # no timesheet at all
        (WeekRecord(THIS_MONDAY), WeekState.OPEN),  # the current week is not missing yet
        (WeekRecord(THIS_MONDAY, DRAFT, 5 * H), WeekState.OPEN),
        (WeekRecord(THIS_MONDAY, APPROVED, 20 * H), WeekState.QUALIFYING),
    ],
)
def test_week_state(record: WeekRecord, state: WeekState) -> None:
    assert week_state(record, DEFAULT_RULES, today=WEDNESDAY) is state


def test_only_approved_minutes_count() -> None:
    assert WeekRecord(monday(1), SUBMITTED, 30 * H).approved_minutes == 0
    assert WeekRecord(monday(1), APPROVED, 30 * H).approved_minutes == 30 * H


def test_a_custom_weekly_minimum_moves_the_short_line() -> None:
    rules = ProgramRules(min_week_minutes=10 * H)
    assert week_state(WeekRecord(monday(1), APPROVED, 12 * H), rules, today=WEDNESDAY) is WeekState.QUALIFYING


def test_an_approval_is_overdue_after_more_than_three_days() -> None:
    submitted = NOW - timedelta(days=3)
    assert not approval_overdue(submitted, NOW)
    assert approval_overdue(submitted - timedelta(minutes=1), NOW)
    assert not approval_overdue(None, NOW)
    assert approval_overdue(NOW - timedelta(days=2), NOW, max_days=1)


def test_learning_share_covers_the_last_four_weeks_that_are_over() -> None:
    records = {
        monday(5): WeekRecord(monday(5), APPROVED, 20 * H, 0),  # outside the window
        monday(4): WeekRecord(monday(4), APPROVED, 20 * H, 10 * H),
        monday(3): WeekRecord(monday(3), APPROVED, 20 * H, 10 * H),
        monday(2): WeekRecord(monday(2), DRAFT, 10 * H, 0),  # logged counts whatever the status
        monday(1): WeekRecord(monday(1), SUBMITTED, 10 * H, 9 * H),
    }
    share = learning_share(records, [monday(n) for n in (5, 4, 3, 2, 1)])
    assert share.weeks == (monday(4), monday(3), monday(2), monday(1))
    assert (share.learning_minutes, share.total_minutes) == (29 * H, 60 * H)
    assert share.share == Fraction(29, 60)
    assert share.under_half
    assert share.percent == 48


def test_learning_share_is_none_without_hours_and_half_is_not_under_half() -> None:
    assert learning_share({}, [monday(2), monday(1)]).share is None
    assert not learning_share({}, [monday(1)]).under_half
    half = {monday(1): WeekRecord(monday(1), APPROVED, 20 * H, 10 * H)}
    assert not learning_share(half, [monday(1)]).under_half
    two_thirds = {monday(1): WeekRecord(monday(1), APPROVED, 30 * H, 20 * H)}
    assert learning_share(two_thirds, [monday(1)]).percent == 66  # rounded down


Q, S, W, M, OPEN = WeekState.QUALIFYING, WeekState.SHORT, WeekState.WAITING, WeekState.MISSING, WeekState.OPEN


@pytest.mark.parametrize(
    ("states", "run"),
    [
        ([Q, Q, S, M, OPEN], (2, 1)),  # short then missing: at risk
        ([Q, M, M], (1, 0)),
        ([S, Q, M, Q], None),  # never two in a row
        ([S, S, Q, Q, Q, Q], None),  # the old run is outside the last 4 weeks that are over
        ([Q, S, W, S, OPEN], None),  # a week waiting for approval breaks the run
        ([M, S, S, OPEN], (2, 1)),  # the latest run is reported
        ([], None),
    ],
)
def test_risk_run(states, run) -> None:
    weeks = [(monday(len(states) - 1 - i), state) for i, state in enumerate(states)]
    expected = None if run is None else tuple(monday(n) for n in run)
    assert risk_run(weeks) == expected


def test_completion_wording() -> None:
    assert completion_wording(completion(12, DEFAULT_RULES, ended=False, today=WEDNESDAY), DEFAULT_RULES) == (
        "Completed the 12-week minimum"
    )
    assert completion_wording(completion(5, DEFAULT_RULES, ended=True, today=WEDNESDAY), DEFAULT_RULES) == (
        "Ended before the 12-week minimum"
    )
    assert completion_wording(completion(5, DEFAULT_RULES, ended=False, today=WEDNESDAY), DEFAULT_RULES) == (
        "In progress: 5 of the 12 qualifying weeks needed so far"
    )


def test_stipend_threshold_is_the_lowest_paying_tier() -> None:
    assert stipend_threshold_minutes(DEFAULT_RULES) == 25 * H
    rules = ProgramRules(stipend_tiers=(StipendTier(0, 0), StipendTier(20 * H, 30_000)))
    assert stipend_threshold_minutes(rules) == 20 * H
    assert stipend_threshold_minutes(ProgramRules(stipend_tiers=(StipendTier(0, 0),))) == 25 * H


def test_stipend_months_are_final_once_over_and_so_far_for_the_current_one() -> None:
    # Started Thursday 18 September 2025 (the month's third Thursday); today Wednesday 22 October.
    months = stipend_months(date(2025, 9, 18), None, WEDNESDAY)
    assert [(m.year, m.month, m.final) for m in months] == [(2025, 9, True), (2025, 10, False)]
    assert months[0].counted_end is None
    assert months[1].counted_end == date(2025, 10, 19)  # the Sunday before today's week


def test_stipend_months_of_an_ended_placement_are_final() -> None:
    months = stipend_months(date(2025, 9, 1), date(2025, 10, 8), date(2025, 12, 1))
    assert [(m.year, m.month, m.final, m.counted_end) for m in months] == [
        (2025, 9, True, date(2025, 10, 8)),
        (2025, 10, True, date(2025, 10, 8)),
    ]
    assert stipend_months(date(2025, 11, 3), None, WEDNESDAY) == []  # not started yet


def test_a_month_over_with_a_week_still_pending_is_so_far() -> None:
    # September 2025 counts Mondays 1, 8, 15, 22; all over on Wednesday 22 October.
    start = date(2025, 9, 1)
    approved = [WeekRecord(date(2025, 9, d), APPROVED, 30 * H) for d in (1, 8, 15)]
    waiting = [*approved, WeekRecord(date(2025, 9, 22), SUBMITTED, 30 * H)]
    draft = [*approved, WeekRecord(date(2025, 9, 22), DRAFT, 30 * H)]
    settled = [*approved, WeekRecord(date(2025, 9, 22), APPROVED, 30 * H)]
    september = lambda records: stipend_months(start, None, WEDNESDAY, records)[0]  # noqa: E731
    assert (september(waiting).month, september(waiting).final) == (9, False)
    assert september(waiting).counted_end == date(2025, 10, 19)
    assert september(draft).final is False  # a draft with hours can still be submitted
    assert september(settled).final is True
    assert september(approved).final is True  # no timesheet at all: missing, nothing to wait for
    # A pending week outside the placement does not hold the month back.
    assert stipend_months(date(2025, 9, 8), None, WEDNESDAY, [WeekRecord(date(2025, 9, 1), SUBMITTED, 60)])[0].final


def test_projection_counts_from_the_week_after_an_approved_this_week() -> None:
    start = monday(9)  # 10 weeks so far, this one included, all approved and qualifying
    records = [WeekRecord(monday(i), APPROVED, 16 * H) for i in range(10)]
    result = standing(records, start=start, end=None, ended=False, today=WEDNESDAY, now=NOW, rules=DEFAULT_RULES)
    assert result.qualifying_weeks == 10
    assert result.completion.projected_completion == THIS_MONDAY + timedelta(weeks=2, days=6)


def test_projection_of_a_placement_not_started_yet_counts_from_its_first_week() -> None:
    start = THIS_MONDAY + timedelta(weeks=3)
    result = standing([], start=start, end=None, ended=False, today=WEDNESDAY, now=NOW, rules=DEFAULT_RULES)
    assert result.completion.projected_completion == start + timedelta(weeks=11, days=6)


def test_standing_of_a_known_placement() -> None:
    start = monday(6)
    records = [
        WeekRecord(monday(6), APPROVED, 20 * H, 15 * H),
        WeekRecord(monday(5), APPROVED, 14 * H, 4 * H),  # short
        WeekRecord(monday(4), APPROVED, 25 * H, 5 * H),
        # monday(3): nothing at all -> missing
        WeekRecord(monday(2), RETURNED, 16 * H, 16 * H),  # returned -> missing
        WeekRecord(monday(1), SUBMITTED, 18 * H, 10 * H, NOW - timedelta(days=4)),  # waiting, overdue
        WeekRecord(THIS_MONDAY, DRAFT, 6 * H, 6 * H),
    ]
    result = standing(records, start=start, end=None, ended=False, today=WEDNESDAY, now=NOW, rules=DEFAULT_RULES)
    assert [week.state for week in result.weeks] == [Q, S, Q, M, M, W, OPEN]
    assert result.qualifying_weeks == 2
    assert [week.monday for week in result.short_weeks] == [monday(5)]
    assert [week.monday for week in result.missing_weeks] == [monday(3), monday(2)]
    assert [week.monday for week in result.overdue_weeks] == [monday(1)]
    assert result.this_week is not None and result.this_week.logged_minutes == 6 * H
    assert result.this_week_minutes_left == 9 * H
    assert result.total_approved_minutes == 59 * H
    assert result.weeks_logged == 4
    assert result.risk == (monday(3), monday(2))
    # Learning over the last 4 weeks that are over: weeks 4..1 ago.
    assert (result.learning.learning_minutes, result.learning.total_minutes) == (31 * H, 59 * H)
    assert result.completion.state is CompletionState.IN_PROGRESS
    assert result.completion.weeks_needed == 10
    assert result.completion.projected_completion == THIS_MONDAY + timedelta(weeks=9, days=6)
    assert not result.projected_after_end


def test_standing_of_an_ended_placement_is_never_at_risk_and_says_ended_early() -> None:
    records = [WeekRecord(monday(3), APPROVED, 10 * H), WeekRecord(monday(2), APPROVED, 10 * H)]
    result = standing(
        records, start=monday(3), end=monday(2) + timedelta(days=6), ended=True, today=WEDNESDAY, now=NOW,
        rules=DEFAULT_RULES,
    )
    assert result.completion.state is CompletionState.ENDED_EARLY
    assert result.risk is None and result.this_week is None
    assert [week.state for week in result.weeks] == [S, S]


def test_a_projection_past_the_end_date_is_flagged() -> None:
    result = standing(
        [], start=monday(1), end=THIS_MONDAY + timedelta(weeks=3), ended=False, today=WEDNESDAY, now=NOW,
        rules=DEFAULT_RULES,
    )
    assert result.projected_after_end
