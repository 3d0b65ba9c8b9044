"""Where interns stand: the ONE place that loads hours for a set of placements and turns them into figures.

Reads only. Whatever the number of placements and weeks, the figures cost a fixed number of queries:
the placements (their intern, supervisor and program joined in, the program's stipend tiers in one
more query) and ``week_records``: one grouped query over every timesheet of those placements. Every
figure then comes from ``portal.rules`` (``rules.compliance.standing``, ``rules.stipends.month_stipend``);
views, templates, the CSV and the PDF show these figures and never re-derive a threshold.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction

from sqlalchemy import Select, case, false, func, or_, select, true
from sqlalchemy.orm import contains_eager, joinedload

from portal.extensions import db
from portal.formatting import month_label
from portal.models import (
    ActivityCategory,
    Placement,
    Program,
    Role,
    TimesheetEntry,
    TimesheetWeek,
    User,
    program_supervisors,
)
from portal.rules.compliance import (
    Standing,
    StipendMonth,
    WeekRecord,
    completion_wording,
    standing,
    stipend_months,
)
from portal.rules.settings import ProgramRules
from portal.rules.stipends import MonthStipend, format_average_hours, month_stipend
from portal.rules.weeks import month_weeks
from portal.services.spreadsheets import neutralise_cell

COMPLIANCE_PAGE_SIZE = 25
STIPEND_CSV_COLUMNS = ("intern", "email", "month", "weeks counted", "average hours", "tier", "amount", "status")

_MONTH_PARAM = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class StipendFigures:
    """One month's stipend for a placement: final, or "so far" for the month still going."""

    placement_id: int
    final: bool
    stipend: MonthStipend
    counted_end: date | None

    def week_note(self, monday: date) -> str:
        """Why a week of the month counts or not, for the statement's table."""
        if monday in self.stipend.active_weeks:
            return "Counted"
        if not self.final and self.counted_end is not None and monday > self.counted_end:
            return "Not over yet"
        return "Outside the internship"

    @property
    def year(self) -> int:
        return self.stipend.year

    @property
    def month(self) -> int:
        return self.stipend.month

    @property
    def label(self) -> str:
        return month_label(self.year, self.month)

    @property
    def average_hours(self) -> str:
        return self.stipend.average_hours


@dataclass(frozen=True)
class PlacementProgress:
    placement: Placement
    rules: ProgramRules
    today: date
    standing: Standing
    records: tuple[WeekRecord, ...]

    @property
    def stipend_eligible(self) -> bool:
        return self.placement.stipend_eligible

    @property
    def completion_text(self) -> str:
        """Where the placement stands against the minimum, in the words every page uses."""
        ended_on = self.placement.end_date if self.standing.ended else None
        return completion_wording(self.standing.completion, self.rules, ended_on)

    def stipend_months(self) -> list[StipendMonth]:
        if not self.placement.stipend_eligible:
            return []
        return stipend_months(self.placement.start_date, self.placement.end_date, self.today, self.records)

    def stipend(self, year: int, month: int) -> StipendFigures | None:
        """The month's stipend, or None when the placement is not eligible or was not active that month."""
        return month_figures(self.placement, self.rules, self.records, year, month, today=self.today)

    def stipends(self) -> list[StipendFigures]:
        """Every month so far, newest first."""
        figures = [self.stipend(m.year, m.month) for m in self.stipend_months()]
        return [f for f in reversed(figures) if f is not None]


def month_figures(
    placement: Placement, rules: ProgramRules, records: Sequence[WeekRecord], year: int, month: int, *, today: date
) -> StipendFigures | None:
    """One month's stipend from the placement's weeks (those of the month are enough), or None when the
    placement is not eligible or was not active that month."""
    if not placement.stipend_eligible:
        return None
    months = stipend_months(placement.start_date, placement.end_date, today, records)
    chosen = next((m for m in months if (m.year, m.month) == (year, month)), None)
    if chosen is None:
        return None
    result = month_stipend(
        year,
        month,
        placement_start=placement.start_date,
        placement_end=chosen.counted_end,
        approved_minutes_by_monday={record.monday: record.approved_minutes for record in records},
        rules=rules,
    )
    return StipendFigures(placement_id=placement.id, final=chosen.final, stipend=result, counted_end=chosen.counted_end)


def decimal_hours(minutes: Fraction | int) -> str:
    """Hours with two decimals ("25.50"), rounded half-up as the stipend statement and CSV write them."""
    return format_average_hours(minutes)


def decimal_dollars(cents: int) -> str:
    whole, rest = divmod(cents, 100)
    return f"{whole}.{rest:02d}"


# ---- loading ---------------------------------------------------------------------------------------


def visible_placements(user: User) -> Select:
    """Placements the person may see: admins all; supervisors their own interns' and those of the programs they
    supervise (``Program.supervisors``, as ``Placement.can_view`` says); interns their own."""
    statement = select(Placement)
    if user.role == Role.ADMIN:
        return statement
    if user.role == Role.SUPERVISOR:
        supervised = select(program_supervisors.c.program_id).where(program_supervisors.c.user_id == user.id)
        return statement.where(or_(Placement.supervisor_id == user.id, Placement.program_id.in_(supervised)))
    if user.role == Role.INTERN:
        return statement.where(Placement.intern_id == user.id)
    return statement.where(false())


def _with_people(statement: Select) -> Select:
    return statement.options(
        joinedload(Placement.supervisor),
        joinedload(Placement.program).selectinload(Program.stipend_tiers),
    )


def _ended(today: date):
    """SQL for ``Placement.ended(today)``: ended by someone, or past its planned end date."""
    return Placement.outcome.is_not(None) | (Placement.end_date.is_not(None) & (Placement.end_date < today))


def current_placement(intern: User, today: date) -> Placement | None:
    """The intern's placement for their dashboard: the running one (latest start first), else the next
    one to start (soonest first), else the one that ended last."""
    ended = _ended(today)
    future = Placement.start_date > today
    group = case((ended, 2), (future, 1), else_=0)
    return db.session.scalar(
        _with_people(select(Placement).where(Placement.intern_id == intern.id))
        .options(joinedload(Placement.intern))
        .order_by(
            group,
            case((group == 0, Placement.start_date)).desc(),
            case((group == 1, Placement.start_date)).asc(),
            case((group == 2, Placement.end_date)).desc(),
            Placement.id.desc(),
        )
        .limit(1)
    )


def week_records(
    placement_ids: Sequence[int], mondays: tuple[date, date] | None = None
) -> dict[int, list[WeekRecord]]:
    """Every stored week of the placements (or only those whose Monday is within ``mondays``, both ends
    included) with minutes logged and learning minutes: one query."""
    if not placement_ids:
        return {}
    in_range = TimesheetWeek.week_start.between(*mondays) if mondays else true()
    learning = case((ActivityCategory.is_learning.is_(True), TimesheetEntry.minutes), else_=0)
    rows = db.session.execute(
        select(
            TimesheetWeek.placement_id,
            TimesheetWeek.week_start,
            TimesheetWeek.status,
            TimesheetWeek.submitted_at,
            func.coalesce(func.sum(TimesheetEntry.minutes), 0),
            func.coalesce(func.sum(learning), 0),
        )
        .select_from(TimesheetWeek)
        .outerjoin(TimesheetEntry, TimesheetEntry.week_id == TimesheetWeek.id)
        .outerjoin(ActivityCategory, ActivityCategory.id == TimesheetEntry.category_id)
        .where(TimesheetWeek.placement_id.in_(sorted(set(placement_ids))), in_range)
        .group_by(
            TimesheetWeek.id,
            TimesheetWeek.placement_id,
            TimesheetWeek.week_start,
            TimesheetWeek.status,
            TimesheetWeek.submitted_at,
        )
        .order_by(TimesheetWeek.placement_id, TimesheetWeek.week_start)
    )
    records: dict[int, list[WeekRecord]] = defaultdict(list)
    for placement_id, monday, status, submitted_at, logged, learning_minutes in rows:
        records[placement_id].append(
            WeekRecord(
                monday=monday,
                status=getattr(status, "value", status),
                logged_minutes=int(logged),
                learning_minutes=int(learning_minutes),
                submitted_at=submitted_at,
            )
        )
    return records


def progress_for(placements: Iterable[Placement], *, today: date, now: datetime) -> list[PlacementProgress]:
    """Figures for each placement (program and tiers already loaded), in the order given."""
    placements = list(placements)
    records = week_records([placement.id for placement in placements])
    result = []
    for placement in placements:
        rules = placement.program.rules()
        own = tuple(records.get(placement.id, ()))
        result.append(
            PlacementProgress(
                placement=placement,
                rules=rules,
                today=today,
                records=own,
                standing=standing(
                    own,
                    start=placement.start_date,
                    end=placement.end_date,
                    ended=placement.ended(today),
                    today=today,
                    now=now,
                    rules=rules,
                ),
            )
        )
    return result


def placement_progress(placement: Placement, *, today: date, now: datetime) -> PlacementProgress:
    return progress_for([placement], today=today, now=now)[0]


# ---- compliance ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompliancePage:
    rows: list[PlacementProgress]
    page: int
    pages: int
    total: int

    @property
    def at_risk(self) -> int:
        return sum(1 for row in self.rows if row.standing.at_risk)

    @property
    def learning_under_half(self) -> int:
        return sum(1 for row in self.rows if row.standing.learning.under_half)

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.rows if row.standing.overdue_weeks)


def compliance_page(user: User, *, today: date, now: datetime, page: int = 1) -> CompliancePage:
    """One page of the placements the person sees, going ones first, by intern name: four queries
    (count, page, stipend tiers, weeks) whatever the number of interns and weeks."""
    ended = _ended(today)
    statement = (
        _with_people(visible_placements(user))
        .join(User, User.id == Placement.intern_id)
        .options(contains_eager(Placement.intern))
        .order_by(case((ended, 1), else_=0), func.lower(User.full_name), User.email, Placement.id)
    )
    paginated = db.paginate(statement, page=page, per_page=COMPLIANCE_PAGE_SIZE, error_out=False, count=True)
    rows = progress_for(paginated.items, today=today, now=now)
    return CompliancePage(rows=rows, page=paginated.page, pages=paginated.pages or 1, total=paginated.total or 0)


# ---- stipend CSV -----------------------------------------------------------------------------------


def parse_month(text: str | None) -> tuple[int, int] | None:
    """"2025-10" as (2025, 10); None for anything else."""
    match = _MONTH_PARAM.fullmatch((text or "").strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 2000 <= year <= 2999):
        return None
    return year, month


def stipend_rows(user: User, year: int, month: int, *, today: date, now: datetime) -> list[list[str]]:
    """The header and one row per stipend-eligible placement active in the month, by intern name."""
    mondays = month_weeks(year, month)
    first, last = mondays[0], mondays[-1] + timedelta(days=6)
    statement = (
        _with_people(visible_placements(user))
        .join(User, User.id == Placement.intern_id)
        .options(contains_eager(Placement.intern))
        .where(
            Placement.stipend_eligible.is_(True),
            Placement.start_date <= last,
            or_(Placement.end_date.is_(None), Placement.end_date >= first),
        )
        .order_by(func.lower(User.full_name), User.email, Placement.id)
    )
    placements = list(db.session.scalars(statement).unique())
    records = week_records([placement.id for placement in placements], mondays=(mondays[0], mondays[-1]))
    rows = [list(STIPEND_CSV_COLUMNS)]
    for placement in placements:
        figures = month_figures(placement, placement.program.rules(), records.get(placement.id, []), year, month,
                                today=today)
        if figures is None:
            continue
        stipend = figures.stipend
        intern = placement.intern
        rows.append(
            [
                neutralise_cell(intern.full_name or ""),
                neutralise_cell(intern.email),
                f"{year:04d}-{month:02d}",
                f"{len(stipend.active_weeks)} of {len(stipend.weeks_in_month)}",
                figures.average_hours,
                decimal_dollars(stipend.tier.monthly_cents),
                decimal_dollars(stipend.amount_cents),
                "final" if figures.final else "so far",
            ]
        )
    return rows

