"""Public pages: the list of open programs and each program's posting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flask import Blueprint, abort, current_app, render_template, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Program
from portal.models.program import POSTING_SECTIONS
from portal.rules.availability import WindowState, application_window
from portal.rules.settings import StipendTier

bp = Blueprint("public", __name__)

PROGRAMS_PER_PAGE = 20

_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)

# Section anchors on the posting page ("how-to-apply"), keyed by heading as posting_sections() gives it.
_SECTION_IDS = {heading: field.replace("_", "-") for field, heading in POSTING_SECTIONS}


@bp.app_template_filter("long_date")
def long_date(value: date) -> str:
    """Dates the way the posting writes them: "30 September 2026", whatever the server's locale."""
    return f"{value.day} {_MONTH_NAMES[value.month - 1]} {value.year}"


@bp.app_template_filter("text_blocks")
def text_blocks(text: str | None) -> Iterator[tuple[str, list[str]]]:
    """Split posting text into ("p", lines) and ("ul", items) blocks for the ``render_text`` macro.

    A line starting with "- " is a list item; a blank line ends a paragraph; other lines in a row make
    one paragraph (shown with line breaks). Nothing is marked safe: the template escapes every line.
    """
    kind: str | None = None
    lines: list[str] = []
    for raw in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            line_kind = None
        elif line.startswith("- ") or line == "-":
            line_kind, line = "ul", line[2:].strip()
        else:
            line_kind = "p"
        if line_kind != kind or line_kind is None:
            if kind and lines:
                yield kind, lines
            kind, lines = line_kind, []
        if line_kind and line:
            lines.append(line)
    if kind and lines:
        yield kind, lines


@bp.app_context_processor
def endpoint_helpers() -> dict:
    """``has_endpoint("auth.login")`` lets shared templates link to pages other issues add, once they exist."""
    return {"has_endpoint": _has_endpoint}


def _has_endpoint(name: str) -> bool:
    return name in current_app.view_functions


def _apply_url(program: Program) -> str | None:
    """The application form's address once that route exists (a later issue adds ``public.apply``)."""
    if _has_endpoint("public.apply"):
        return url_for("public.apply", slug=program.slug)
    return None


def _tier_bands(tiers: tuple[StipendTier, ...]) -> list[tuple[StipendTier, int | None]]:
    """Each stipend tier with the threshold of the next one up (None for the top tier)."""
    ordered = sorted(tiers, key=lambda tier: tier.min_average_minutes)
    uppers: list[int | None] = [tier.min_average_minutes for tier in ordered[1:]]
    return list(zip(ordered, [*uppers, None], strict=True))


@bp.get("/")
def home():
    today = date.today()
    # Programs not closed yet, oldest opening first: the open ones come before the upcoming ones.
    statement = (
        select(Program)
        .where(Program.applications_close >= today)
        .order_by(Program.applications_open, Program.applications_close, Program.title, Program.id)
    )
    page = db.paginate(statement, per_page=PROGRAMS_PER_PAGE, max_per_page=PROGRAMS_PER_PAGE, count=True)
    open_programs, upcoming_programs = [], []
    for program in page.items:
        state = application_window(today, program.applications_open, program.applications_close)
        if state is WindowState.OPEN:
            open_programs.append(program)
        elif state is WindowState.NOT_YET_OPEN:
            upcoming_programs.append(program)
    return render_template(
        "public/home.html",
        open_programs=open_programs,
        upcoming_programs=upcoming_programs,
        page=page,
        is_first_page=page.page == 1,
        next_url=url_for("public.home", page=page.next_num) if page.has_next else None,
        prev_url=url_for("public.home", page=page.prev_num) if page.has_prev else None,
    )


@bp.get("/programs/<slug>")
def posting(slug: str):
    program = db.session.scalar(
        select(Program).where(Program.slug == slug).options(selectinload(Program.stipend_tiers))
    )
    if program is None:
        abort(404)
    rules = program.rules()
    window = application_window(date.today(), program.applications_open, program.applications_close)
    return render_template(
        "public/posting.html",
        program=program,
        rules=rules,
        sections=[(_SECTION_IDS[heading], heading, text) for heading, text in program.posting_sections()],
        tier_bands=_tier_bands(rules.stipend_tiers),
        pays_stipend=any(tier.monthly_cents > 0 for tier in rules.stipend_tiers),
        window=window,
        apply_url=_apply_url(program) if window is WindowState.OPEN else None,
    )
