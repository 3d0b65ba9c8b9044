"""The review queue: which applications a staff member sees, filtered, scored, sorted and paged.

Reads only (nothing here changes a row) and never touches the request: the view parses the filters.
The database filters, sorts and pages; only the page's 25 applications are loaded, so the number of
queries and the rows read stay the same whatever the number of applications:

1. ``visible_programs``: the programs the person reviews (every program for admins);
2. the status counts of the filtered applications (every filter but status), one ``GROUP BY status``
   over the tally the database keeps (``portal.models.application_tally``: a few hundred rows whatever
   the number of applications), or over the applications themselves when a search or "needs my score"
   decides them (a search matches few; "needs my score" is one person's); the total is the chosen
   status's count, or their sum;
3. the page: ``ORDER BY … LIMIT 25 OFFSET …`` on the indexed figures, with the program, the program's
   score pool (for the normalised score) and "scored by me" joined in.

The scores are the figures ``portal.services.review_statistics`` keeps up to date whenever a review is
saved (``portal.rules.scores`` defines them): each application's review count, raw mean and mean z. The
normalised score is measured within the application's program (its pool, its reviewers' habits there) and
shown on that program's scale. Within one program it orders as the mean z does, so the queue sorts on
``mean_z``; across programs (an admin's queue) applications are ordered by how far each stands above its
own program's pool in spreads (``mean_z``), so two programs' normalised figures, each on its own scale, can
be out of order next to each other. Ties go by id, unscored applications last.

Blind review is a program setting: rows of a blind program carry no name (``QueueRow.display_name``
is "Applicant A-0042"), the search never matches a blind program's names or emails, and the export
leaves the identifying columns empty. Voluntary self-identification is never loaded here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select, true
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.models import (
    Application,
    ApplicationAnswer,
    ApplicationQuestion,
    ApplicationTally,
    Program,
    Review,
    Role,
    ScorePool,
    User,
    program_reviewers,
)
from portal.rules.pipeline import ApplicationStatus
from portal.rules.scores import ApplicationScore, Scale, normalised_score, round_score
from portal.services.queue_search import search_condition
from portal.services.spreadsheets import neutralise_cell

PAGE_SIZE = 25
BLIND_LABEL = "Applicant {reference}"


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
    def page_links(self) -> list[int | None]:
        """The page numbers to link: the first, the last and two either side of this one, None for a gap
        ("1 … 5 6 7 8 9 … 4000"); worked out from the numbers, not by walking every page."""
        around = range(max(1, self.page - 2), min(self.pages, self.page + 2) + 1)
        numbers = sorted({1, self.pages, *around})
        links: list[int | None] = []
        for number in numbers:
            if links and number - links[-1] == 2:  # a gap of one page: link it instead of an ellipsis
                links.append(number - 1)
            elif links and number - links[-1] > 2:
                links.append(None)
            links.append(number)
        return links

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


def _filtered(statement: Select, user: User, programs: Sequence[Program], filters: QueueFilters) -> Select:
    """``statement`` narrowed to the visible, undeleted applications matching every filter but status."""
    statement = _answered(statement.where(Application.data_deleted_at.is_(None)), Application, user, programs, filters)
    if filters.needs_my_score:
        statement = statement.where(~_scored_by(user))
    if filters.search.strip():
        blind_ids = [program.id for program in programs if program.blind_review]
        statement = statement.where(search_condition(filters.search, blind_ids))
    return statement


def _tallied(statement: Select, user: User, programs: Sequence[Program], filters: QueueFilters) -> Select:
    """``statement`` over ``application_tallies`` narrowed as ``_filtered`` narrows the applications; only for
    the filters the tally holds (not a search, not "needs my score")."""
    return _answered(statement, ApplicationTally, user, programs, filters)


def _answered(
    statement: Select,
    model: type[Application] | type[ApplicationTally],
    user: User,
    programs: Sequence[Program],
    filters: QueueFilters,
) -> Select:
    """The filters on what the applicant answered (and the visible programs), on the applications or on the
    tally, which share these columns."""
    visible_ids = [program.id for program in programs]
    if filters.program_id is not None:
        statement = statement.where(model.program_id == filters.program_id)
    if filters.program_id not in visible_ids:
        statement = statement.where(_in_programs(user, visible_ids, model.program_id))
    if filters.wants_credit:
        statement = statement.where(model.wants_credit.is_(True))
    if filters.seeks_stipend:
        statement = statement.where(model.seeks_stipend.is_(True))
    if filters.hours_min is not None:
        statement = statement.where(model.hours_per_week >= filters.hours_min)
    if filters.hours_max is not None:
        statement = statement.where(model.hours_per_week <= filters.hours_max)
    return statement


def status_counts(user: User, programs: Sequence[Program], filters: QueueFilters) -> dict[ApplicationStatus, int]:
    """How many visible, kept applications of each status match every filter but status (0 for none)."""
    if filters.search.strip() or filters.needs_my_score:
        statement = _filtered(select(Application.status, func.count()), user, programs, filters)
        statement = statement.group_by(Application.status)
    else:
        statement = _tallied(
            select(ApplicationTally.status, func.sum(ApplicationTally.applications)), user, programs, filters
        ).group_by(ApplicationTally.status)
    counted = {status: int(count or 0) for status, count in db.session.execute(statement)}
    return {status: counted.get(status, 0) for status in ApplicationStatus}


def _in_programs(user: User, visible_ids: list[int], program_id: ColumnElement[int]) -> ColumnElement[bool]:
    """The visible programs' rows, written so the database can read one program's queue in order from its
    index (``program_id = ?``), and an admin's from the index of every program (no condition)."""
    if user.role == Role.ADMIN:  # visible_programs gives admins every program
        return true()
    if len(visible_ids) == 1:
        return program_id == visible_ids[0]
    return program_id.in_(visible_ids)


def _order(sort: QueueSort) -> tuple[ColumnElement, ...]:
    """The ORDER BY of a sort, as the indexes ``ix_applications_queue_*`` hold it."""
    if sort is QueueSort.RAW:
        return (Application.scored.desc(), Application.raw_mean.desc(), Application.id)
    if sort is QueueSort.NORMALISED:
        return (Application.scored.desc(), Application.mean_z.desc(), Application.id)
    return (Application.submitted_at.desc(), Application.id.desc())


def _scored(statement: Select) -> Select:
    """``statement`` with its applications' program pool (mean and spread) joined in."""
    return statement.add_columns(ScorePool.mean, ScorePool.std).outerjoin(
        ScorePool, ScorePool.program_id == Application.program_id
    )


def _stored_score(application: Application, pool_mean: float | None, pool_std: float | None) -> ApplicationScore:
    """The application's figures as ``portal.rules.scores.fair_scores`` gives them, from the stored ones."""
    if not application.scored or pool_mean is None or pool_std is None:
        return ApplicationScore(application.id, 0, None, None, None)
    return ApplicationScore(
        application_id=application.id,
        reviews=application.review_count,
        raw_mean=application.raw_mean,
        normalised=normalised_score(Scale(pool_mean, pool_std), application.mean_z),
        mean_z=application.mean_z,
    )


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
    counts = status_counts(user, programs, filters)
    total = counts[filters.status] if filters.status is not None else sum(counts.values())
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    rows: list[QueueRow] = []
    if total:
        statement = _scored(_filtered(select(Application, _scored_by(user).label("mine")), user, programs, filters))
        if filters.status is not None:
            statement = statement.where(Application.status == filters.status)
        statement = (
            statement.order_by(*_order(sort))
            .limit(per_page)
            .offset((page - 1) * per_page)
            .options(joinedload(Application.program))
        )
        rows = [
            QueueRow(application, _stored_score(application, pool_mean, pool_std), bool(mine))
            for application, mine, pool_mean, pool_std in db.session.execute(statement)
        ]
    return QueuePage(
        rows=rows,
        total=total,
        page=page,
        per_page=per_page,
        status_counts=counts,
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
    statement = (
        _scored(_filtered(select(Application), user, programs, filters))
        .order_by(*_order(sort))
        .options(joinedload(Application.program), selectinload(Application.answers))
    )
    if filters.status is not None:
        statement = statement.where(Application.status == filters.status)
    loaded = db.session.execute(statement).all()
    applications = {application.id: application for application, _mean, _std in loaded}
    scores = {application.id: _stored_score(application, mean, std) for application, mean, std in loaded}
    questions = question_columns(programs, applications.values(), filters.program_id)
    rows = [list(EXPORT_COLUMNS) + [neutralise_cell(header) for header, _ in questions]]
    for application_id, application in applications.items():
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
