"""The review queue: which applications a staff member sees, filtered, scored, sorted and paged.

Reads only (nothing here changes a row) and never touches the request: the view parses the filters.
The number of queries is the same whatever the number of applications:

1. ``visible_programs``: the programs the person reviews (every program for admins);
2. the filtered applications as (id, status, scored by me), newest first: the status counts, the
   total and the order all come from this one list;
3. the criterion values of every submitted review in the visible programs: the normalisation pool,
   turned into fair scores by ``portal.rules.scores``;
4. the current page's applications, their program joined in.

Blind review is a program setting: rows of a blind program carry no name (``QueueRow.display_name``
is "Applicant A-0042"), the search never matches a blind program's names or emails, and the export
leaves the identifying columns empty. Voluntary self-identification is never loaded here.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.models import (
    Application,
    ApplicationAnswer,
    ApplicationQuestion,
    Program,
    Review,
    Role,
    Score,
    User,
    program_reviewers,
)
from portal.rules.pipeline import ApplicationStatus
from portal.rules.scores import (
    ApplicationScore,
    ReviewScore,
    fair_scores,
    review_score,
    round_score,
    sort_key_normalised,
    sort_key_raw,
)
from portal.services.spreadsheets import neutralise_cell

PAGE_SIZE = 25
BLIND_LABEL = "Applicant {reference}"

_REFERENCE = re.compile(r"a-?0*(\d{1,9})")


class QueueSort(StrEnum):
    SUBMITTED = "submitted"  # newest first
    RAW = "raw"  # best raw mean first, unscored last
    NORMALISED = "normalised"  # best fair score first, unscored last


@dataclass(frozen=True)
class QueueFilters:
    """What the person narrowed the queue to; the defaults show everything they may see."""

    status: ApplicationStatus | None = None
    program_id: int | None = None
    needs_my_score: bool = False  # no submitted review by the person looking
    wants_credit: bool = False
    seeks_stipend: bool = False
    hours_min: int | None = None
    hours_max: int | None = None
    search: str = ""  # name, preferred name or email (never in blind programs), or a reference "A-0042"


@dataclass(frozen=True)
class QueueRow:
    application: Application
    score: ApplicationScore
    scored_by_me: bool

    @property
    def blind(self) -> bool:
        return self.application.program.blind_review

    @property
    def display_name(self) -> str:
        return blind_label(self.application) if self.blind else self.application.full_name

    @property
    def raw_mean(self) -> str:
        """For display: "3.67", or "–" while nobody has scored it."""
        return round_score(self.score.raw_mean)

    @property
    def normalised(self) -> str:
        return round_score(self.score.normalised)


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int  # applications matching every filter
    page: int  # 1-based, clamped to the pages there are
    per_page: int
    status_counts: dict[ApplicationStatus, int]  # every status, for the filters other than status
    programs: list[Program] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first(self) -> int:
        """The position of the first row shown ("Showing 26–50 of 137"); 0 when there is none."""
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def blind_programs_visible(self) -> bool:
        return any(program.blind_review for program in self.programs)


def blind_label(application: Application) -> str:
    return BLIND_LABEL.format(reference=application.reference)


def visible_programs(user: User) -> list[Program]:
    """Every program for admins; the programs a supervisor reviews; none for anyone else."""
    if user.role not in (Role.ADMIN, Role.SUPERVISOR):
        return []
    statement = select(Program).order_by(Program.title, Program.id)
    if user.role != Role.ADMIN:
        statement = statement.join(program_reviewers, program_reviewers.c.program_id == Program.id).where(
            program_reviewers.c.user_id == user.id
        )
    return list(db.session.scalars(statement))


# ---- the queries ----------------------------------------------------------------------------------


def _scored_by(user: User) -> ColumnElement[bool]:
    """True for an application with a submitted review by ``user``."""
    return exists().where(
        Review.application_id == Application.id,
        Review.reviewer_id == user.id,
        Review.submitted_at.is_not(None),
    )


def _search_condition(term: str, blind_ids: Sequence[int]) -> ColumnElement[bool]:
    term = term.strip().lower()
    matches = [
        func.lower(Application.full_name).contains(term, autoescape=True),
        func.lower(Application.preferred_name).contains(term, autoescape=True),
        Application.email.contains(term, autoescape=True),  # stored lower-cased
    ]
    identity = or_(*matches)
    if blind_ids:
        identity = identity & Application.program_id.not_in(blind_ids)
    reference = _REFERENCE.fullmatch(term.replace(" ", ""))
    if reference:
        return or_(identity, Application.id == int(reference.group(1)))
    return identity


def _filtered(statement: Select, user: User, programs: Sequence[Program], filters: QueueFilters) -> Select:
    """``statement`` narrowed to the visible, undeleted applications matching every filter but status."""
    visible_ids = [program.id for program in programs]
    statement = statement.where(Application.program_id.in_(visible_ids), Application.data_deleted_at.is_(None))
    if filters.program_id is not None:
        statement = statement.where(Application.program_id == filters.program_id)
    if filters.needs_my_score:
        statement = statement.where(~_scored_by(user))
    if filters.wants_credit:
        statement = statement.where(Application.wants_credit.is_(True))
    if filters.seeks_stipend:
        statement = statement.where(Application.seeks_stipend.is_(True))
    if filters.hours_min is not None:
        statement = statement.where(Application.hours_per_week >= filters.hours_min)
    if filters.hours_max is not None:
        statement = statement.where(Application.hours_per_week <= filters.hours_max)
    if filters.search.strip():
        blind_ids = [program.id for program in programs if program.blind_review]
        statement = statement.where(_search_condition(filters.search, blind_ids))
    return statement.order_by(Application.submitted_at.desc(), Application.id.desc())


def _scores(programs: Sequence[Program], application_ids: Iterable[int]) -> dict[int, ApplicationScore]:
    """Fair scores of the visible applications; the pool is every submitted review in ``programs``."""
    rows = db.session.execute(
        select(Review.application_id, Review.reviewer_id, Score.value)
        .join(Score, Score.review_id == Review.id)
        .join(Application, Application.id == Review.application_id)
        .where(
            Review.submitted_at.is_not(None),
            Application.program_id.in_([program.id for program in programs]),
            Application.data_deleted_at.is_(None),
        )
    )
    values: dict[tuple[int, int], list[int]] = defaultdict(list)
    for application_id, reviewer_id, value in rows:
        values[(application_id, reviewer_id)].append(value)
    reviews = []
    for (application_id, reviewer_id), criterion_values in values.items():
        score = review_score(criterion_values)
        if score is not None:
            reviews.append(ReviewScore(application_id, reviewer_id, score))
    return fair_scores(reviews, application_ids=application_ids)


def _ordered(ids: list[int], scores: dict[int, ApplicationScore], sort: QueueSort) -> list[int]:
    """``ids`` (newest first already) in the order asked for."""
    if sort is QueueSort.RAW:
        return sorted(ids, key=lambda application_id: sort_key_raw(scores[application_id]))
    if sort is QueueSort.NORMALISED:
        return sorted(ids, key=lambda application_id: sort_key_normalised(scores[application_id]))
    return ids


# ---- the queue page -----------------------------------------------------------------------------


def build_queue(
    user: User,
    programs: Sequence[Program],
    filters: QueueFilters,
    sort: QueueSort = QueueSort.SUBMITTED,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> QueuePage:
    """One page of the queue of ``user``, who sees ``programs`` (from ``visible_programs``)."""
    listed = db.session.execute(
        _filtered(
            select(Application.id, Application.status, _scored_by(user).label("scored_by_me")), user, programs, filters
        )
    ).all()
    counts = Counter(status for _id, status, _mine in listed)
    status_counts = {status: counts.get(status, 0) for status in ApplicationStatus}
    matching = [row for row in listed if filters.status is None or row.status == filters.status]
    scored_by_me = {application_id for application_id, _status, mine in matching if mine}

    scores = _scores(programs, [application_id for application_id, _status, _mine in matching])
    ordered = _ordered([application_id for application_id, _status, _mine in matching], scores, sort)

    pages = max(1, math.ceil(len(ordered) / per_page))
    page = min(max(1, page), pages)
    page_ids = ordered[(page - 1) * per_page : page * per_page]
    by_id: dict[int, Application] = {}
    if page_ids:
        by_id = {
            application.id: application
            for application in db.session.scalars(
                select(Application).where(Application.id.in_(page_ids)).options(joinedload(Application.program))
            )
        }
    rows = [
        QueueRow(by_id[application_id], scores[application_id], application_id in scored_by_me)
        for application_id in page_ids
        if application_id in by_id
    ]
    return QueuePage(
        rows=rows,
        total=len(ordered),
        page=page,
        per_page=per_page,
        status_counts=status_counts,
        programs=list(programs),
    )


# ---- the CSV export -----------------------------------------------------------------------------

EXPORT_COLUMNS: tuple[str, ...] = (
    "reference",
    "name",
    "email",
    "phone",
    "city",
    "school",
    "major",
    "status",
    "submitted_at",
    "hours_per_week",
    "weeks_available",
    "earliest_start",
    "wants_credit",
    "seeks_stipend",
    "reviews",
    "raw_mean",
    "normalised",
)
# Left empty for a blind program's applications.
BLIND_COLUMNS = frozenset({"name", "email", "phone", "school"})


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, ApplicationStatus):
        return value.label
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    return str(value)


def _score_cell(value: float | None) -> str:
    return "" if value is None else round_score(value)


def _export_record(application: Application, score: ApplicationScore) -> dict[str, Any]:
    return {
        "reference": application.reference,
        "name": application.full_name,
        "email": application.email,
        "phone": application.phone,
        "city": application.city,
        "school": application.school,
        "major": application.major,
        "status": application.status,
        "submitted_at": application.submitted_at,
        "hours_per_week": application.hours_per_week,
        "weeks_available": application.weeks_available,
        "earliest_start": application.earliest_start,
        "wants_credit": application.wants_credit,
        "seeks_stipend": application.seeks_stipend,
        "reviews": score.reviews,
        "raw_mean": _score_cell(score.raw_mean),
        "normalised": _score_cell(score.normalised),
    }


def _answer_cell(answer: ApplicationAnswer) -> str:
    return "; ".join(answer.choices) if answer.choices else answer.text


def question_columns(
    programs: Sequence[Program], applications: Iterable[Application], program_id: int | None = None
) -> list[tuple[str, list[int]]]:
    """The export's question columns as (header, question ids), one query: the active questions of the programs
    exported (those of the applications, and the filtered one), then retired ones that have answers among them.

    The header is the question's label; programs asking the same label share its column (a cloned program),
    and a label met twice in one program, or equal to a fixed column's name, gets its key in brackets.
    """
    applications = list(applications)
    program_ids = {application.program_id for application in applications} | ({program_id} - {None})
    answered = {answer.question_id for application in applications for answer in application.answers}
    order = {program.id: index for index, program in enumerate(programs)}
    questions = db.session.scalars(
        select(ApplicationQuestion).where(ApplicationQuestion.program_id.in_(list(program_ids)))
    ).all()
    questions = sorted(
        (q for q in questions if q.retired_at is None or q.id in answered),
        key=lambda q: (q.retired_at is not None, order.get(q.program_id, len(order)), q.position, q.id),
    )
    columns: dict[str, list[int]] = {}
    asked_by: dict[str, set[int]] = defaultdict(set)  # header → the programs whose question has it
    for question in questions:
        header = question.label
        if header in EXPORT_COLUMNS or question.program_id in asked_by[header]:
            header = f"{question.label} ({question.key})"
        asked_by[header].add(question.program_id)
        columns.setdefault(header, []).append(question.id)
    return list(columns.items())


def export_rows(
    user: User, programs: Sequence[Program], filters: QueueFilters, sort: QueueSort = QueueSort.SUBMITTED
) -> list[list[str]]:
    """The header and one row per application of the filtered queue (every page), cells neutralised; a column
    per question of the programs exported (answers are shown in blind programs too, as on the review page)."""
    statement = _filtered(select(Application), user, programs, filters).options(
        joinedload(Application.program), selectinload(Application.answers)
    )
    if filters.status is not None:
        statement = statement.where(Application.status == filters.status)
    applications = {application.id: application for application in db.session.scalars(statement)}
    newest_first = list(applications)
    scores = _scores(programs, newest_first)
    questions = question_columns(programs, applications.values(), filters.program_id)
    rows = [list(EXPORT_COLUMNS) + [neutralise_cell(header) for header, _ in questions]]
    for application_id in _ordered(newest_first, scores, sort):
        application = applications[application_id]
        record = _export_record(application, scores[application_id])
        blind = application.program.blind_review
        answers = {answer.question_id: _answer_cell(answer) for answer in application.answers}
        rows.append(
            [
                "" if blind and column in BLIND_COLUMNS else neutralise_cell(_cell(record[column]))
                for column in EXPORT_COLUMNS
            ]
            + [neutralise_cell(next((answers[i] for i in ids if i in answers), "")) for _, ids in questions]
        )
    return rows
