"""Public pages: the list of open programs and each program's posting."""

from __future__ import annotations

from datetime import date

from flask import render_template, url_for

from portal.extensions import db
from portal.forms import page_number
from portal.markdown import markdown_sections
from portal.models import Program, ProgramState
from portal.public.blueprint import bp
from portal.public.page_cache import public_page
from portal.rules.availability import WindowState, application_window
from portal.rules.program_states import closed_early, posting_window
from portal.rules.settings import StipendTier
from portal.services.programs import listed_programs, program_or_404

PROGRAMS_PER_PAGE = 20


def _tier_bands(tiers: tuple[StipendTier, ...]) -> list[tuple[StipendTier, int | None]]:
    """Each stipend tier with the threshold of the next one up (None for the top tier)."""
    ordered = sorted(tiers, key=lambda tier: tier.min_average_minutes)
    uppers: list[int | None] = [tier.min_average_minutes for tier in ordered[1:]]
    return list(zip(ordered, [*uppers, None], strict=True))


@bp.get("/")
def home():
    today = date.today()
    page = db.paginate(
        listed_programs(today), page=page_number(), per_page=PROGRAMS_PER_PAGE, max_per_page=PROGRAMS_PER_PAGE
    )
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


def posting_page(program: Program, *, preview: bool = False) -> str:
    """The posting as applicants see it; ``preview`` (staff only) adds a banner and makes "Apply" inert."""
    rules = program.rules()
    today = date.today()
    # A preview shows what the posting will say once published, so a draft's own dates decide.
    state = ProgramState.PUBLISHED if preview and program.state is ProgramState.DRAFT else program.state
    window = posting_window(state, today, program.applications_open, program.applications_close)
    return render_template(
        "public/posting.html",
        program=program,
        rules=rules,
        has_how_to_apply="How to apply" in markdown_sections(program.body),
        tier_bands=_tier_bands(rules.stipend_tiers),
        pays_stipend=any(tier.monthly_cents > 0 for tier in rules.stipend_tiers),
        window=window,
        closed_early=closed_early(state, today, program.applications_close),
        preview=preview,
        apply_url=url_for("public.apply", slug=program.slug) if window is WindowState.OPEN else None,
    )


@bp.get("/programs/<slug>")
def posting(slug: str):
    return public_page("posting", slug, lambda: posting_page(program_or_404(slug)))
