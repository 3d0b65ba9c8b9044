"""The recruitment report: figures added up by the database (GROUP BY, COUNT, SUM), never every application.

Everything counts the applications *submitted* in the date range, of the programs in the filters. The
only per-application numbers fetched are the two duration columns the median and 90th percentile need
(one float each). Anonymous rows left by "delete my data" and the purge still count: their status and
dates stay, their answers do not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup
from sqlalchemy import Date, Float, case, cast, exists, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from portal.extensions import db
from portal.formatting import MONTH_NAMES, long_date
from portal.models import Application, ApplicationAnswer, ApplicationQuestion, AuditEvent, Program, Review, Score, User
from portal.rules.pipeline import ApplicationStatus
from portal.rules.report_statistics import (
    Durations,
    Spread,
    format_share,
    leaning,
    per_week,
    share,
    spread_from_sums,
    summarise_durations,
    week_span,
)
from portal.services.questions import HEARD_ABOUT_KEY
from portal.services.report_charts import bar_chart, column_chart, format_number
from portal.services.report_filters import ReportFilters
from portal.services.spreadsheets import neutralise_cell

_S = ApplicationStatus
#: How many different "heard about" answers are listed; the rest are added up as "Other answers".
HEARD_ABOUT_ROWS = 10


# ---- two portable SQL expressions -------------------------------------------------------------------


class days_between(FunctionElement):
    """Days (fractional) from the first datetime column to the second, on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)})) / 86400.0)"


class utc_day(FunctionElement):
    """The calendar day (UTC, as stored) of a datetime column."""

    type = Date()
    inherit_cache = True


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element, compiler, **kw):
    return f"date({compiler.process(list(element.clauses)[0], **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element, compiler, **kw):
    return compiler.process(cast(list(element.clauses)[0], Date), **kw)


def _in_filters(filters: ReportFilters) -> list:
    conditions = [Application.program_id.in_(filters.program_ids)]
    if filters.start is not None:
        conditions.append(Application.submitted_at >= filters.start)
    if filters.end is not None:
        conditions.append(Application.submitted_at < filters.end)
    return conditions


# ---- the funnel -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelRow:
    key: str
    label: str
    count: int
    share: float | None  # of the ``base`` step; None for the first row or an empty base
    base: str  # the step the share is of ("submitted"), "" for the first row

    @property
    def share_text(self) -> str:
        return "" if not self.base else f"{format_share(self.share)} of {self.base}"


def _ever_reached(status: ApplicationStatus):
    """The application was at ``status`` at some point: now, or in a recorded status change."""
    return or_(
        Application.status == status,
        exists().where(
            AuditEvent.target_type == "application",
            AuditEvent.target_id == Application.id,
            AuditEvent.action == "application.status_changed",
            AuditEvent.to_state == status.value,
        ),
    )


def _count_when(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def recruitment_funnel(filters: ReportFilters) -> list[FunnelRow]:
    """Submitted → in review → interview, then the outcomes, in one query.

    "In review" counts every application that moved on from submitted, except by withdrawing (a
    decision is made on a reviewed application, even when nobody moved it to "in review" first), and
    those withdrawn while in review or later. Decisions are shares of "in review", withdrawals and the
    still-open ones shares of "submitted", so no share can pass 100 %.
    """
    decided = (_S.ACCEPTED, _S.WAITLISTED, _S.DECLINED)
    reviewed = or_(
        Application.status.in_((_S.IN_REVIEW, _S.INTERVIEW, *decided)),
        _ever_reached(_S.IN_REVIEW),
        _ever_reached(_S.INTERVIEW),
    )
    row = db.session.execute(
        select(
            func.count(Application.id),
            _count_when(reviewed),
            _count_when(_ever_reached(_S.INTERVIEW)),
            *(_count_when(Application.status == status) for status in (*decided, _S.WITHDRAWN)),
            _count_when(Application.status.in_((_S.SUBMITTED, _S.IN_REVIEW, _S.INTERVIEW))),
        ).where(*_in_filters(filters))
    ).one()
    submitted, in_review, interview, accepted, waitlisted, declined, withdrawn, still_open = (int(n) for n in row)
    return [
        FunnelRow("submitted", "Submitted", submitted, None, ""),
        FunnelRow("in_review", "In review", in_review, share(in_review, submitted), "submitted"),
        FunnelRow("interview", "Invited to interview", interview, share(interview, in_review), "in review"),
        FunnelRow("accepted", "Accepted", accepted, share(accepted, in_review), "in review"),
        FunnelRow("waitlisted", "Waitlisted", waitlisted, share(waitlisted, in_review), "in review"),
        FunnelRow("declined", "Declined", declined, share(declined, in_review), "in review"),
        FunnelRow("withdrawn", "Withdrawn", withdrawn, share(withdrawn, submitted), "submitted"),
        FunnelRow("open", "Not decided yet", still_open, share(still_open, submitted), "submitted"),
    ]


# ---- times ------------------------------------------------------------------------------------------


def recruitment_time_to_first_review(filters: ReportFilters) -> Durations:
    """Days from submission to the first submitted review, per application (one number each)."""
    first_review = func.min(Review.submitted_at)
    days = db.session.scalars(
        select(days_between(Application.submitted_at, first_review))
        .join(Review, Review.application_id == Application.id)
        .where(Review.submitted_at.is_not(None), *_in_filters(filters))
        .group_by(Application.id, Application.submitted_at)
    ).all()
    return summarise_durations([float(value) for value in days])


def recruitment_time_to_decision(filters: ReportFilters) -> Durations:
    """Days from submission to acceptance or decline (a waitlist is not a final decision; a withdrawal
    is the applicant's, not the program's)."""
    days = db.session.scalars(
        select(days_between(Application.submitted_at, Application.decided_at)).where(
            Application.status.in_((_S.ACCEPTED, _S.DECLINED)),
            Application.decided_at.is_not(None),
            *_in_filters(filters),
        )
    ).all()
    return summarise_durations([float(value) for value in days])


# ---- per week ---------------------------------------------------------------------------------------


def report_window(filters: ReportFilters, program: Program | None, today: date) -> tuple[date, date] | None:
    """The weeks a chosen program's report covers: its application window up to today, inside the dates
    filtered on; None for several programs (then the weeks run from the first application to the last)."""
    if program is None:
        return None
    start, end = program.applications_open, min(program.applications_close, max(today, program.applications_open))
    if filters.date_from is not None:
        start = max(start, filters.date_from)
    if filters.date_to is not None:
        end = min(end, filters.date_to)
    return (start, end) if start <= end else None


def recruitment_per_week(filters: ReportFilters, window: tuple[date, date] | None) -> list[tuple[date, int]]:
    """Applications per week (by their Monday), counted per day by the database, every week from the
    first to the last shown (``window`` widens it), empty ones as 0."""
    day = utc_day(Application.submitted_at)
    rows = db.session.execute(select(day, func.count()).where(*_in_filters(filters)).group_by(day)).all()
    counts = {_as_date(value): int(count) for value, count in rows}
    days = sorted(counts)
    mondays = week_span(days[0] if days else None, days[-1] if days else None, window=window)
    return per_week(counts, mondays)


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


# ---- how applicants heard of the program ------------------------------------------------------------


@dataclass(frozen=True)
class HeardAbout:
    rows: list[tuple[str, int]]  # the most given answers, most first
    other: int  # answers beyond the first HEARD_ABOUT_ROWS
    answered: int

    def chart_rows(self) -> list[tuple[str, float]]:
        return [*self.rows, *([("Other answers", self.other)] if self.other else [])]


def recruitment_heard_about(filters: ReportFilters) -> HeardAbout:
    """Answers to the standard question (key ``heard_about``), the same answer typed differently
    (case, spaces) counted together; the total comes from the same query (a window sum)."""
    normalised = func.lower(func.trim(ApplicationAnswer.text))
    count = func.count(ApplicationAnswer.id)
    rows = db.session.execute(
        select(func.min(ApplicationAnswer.text), count, func.sum(count).over())
        .join(ApplicationQuestion, ApplicationQuestion.id == ApplicationAnswer.question_id)
        .join(Application, Application.id == ApplicationAnswer.application_id)
        .where(ApplicationQuestion.key == HEARD_ABOUT_KEY, func.trim(ApplicationAnswer.text) != "")
        .where(*_in_filters(filters))
        .group_by(normalised)
        .order_by(count.desc(), func.min(ApplicationAnswer.text))
        .limit(HEARD_ABOUT_ROWS)
    ).all()
    answered = int(rows[0][2]) if rows else 0
    listed = [(text.strip(), int(number)) for text, number, _ in rows]
    return HeardAbout(listed, answered - sum(number for _, number in listed), answered)


# ---- reviewers --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewerRow:
    name: str
    reviews: int
    scores: Spread  # of every criterion score they gave
    leaning: str  # "lenient", "strict" or ""


@dataclass(frozen=True)
class ReviewerActivity:
    reviewers: list[ReviewerRow]
    everyone: Spread


def recruitment_reviewers(filters: ReportFilters) -> ReviewerActivity:
    """Per reviewer: submitted reviews, criterion scores given, their mean and spread (from Σx and Σx²
    added up by the database), and whether they lean lenient or strict against everyone's mean."""
    value = Score.value
    rows = db.session.execute(
        select(
            User.full_name,
            User.email,
            func.count(func.distinct(Review.id)),
            func.count(Score.id),
            func.sum(value),
            func.sum(value * value),
        )
        .select_from(Score)
        .join(Review, Review.id == Score.review_id)
        .join(User, User.id == Review.reviewer_id)
        .join(Application, Application.id == Review.application_id)
        .where(Review.submitted_at.is_not(None), *_in_filters(filters))
        .group_by(User.id, User.full_name, User.email)
        .order_by(func.count(Score.id).desc(), User.full_name, User.email)
    ).all()
    reviewers = [
        (name or email, int(reviews), spread_from_sums(int(count), float(total), float(squares)))
        for name, email, reviews, count, total, squares in rows
    ]
    everyone = spread_from_sums(
        sum(int(row[3]) for row in rows), sum(float(row[4]) for row in rows), sum(float(row[5]) for row in rows)
    )
    return ReviewerActivity(
        [ReviewerRow(name, reviews, scores, leaning(scores, everyone.mean)) for name, reviews, scores in reviewers],
        everyone,
    )


# ---- the whole report and its CSV -------------------------------------------------------------------


@dataclass(frozen=True)
class RecruitmentReport:
    filters: ReportFilters
    funnel: list[FunnelRow]
    to_first_review: Durations
    to_decision: Durations
    per_week: list[tuple[date, int]]
    heard_about: HeardAbout
    reviewers: ReviewerActivity

    @property
    def submitted(self) -> int:
        return self.funnel[0].count


def recruitment_report(filters: ReportFilters, *, program: Program | None, today: date) -> RecruitmentReport:
    """Every figure of the recruitment page: six queries whatever the number of applications."""
    return RecruitmentReport(
        filters=filters,
        funnel=recruitment_funnel(filters),
        to_first_review=recruitment_time_to_first_review(filters),
        to_decision=recruitment_time_to_decision(filters),
        per_week=recruitment_per_week(filters, report_window(filters, program, today)),
        heard_about=recruitment_heard_about(filters),
        reviewers=recruitment_reviewers(filters),
    )


CSV_HEADER = (
    "section",
    "item",
    "count",
    "percent",
    "percent_of",
    "median_days",
    "p90_days",
    "mean_score",
    "score_spread",
    "leaning",
)


def _number(value: float | None, places: int = 1) -> str:
    return "" if value is None else f"{value:.{places}f}"


def _percent(value: float | None) -> str:
    return "" if value is None else str(round(value * 100))


def _csv_row(section: str, item: str, count: int, **columns: str) -> tuple[str, ...]:
    """One CSV line: the named columns filled, the rest empty; free text (answers, names) made formula-safe."""
    values = {"section": section, "item": neutralise_cell(item), "count": str(count), **columns}
    return tuple(values.get(name, "") for name in CSV_HEADER)


def recruitment_csv_rows(report: RecruitmentReport) -> list[Sequence[str]]:
    """The page's figures as one table, a section per chart."""
    rows: list[Sequence[str]] = [CSV_HEADER]
    for step in report.funnel:
        rows.append(_csv_row("funnel", step.label, step.count, percent=_percent(step.share), percent_of=step.base))
    for label, item in (("first review", report.to_first_review), ("decision", report.to_decision)):
        rows.append(
            _csv_row("time to", label, item.count, median_days=_number(item.median), p90_days=_number(item.p90))
        )
    for monday, count in report.per_week:
        rows.append(_csv_row("applications per week", monday.isoformat(), count))
    answered = report.heard_about.answered
    for answer, count in report.heard_about.chart_rows():
        percent = _percent(share(int(count), answered))
        rows.append(_csv_row("heard about", answer, int(count), percent=percent, percent_of="answered"))
    for reviewer in report.reviewers.reviewers:
        scores = reviewer.scores
        rows.append(
            _csv_row(
                "reviewer scores",
                reviewer.name,
                scores.count,
                mean_score=_number(scores.mean, 2),
                score_spread=_number(scores.deviation, 2),
                leaning=reviewer.leaning,
            )
        )
    return rows


# ---- what the page shows: each chart and the table of the same figures ------------------------------


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    empty: str = "No applications match these filters."


def _days(value: float | None) -> str:
    if value is None:
        return "–"
    return "1 day" if round(value, 1) == 1 else f"{format_number(value)} days"


def _short_day(day: date) -> str:
    return f"{day.day} {MONTH_NAMES[day.month - 1][:3]}"


def recruitment_tables(report: RecruitmentReport) -> dict[str, Table]:
    """The page's tables: the alternative to each chart (and what a screen reader reads)."""
    reviewers = report.reviewers
    everyone = reviewers.everyone
    return {
        "funnel": Table(
            "Applications at each step",
            ("Step", "Applications", "Conversion"),
            [(step.label, str(step.count), step.share_text or "–") for step in report.funnel],
        ),
        "times": Table(
            "Days from submission",
            ("Until", "Applications", "Median", "90th percentile"),
            [
                (label, str(item.count), _days(item.median), _days(item.p90))
                for label, item in (
                    ("The first review", report.to_first_review),
                    ("A decision (accepted or declined)", report.to_decision),
                )
            ],
        ),
        "weeks": Table(
            "Applications per week",
            ("Week of", "Applications"),
            [(long_date(monday), str(count)) for monday, count in report.per_week],
        ),
        "heard_about": Table(
            "How applicants heard of the program",
            ("Answer", "Applicants", "Share of those who answered"),
            [
                (answer, str(int(count)), format_share(share(int(count), report.heard_about.answered)))
                for answer, count in report.heard_about.chart_rows()
            ],
            empty="Nobody answered “How did you hear about us?” in these applications.",
        ),
        "reviewers": Table(
            "Scores per reviewer",
            ("Reviewer", "Reviews", "Scores given", "Mean score", "Spread (standard deviation)", "Against everyone"),
            [
                (
                    row.name,
                    str(row.reviews),
                    str(row.scores.count),
                    _number(row.scores.mean, 2) or "–",
                    _number(row.scores.deviation, 2) or "–",
                    _against(row, everyone),
                )
                for row in reviewers.reviewers
            ],
            empty="No submitted reviews for these applications.",
        ),
    }


def _against(row: ReviewerRow, everyone: Spread) -> str:
    """"Lenient: 1.48 above everyone's mean (3.19)"; no word when close to it or with few scores."""
    if row.scores.mean is None or everyone.mean is None:
        return "–"
    difference = row.scores.mean - everyone.mean
    side = "above" if difference >= 0 else "below"
    words = {"lenient": "Lenient: ", "strict": "Strict: "}.get(row.leaning, "")
    return f"{words}{abs(difference):.2f} {side} everyone's mean ({everyone.mean:.2f})"


def recruitment_charts(report: RecruitmentReport) -> dict[str, Markup]:
    """One SVG per table, with a description a screen reader can use on its own."""
    funnel = report.funnel
    everyone = report.reviewers.everyone.mean
    return {
        "funnel": bar_chart(
            [(step.label, step.count) for step in funnel],
            title="Recruitment funnel",
            chart_id="funnel-chart",
            formatter=lambda value: format_number(value),
            description=(
                f"{funnel[0].count} submitted, {funnel[1].count} in review, {funnel[2].count} invited to interview, "
                f"{funnel[3].count} accepted, {funnel[4].count} waitlisted, {funnel[5].count} declined, "
                f"{funnel[6].count} withdrawn."
            ),
        ),
        "times": bar_chart(
            [
                (f"{label}: {kind}", value)
                for label, item in (("First review", report.to_first_review), ("Decision", report.to_decision))
                for kind, value in (("median", item.median), ("90th percentile", item.p90))
                if value is not None
            ],
            title="Days from submission to the first review and to a decision",
            unit=" days",
            chart_id="times-chart",
        ),
        "weeks": column_chart(
            [(_short_day(monday), count) for monday, count in report.per_week],
            title="Applications per week",
            chart_id="weeks-chart",
        ),
        "heard_about": bar_chart(
            report.heard_about.chart_rows(), title="How applicants heard of the program", chart_id="heard-chart"
        ),
        "reviewers": bar_chart(
            [(row.name, row.scores.mean or 0) for row in report.reviewers.reviewers],
            title="Mean score per reviewer (1 to 5)",
            chart_id="reviewers-chart",
            formatter=lambda value: f"{value:.2f}",
            description=(
                "No submitted reviews."
                if everyone is None
                else f"Everyone's mean is {everyone:.2f}; the table lists each reviewer's spread and leaning."
            ),
        ),
    }
