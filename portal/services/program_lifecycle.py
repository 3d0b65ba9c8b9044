"""A program's life: created as a draft, published, closed, reopened, archived, cloned for the next term;
and the admin list's figures, read with a fixed number of queries.

Never commits: the admin views run these inside ``portal.web.transaction``. Which move is allowed is
``portal.rules.program_states``'s table; this module applies it, stamps it and audits it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from portal.demo.posting import ACTIVITY_CATEGORIES
from portal.extensions import db
from portal.models import (
    ActivityCategory,
    Application,
    ApplicationQuestion,
    ApplicationStatus,
    Placement,
    Program,
    ProgramState,
    RubricCriterion,
    StipendTierSetting,
    User,
)
from portal.rules.program_states import (
    Action,
    ListedStatus,
    Missing,
    listed_status,
    next_term_dates,
    publish_checklist,
    reopen_refusal,
    target_state,
)
from portal.rules.settings import DEFAULT_TIERS
from portal.services.audit import record_event
from portal.services.errors import Refused

#: A program's address: lower-case letters and digits in words joined by single hyphens.
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SLUG_MAX = 80
#: A new draft's default dates, counted from the day it is created.
DEFAULT_OPENS_IN = timedelta(days=30)
DEFAULT_CLOSES_IN = timedelta(days=60)
DEFAULT_START_WINDOW = timedelta(days=60)


def slugify(title: str) -> str:
    """A web address from a title: "Spring Youth Organizing Fellowship!" → "spring-youth-organizing-fellowship"."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-") or "program"


def ensure_slug_available(slug: str, program: Program | None = None) -> None:
    """Refuse an address another program already has (``program`` itself may keep its own)."""
    query = select(Program.id).where(Program.slug == slug)
    if program is not None and program.id is not None:
        query = query.where(Program.id != program.id)
    if db.session.scalar(query) is not None:
        raise Refused("That address is taken by another program; choose another", field="slug")


def flush_with_slug() -> None:
    """Flush; an address another request took at the same moment (two saves, two clones) is refused, not a 500."""
    try:
        db.session.flush()
    except IntegrityError:  # the caller's transaction rolls back
        raise Refused("That address is taken by another program; choose another", field="slug") from None


def free_slug(base: str) -> str:
    """``base`` if no program has it, else ``base-2``, ``base-3``… (one query, however many are taken)."""
    taken = set(db.session.scalars(select(Program.slug).where(Program.slug.like(f"{base[: SLUG_MAX - 4]}%"))))
    if base not in taken:
        return base
    number = 2
    while (candidate := f"{base[: SLUG_MAX - 1 - len(str(number))]}-{number}") in taken:
        number += 1
    return candidate


@dataclass(frozen=True)
class NewProgramValues:
    """The "New program" form, parsed: the slug is already defaulted from the title when left blank."""

    title: str
    slug: str
    organisation: str
    applications_open: date
    applications_close: date
    start_window_start: date
    start_window_end: date


def default_dates(today: date) -> dict[str, date]:
    """A new draft's window: applications open in 30 days and close in 60; starts within 60 days after."""
    closes = today + DEFAULT_CLOSES_IN
    return {
        "applications_open": today + DEFAULT_OPENS_IN,
        "applications_close": closes,
        "start_window_start": closes,
        "start_window_end": closes + DEFAULT_START_WINDOW,
    }


def _audit_dates(program: Program) -> dict[str, str]:
    names = ("applications_open", "applications_close", "start_window_start", "start_window_end")
    return {name: getattr(program, name).isoformat() for name in names}


def _tier_rows(tiers) -> list[StipendTierSetting]:
    return [StipendTierSetting(min_average_minutes=t.min_average_minutes, monthly_cents=t.monthly_cents) for t in tiers]


def create_program(values: NewProgramValues, *, actor: User) -> Program:
    """A new draft with the default rules, stipend tiers and activity categories, and no rubric yet."""
    ensure_slug_available(values.slug)
    program = Program(state=ProgramState.DRAFT, **asdict(values))
    program.stipend_tiers = _tier_rows(DEFAULT_TIERS)
    program.categories = [
        ActivityCategory(name=name, is_learning=learning, position=i)
        for i, (name, learning) in enumerate(ACTIVITY_CATEGORIES)
    ]
    db.session.add(program)
    flush_with_slug()
    record_event(
        "program.created",
        target_type="program",
        target_id=program.id,
        actor=actor,
        to_state=program.state.value,
        details={
            "after": {
                "title": program.title,
                "slug": program.slug,
                "organisation": program.organisation,
                **_audit_dates(program),
            }
        },
    )
    return program


def checklist(program: Program, today: date) -> list[Missing]:
    """What stops ``program`` being published today (empty when nothing does)."""
    return publish_checklist(
        body=program.body, active_criteria=len(program.active_rubric()), closes=program.applications_close, today=today
    )


def change_state(program: Program, action: Action, *, actor: User, today: date) -> ProgramState:
    """Publish, close, reopen, archive or unarchive ``program`` as the rules' table allows; audited."""
    before = program.state
    after = target_state(before, action, ever_published=program.published_at is not None)
    if after is None:
        raise Refused(f"A {before.label.lower()} program cannot be {_PAST[action]}.")
    if action is Action.PUBLISH:
        missing = checklist(program, today)
        if missing:
            raise Refused("Not published yet: " + " ".join(item.message for item in missing))
        if program.published_at is None:
            program.published_at = datetime.now(UTC)  # from now on the address is fixed
    if action is Action.REOPEN and (refusal := reopen_refusal(today, program.applications_close)):
        raise Refused(refusal, field="posting")
    program.state = after
    db.session.flush()
    record_event(
        f"program.{_PAST[action]}",
        target_type="program",
        target_id=program.id,
        actor=actor,
        from_state=before.value,
        to_state=after.value,
    )
    return after


_PAST = {
    Action.PUBLISH: "published",
    Action.CLOSE: "closed",
    Action.REOPEN: "reopened",
    Action.ARCHIVE: "archived",
    Action.UNARCHIVE: "unarchived",
}

#: The columns a clone copies as they are (title and slug get new values; dates are copied for the admin to move).
_DATE_COLUMNS = ("applications_open", "applications_close", "start_window_start", "start_window_end")
_CLONED_COLUMNS = (
    "organisation",
    "location",
    "summary",
    "body",
    "places",
    "rolling",
    "blind_review",
    "retention_months",
    "min_week_minutes",
    "max_week_minutes",
    "max_day_minutes",
    "min_weeks",
    "stipend_min_week_minutes",
)
_QUESTION_COLUMNS = ("key", "kind", "label", "help_text", "required", "max_chars", "max_words", "position")


def clone_program(source: Program, *, actor: User, today: date) -> Program:
    """A new draft for the next term: the posting, rules, tiers and the active rubric, categories and
    questions, with its dates moved to after the original's (``next_term_dates``); never applications,
    reviews or interns."""
    copy = Program(
        title=f"Copy of {source.title}"[:200],
        slug=free_slug(f"{source.slug[: SLUG_MAX - 5]}-copy"),
        state=ProgramState.DRAFT,
        **{name: getattr(source, name) for name in _CLONED_COLUMNS},
        **next_term_dates(**{name: getattr(source, name) for name in _DATE_COLUMNS}, today=today),
    )
    copy.stipend_tiers = _tier_rows(source.stipend_tiers)
    copy.rubric = [
        RubricCriterion(name=c.name, description=c.description, required=c.required, position=c.position)
        for c in source.active_rubric()
    ]
    copy.categories = [
        ActivityCategory(name=c.name, is_learning=c.is_learning, position=c.position)
        for c in source.active_categories()
    ]
    copy.questions = [
        ApplicationQuestion(options=list(q.options or []), **{name: getattr(q, name) for name in _QUESTION_COLUMNS})
        for q in source.active_questions()
    ]
    db.session.add(copy)
    flush_with_slug()
    record_event(
        "program.cloned",
        target_type="program",
        target_id=copy.id,
        actor=actor,
        to_state=copy.state.value,
        details={
            "source_id": source.id,
            "source_slug": source.slug,
            "after": {"title": copy.title, "slug": copy.slug, **_audit_dates(copy)},
            "copied": {
                "rubric": len(copy.rubric),
                "categories": len(copy.categories),
                "questions": len(copy.questions),
                "tiers": len(copy.stipend_tiers),
            },
        },
    )
    return copy


@dataclass(frozen=True)
class ProgramFigures:
    """The counts the list and the overview show for one program."""

    applications: int = 0
    places_taken: int = 0
    interns: int = 0


@dataclass(frozen=True)
class ProgramRow:
    """One line of the admin list."""

    program: Program
    status: ListedStatus
    figures: ProgramFigures


def program_figures(program_ids: list[int]) -> dict[int, ProgramFigures]:
    """Applications, places taken (accepted) and interns per program: two grouped queries for any number."""
    if not program_ids:
        return {}
    accepted = func.sum(case((Application.status == ApplicationStatus.ACCEPTED, 1), else_=0))
    applications = {
        program_id: (total, taken or 0)
        for program_id, total, taken in db.session.execute(
            select(Application.program_id, func.count(Application.id), accepted)
            .where(Application.program_id.in_(program_ids))
            .group_by(Application.program_id)
        )
    }
    interns = dict(
        db.session.execute(
            select(Placement.program_id, func.count(Placement.id))
            .where(Placement.program_id.in_(program_ids))
            .group_by(Placement.program_id)
        ).all()
    )
    return {
        program_id: ProgramFigures(
            applications=applications.get(program_id, (0, 0))[0],
            places_taken=applications.get(program_id, (0, 0))[1],
            interns=interns.get(program_id, 0),
        )
        for program_id in program_ids
    }


def admin_programs_query(*, archived: bool):
    """Every program for the admin list, newest window first; the archived ones apart."""
    state_filter = Program.state == ProgramState.ARCHIVED if archived else Program.state != ProgramState.ARCHIVED
    return select(Program).where(state_filter).order_by(Program.applications_open.desc(), Program.title, Program.id)


def archived_count() -> int:
    """How many programs the "Show archived" link leads to."""
    return db.session.scalar(select(func.count(Program.id)).where(Program.state == ProgramState.ARCHIVED)) or 0


def program_rows(programs: list[Program], today: date) -> list[ProgramRow]:
    """The admin list's rows for one page of programs (their figures in two grouped queries)."""
    figures = program_figures([program.id for program in programs])
    return [
        ProgramRow(
            program,
            listed_status(program.state, today, program.applications_open, program.applications_close),
            figures[program.id],
        )
        for program in programs
    ]
