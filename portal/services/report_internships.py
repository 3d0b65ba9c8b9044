"""The internships report: how the interns of some programs did over a range of dates, as aggregates.

Every figure is a GROUP BY in the database, so the page costs the same few queries for 5 interns or
5,000: the interns' standing (one query), approved hours and qualifying weeks per week (one), the
weeks that were over per week (one, over a recursive calendar of the range's Mondays), learning
shares bucketed (one), concerns (two), and the stipends. Stipends are money: they come from exactly
the functions the stipend statement uses (``progress_for`` and ``PlacementProgress.stipend``), fed by
one grouped query of per-week minutes (``week_records``), never from a second copy of the tiers.

What "in the range" means is in ``portal.rules.report_internships`` (a week by its Thursday).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from markupsafe import Markup
from sqlalchemy import Date, and_, case, func, literal, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.sql import ColumnElement

from portal.extensions import db
from portal.formatting import long_date, month_label
from portal.models import ActivityCategory, Concern, Placement, Program, TimesheetEntry, TimesheetWeek, WeekStatus
from portal.rules.hours import format_minutes
from portal.rules.report_internships import (
    LEARNING_BUCKETS,
    format_wait,
    range_mondays,
    range_months,
    share_percent,
)
from portal.rules.report_statistics import summarise_durations
from portal.rules.stipends import format_cents
from portal.rules.weeks import week_month
from portal.services.progress import decimal_dollars, decimal_hours, progress_for
from portal.services.report_charts import bar_chart, column_chart, format_number, line_chart
from portal.services.reports import Table, days_between
from portal.services.spreadsheets import neutralise_cell

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class InternCounts:
    """Placements active some day of the range (up to today), by where they stood at its end."""

    active: int
    completed: int
    ended_early: int

    @property
    def in_progress(self) -> int:
        return self.active - self.completed - self.ended_early


@dataclass
class MonthFigures:
    """One month of the range (weeks by their Thursday)."""

    year: int
    month: int
    approved_minutes: int = 0
    weeks_over: int = 0  # intern-weeks of the month that are over: the qualifying share's denominator
    qualifying_weeks: int = 0  # approved, at or above the program's weekly minimum, and over
    short_weeks: int = 0  # approved, under the minimum, and over
    stipend_cents: int = 0
    stipend_interns: int = 0
    stipend_final: bool = True

    @property
    def label(self) -> str:
        return month_label(self.year, self.month)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def qualifying_percent(self) -> int | None:
        return share_percent(self.qualifying_weeks, self.weeks_over)

    @property
    def other_weeks(self) -> int:
        """Weeks over that were neither qualifying nor short: missing, or still waiting for approval."""
        return self.weeks_over - self.qualifying_weeks - self.short_weeks


@dataclass(frozen=True)
class ConcernFigures:
    raised: int
    answered: int
    median_seconds: float | None
    p90_seconds: float | None

    @property
    def median(self) -> str:
        return format_wait(self.median_seconds) if self.median_seconds is not None else "–"

    @property
    def p90(self) -> str:
        return format_wait(self.p90_seconds) if self.p90_seconds is not None else "–"


@dataclass(frozen=True)
class InternshipReport:
    first: date
    last: date
    today: date
    counts: InternCounts
    months: list[MonthFigures]
    learning: list[tuple[str, int]]  # (bucket label, interns)
    concerns: ConcernFigures | None  # None for supervisors: concerns are seen by admins only

    @property
    def weeks_over(self) -> int:
        return sum(month.weeks_over for month in self.months)

    @property
    def qualifying_weeks(self) -> int:
        return sum(month.qualifying_weeks for month in self.months)

    @property
    def qualifying_percent(self) -> int | None:
        return share_percent(self.qualifying_weeks, self.weeks_over)


# ---- a SQL piece that differs between SQLite and PostgreSQL (days_between is the recruitment report's) ---


def _postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def _plus_days(value: ColumnElement, days: int) -> ColumnElement:
    """A date ``days`` later: PostgreSQL adds an integer to a date; SQLite stores dates as ISO text."""
    if _postgresql():
        return value + days
    return func.date(value, f"{days:+d} days", type_=Date)


# ---- the figures ------------------------------------------------------------------------------------


def _ended_by(as_of: date) -> ColumnElement:
    """SQL for "the placement had ended by ``as_of``" (``Placement.ended`` on that day)."""
    return or_(
        and_(Placement.outcome.is_not(None), Placement.end_date <= as_of),
        and_(Placement.end_date.is_not(None), Placement.end_date < as_of),
    )


def _approved_weeks(program_ids: Sequence[int]):
    """Approved timesheet weeks of the programs with their minutes and the program's weekly minimum."""
    return (
        select(
            TimesheetWeek.id.label("week_id"),
            TimesheetWeek.placement_id,
            TimesheetWeek.week_start,
            Placement.end_date,
            Program.min_week_minutes,
            func.coalesce(func.sum(TimesheetEntry.minutes), 0).label("minutes"),
        )
        .join(Placement, Placement.id == TimesheetWeek.placement_id)
        .join(Program, Program.id == Placement.program_id)
        .outerjoin(TimesheetEntry, TimesheetEntry.week_id == TimesheetWeek.id)
        .where(TimesheetWeek.status == WeekStatus.APPROVED, Placement.program_id.in_(program_ids))
        .group_by(
            TimesheetWeek.id,
            TimesheetWeek.placement_id,
            TimesheetWeek.week_start,
            Placement.end_date,
            Program.min_week_minutes,
        )
    )


def intern_counts(program_ids: Sequence[int], first: date, as_of: date) -> InternCounts:
    """Active some day from ``first`` to ``as_of``; completed the minimum (qualifying weeks up to
    ``as_of`` reach the program's minimum, as the hours statement says) or ended before it: one query."""
    weeks = _approved_weeks(program_ids).where(TimesheetWeek.week_start <= as_of).subquery()
    qualifying = (
        select(weeks.c.placement_id, func.count().label("weeks"))
        .where(weeks.c.minutes >= weeks.c.min_week_minutes)
        .group_by(weeks.c.placement_id)
        .subquery()
    )
    done = func.coalesce(qualifying.c.weeks, 0) >= Program.min_weeks
    active, completed, ended_early = db.session.execute(
        select(
            func.count(Placement.id),
            func.coalesce(func.sum(case((done, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(~done, _ended_by(as_of)), 1), else_=0)), 0),
        )
        .select_from(Placement)
        .join(Program, Program.id == Placement.program_id)
        .outerjoin(qualifying, qualifying.c.placement_id == Placement.id)
        .where(
            Placement.program_id.in_(program_ids),
            Placement.start_date <= as_of,
            or_(Placement.end_date.is_(None), Placement.end_date >= first),
        )
    ).one()
    return InternCounts(int(active), int(completed), int(ended_early))


def _week_over(monday: ColumnElement, end: ColumnElement, today: date) -> ColumnElement:
    """SQL for ``rules.compliance.week_is_over``: the week's Sunday, or the placement's end, is past."""
    return or_(monday < today - 6 * _DAY, and_(end.is_not(None), end < today))


def _weekly_hours(program_ids: Sequence[int], mondays: list[date], today: date) -> dict[date, tuple[int, int, int]]:
    """Per Monday: approved minutes, qualifying weeks over, short weeks over (one grouped query)."""
    weeks = _approved_weeks(program_ids).where(TimesheetWeek.week_start.between(mondays[0], mondays[-1])).subquery()
    over = _week_over(weeks.c.week_start, weeks.c.end_date, today)
    reaches = weeks.c.minutes >= weeks.c.min_week_minutes
    rows = db.session.execute(
        select(
            weeks.c.week_start,
            func.sum(weeks.c.minutes),
            func.sum(case((and_(over, reaches), 1), else_=0)),
            func.sum(case((and_(over, ~reaches), 1), else_=0)),
        ).group_by(weeks.c.week_start)
    )
    return {monday: (int(minutes), int(qualifying), int(short)) for monday, minutes, qualifying, short in rows}


def _weeks_over(program_ids: Sequence[int], mondays: list[date], today: date) -> dict[date, int]:
    """Per Monday of the range: the placements for which that week is over (``rules.weeks.placement_weeks``
    and ``week_is_over``), counted over a recursive calendar of Mondays: one query."""
    start = select(literal(mondays[0], Date).label("monday")).cte("calendar", recursive=True)
    calendar = start.union_all(select(_plus_days(start.c.monday, 7)).where(start.c.monday < mondays[-1]))
    sunday = _plus_days(calendar.c.monday, 6)
    rows = db.session.execute(
        select(calendar.c.monday, func.count(Placement.id))
        .select_from(calendar)
        .join(
            Placement,
            and_(
                Placement.program_id.in_(program_ids),
                Placement.start_date <= sunday,
                or_(Placement.end_date.is_(None), Placement.end_date >= calendar.c.monday),
                calendar.c.monday <= today,
                _week_over(calendar.c.monday, Placement.end_date, today),
            ),
        )
        .group_by(calendar.c.monday)
    )
    return {_as_date(monday): int(count) for monday, count in rows}


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def learning_distribution(program_ids: Sequence[int], mondays: list[date]) -> list[tuple[str, int]]:
    """Interns per learning-share bucket, over every minute logged in the range's weeks: one query."""
    learning = case((ActivityCategory.is_learning.is_(True), TimesheetEntry.minutes), else_=0)
    shares = (
        select(
            TimesheetWeek.placement_id,
            func.sum(TimesheetEntry.minutes).label("total"),
            func.sum(learning).label("learning"),
        )
        .join(TimesheetEntry, TimesheetEntry.week_id == TimesheetWeek.id)
        .join(ActivityCategory, ActivityCategory.id == TimesheetEntry.category_id)
        .join(Placement, Placement.id == TimesheetWeek.placement_id)
        .where(Placement.program_id.in_(program_ids), TimesheetWeek.week_start.between(mondays[0], mondays[-1]))
        .group_by(TimesheetWeek.placement_id)
        .subquery()
    )
    # learning / total < upper ⇔ learning × denominator < numerator × total: exact, in integers.
    bucket = case(
        *[
            (shares.c.learning * b.upper.denominator < b.upper.numerator * shares.c.total, index)
            for index, b in enumerate(LEARNING_BUCKETS)
            if b.upper is not None
        ],
        else_=len(LEARNING_BUCKETS) - 1,
    )
    buckets = select(bucket.label("bucket")).where(shares.c.total > 0).subquery()
    counts = dict(db.session.execute(select(buckets.c.bucket, func.count()).group_by(buckets.c.bucket)).all())
    return [(b.label, int(counts.get(index, 0))) for index, b in enumerate(LEARNING_BUCKETS)]


def concern_figures(program_ids: Sequence[int], first: date, last: date) -> ConcernFigures:
    """Concerns raised in the range, how many are answered, and the median and 90th-percentile time to
    answer them (as the recruitment report's times: ``summarise_durations``): a count query, then the
    answered ones' durations, one number each."""
    since = datetime.combine(first, time(), tzinfo=UTC)
    scope = [Placement.program_id.in_(program_ids), Concern.created_at >= since]
    if last < date.max:  # the last day there is has no day after it
        scope.append(Concern.created_at < datetime.combine(last + _DAY, time(), tzinfo=UTC))
    raised, answered = db.session.execute(
        select(func.count(Concern.id), func.count(Concern.answered_at))
        .join(Placement, Placement.id == Concern.placement_id)
        .where(*scope)
    ).one()
    days: list[float] = []
    if answered:
        days = [
            float(value)
            for value in db.session.scalars(
                select(days_between(Concern.created_at, Concern.answered_at))
                .join(Placement, Placement.id == Concern.placement_id)
                .where(*scope, Concern.answered_at.is_not(None))
            )
        ]
    durations = summarise_durations(days)
    return ConcernFigures(
        raised=int(raised),
        answered=int(answered),
        median_seconds=None if durations.median is None else durations.median * 86400,
        p90_seconds=None if durations.p90 is None else durations.p90 * 86400,
    )


def _add_stipends(months: dict[tuple[int, int], MonthFigures], program_ids: Sequence[int], today: date, now: datetime):
    """Each month's stipends, from the stipend statement's own figures (``PlacementProgress.stipend``)
    for the stipend-eligible placements active that month: three queries (placements, tiers, weeks)."""
    keys = sorted(months)
    first = date(*keys[0], 1) - timedelta(days=7)
    last_year, last_month = keys[-1]
    last = date(last_year + last_month // 12, last_month % 12 + 1, 1) + timedelta(days=7)
    placements = db.session.scalars(
        select(Placement)
        .options(joinedload(Placement.program).selectinload(Program.stipend_tiers))
        .where(
            Placement.program_id.in_(program_ids),
            Placement.stipend_eligible.is_(True),
            Placement.start_date <= min(last, today),
            or_(Placement.end_date.is_(None), Placement.end_date >= first),
        )
    ).unique()
    for progress in progress_for(placements, today=today, now=now):
        for key, figures in months.items():
            stipend = progress.stipend(*key)
            if stipend is None:
                continue
            figures.stipend_cents += stipend.stipend.amount_cents
            figures.stipend_interns += 1
            figures.stipend_final = figures.stipend_final and stipend.final


def internship_report(
    program_ids: Sequence[int],
    date_from: date | None,
    date_to: date | None,
    *,
    today: date,
    now: datetime,
    with_concerns: bool,
) -> InternshipReport:
    """The report for the programs (already checked against the person) over the dates asked; an open
    start is the first placement's start, an open end today. Weeks are counted from the first placement
    to today at most (one query finds it), so a range over empty years walks no calendar of them."""
    ids = sorted(set(program_ids))
    earliest = db.session.scalar(select(func.min(Placement.start_date)).where(Placement.program_id.in_(ids)))
    earliest = earliest or today
    first = date_from if date_from is not None else earliest
    last = date_to if date_to is not None else today
    as_of = min(last, today)
    mondays = range_mondays(max(first, earliest), as_of)
    months = {key: MonthFigures(*key) for key in range_months(mondays)}
    if first > as_of:
        ids = []
    counts = intern_counts(ids, first, as_of) if ids else InternCounts(0, 0, 0)
    learning = [(bucket.label, 0) for bucket in LEARNING_BUCKETS]
    if ids and mondays:
        hours = _weekly_hours(ids, mondays, today)
        over = _weeks_over(ids, mondays, today)
        for monday in mondays:
            figures = months[week_month(monday)]
            minutes, qualifying, short = hours.get(monday, (0, 0, 0))
            figures.approved_minutes += minutes
            figures.qualifying_weeks += qualifying
            figures.short_weeks += short
            figures.weeks_over += over.get(monday, 0)
        learning = learning_distribution(ids, mondays)
        _add_stipends(months, ids, today, now)
    concerns = None
    if with_concerns:
        concerns = concern_figures(ids, first, last) if ids else ConcernFigures(0, 0, None, None)
    return InternshipReport(
        first=first,
        last=last,
        today=today,
        counts=counts,
        months=list(months.values()),
        learning=learning,
        concerns=concerns,
    )


# ---- the tables (the page's chart alternatives and the CSV are the same rows) -----------------------


_NO_WEEKS = "No weeks in this period."


def _percent(value: int | None) -> str:
    return "–" if value is None else f"{value}%"


def report_tables(report: InternshipReport) -> dict[str, Table]:
    """Every figure of the report as text tables, by section; the page and the CSV show exactly these."""
    counts = report.counts
    tables = {
        "interns": Table(
            "Interns",
            ("Interns", "Number"),
            [
                ("Active in the period", str(counts.active)),
                ("Completed the minimum", str(counts.completed)),
                ("Ended before the minimum", str(counts.ended_early)),
                ("Still in progress", str(counts.in_progress)),
            ],
        ),
        "hours": Table(
            "Approved hours per month",
            ("Month", "Approved hours"),
            [(month.label, format_minutes(month.approved_minutes)) for month in report.months],
            _NO_WEEKS,
        ),
        "qualifying": Table(
            "Qualifying weeks per month",
            ("Month", "Weeks over", "Qualifying", "Short", "Missing or waiting", "Share"),
            [
                (
                    month.label,
                    str(month.weeks_over),
                    str(month.qualifying_weeks),
                    str(month.short_weeks),
                    str(month.other_weeks),
                    _percent(month.qualifying_percent),
                )
                for month in report.months
            ],
            _NO_WEEKS,
        ),
        "stipends": Table(
            "Stipends per month",
            ("Month", "Eligible interns", "Stipends", "Status"),
            [
                (
                    month.label,
                    str(month.stipend_interns),
                    format_cents(month.stipend_cents),
                    "final" if month.stipend_final else "so far",
                )
                for month in report.months
            ],
            _NO_WEEKS,
        ),
        "learning": Table(
            "Learning share of logged hours",
            ("Learning share", "Interns"),
            [(label, str(count)) for label, count in report.learning],
        ),
    }
    if report.concerns is not None:
        concerns = report.concerns
        tables["concerns"] = Table(
            "Concerns",
            ("Concerns", "Figure"),
            [
                ("Raised", str(concerns.raised)),
                ("Answered", str(concerns.answered)),
                ("Median time to answer", concerns.median),
                ("90th percentile time to answer", concerns.p90),
            ],
        )
    return tables


def csv_rows(report: InternshipReport, programs: str) -> list[list[str]]:
    """The report as CSV rows: a heading, then each table with its title, in plain numbers a
    spreadsheet can add up (hours and dollars with two decimals)."""
    rows: list[list[str]] = [
        ["Internships report"],
        ["Programs", neutralise_cell(programs)],
        ["From", report.first.isoformat()],
        ["To", report.last.isoformat()],
    ]
    tables = report_tables(report)
    counts = tables["interns"]
    rows += [[], [counts.title], list(counts.header), *map(list, counts.rows)]
    rows += [
        [],
        ["Months"],
        [
            "month",
            "approved hours",
            "intern-weeks over",
            "qualifying weeks",
            "short weeks",
            "missing or waiting",
            "qualifying share %",
            "eligible interns",
            "stipends",
            "stipend status",
        ],
    ]
    for month in report.months:
        percent = month.qualifying_percent
        rows.append(
            [
                month.key,
                decimal_hours(month.approved_minutes),
                str(month.weeks_over),
                str(month.qualifying_weeks),
                str(month.short_weeks),
                str(month.other_weeks),
                "" if percent is None else str(percent),
                str(month.stipend_interns),
                decimal_dollars(month.stipend_cents),
                "final" if month.stipend_final else "so far",
            ]
        )
    for key in ("learning", "concerns"):
        if key in tables:
            table = tables[key]
            rows += [[], [table.title], list(table.header), *map(list, table.rows)]
    return rows


def period_label(report: InternshipReport) -> str:
    return f"{long_date(report.first)} to {long_date(report.last)}"


# ---- the charts (each beside its table) -------------------------------------------------------------


def _month_short(month: MonthFigures) -> str:
    return f"{month_label(month.year, month.month)[:3]} {month.year}"


def _dollars(value: float) -> str:
    """"$750" for whole dollars (the axis ticks), "$562.50" otherwise."""
    cents = round(value * 100)
    return f"${format_number(value)}" if cents % 100 == 0 else format_cents(cents)


def report_charts(report: InternshipReport) -> dict[str, Markup]:
    """One SVG per section, drawn from the same figures as ``report_tables``."""
    counts = report.counts
    months = report.months
    charts = {
        "interns": bar_chart(
            [
                ("Completed the minimum", counts.completed),
                ("Ended before the minimum", counts.ended_early),
                ("Still in progress", counts.in_progress),
            ],
            title=f"{counts.active} intern{'' if counts.active == 1 else 's'} in the period, by where they stand",
            chart_id="interns-chart",
        ),
        "hours": column_chart(
            [(_month_short(month), month.approved_minutes / 60) for month in months],
            title="Approved hours per month",
            unit=" h",
            chart_id="hours-chart",
        ),
        "qualifying": line_chart(
            [(_month_short(m), m.qualifying_percent) for m in months if m.qualifying_percent is not None],
            title="Share of intern-weeks at or above the weekly minimum, per month",
            unit="%",
            chart_id="qualifying-chart",
        ),
        "stipends": column_chart(
            [(_month_short(month), month.stipend_cents / 100) for month in months],
            title="Stipends per month",
            formatter=_dollars,
            chart_id="stipends-chart",
        ),
        "learning": bar_chart(
            report.learning, title="Interns by the learning share of their logged hours", chart_id="learning-chart"
        ),
    }
    if report.concerns is not None:
        charts["concerns"] = bar_chart(
            [("Raised", report.concerns.raised), ("Answered", report.concerns.answered)],
            title="Concerns raised and answered",
            chart_id="concerns-chart",
        )
    return charts
