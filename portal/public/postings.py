"""Public pages: the list of open programs and each program's posting."""

from __future__ import annotations

from datetime import date

from flask import render_template, url_for

from portal.extensions import db
from portal.models import Program
from portal.models.program import POSTING_SECTIONS
from portal.public.blueprint import bp
from portal.rules.availability import WindowState, application_window
from portal.rules.settings import StipendTier
from portal.services.programs import listed_programs, program_or_404

PROGRAMS_PER_PAGE = 20

# Section anchors on the posting page ("how-to-apply"), keyed by heading as posting_sections() gives it.
_SECTION_IDS = {heading: field.replace("_", "-") for field, heading in POSTING_SECTIONS}


def _tier_bands(tiers: tuple[StipendTier, ...]) -> list[tuple[StipendTier, int | None]]:
    """Each stipend tier with the threshold of the next one up (None for the top tier)."""
    ordered = sorted(tiers, key=lambda tier: tier.min_average_minutes)
    uppers: list[int | None] = [tier.min_average_minutes for tier in ordered[1:]]
    return list(zip(ordered, [*uppers, None], strict=True))


@bp.get("/")
def home():
    today = date.today()
    page = db.paginate(listed_programs(today), per_page=PROGRAMS_PER_PAGE, max_per_page=PROGRAMS_PER_PAGE, count=True)
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
    program: Program = program_or_404(slug)
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
        apply_url=url_for("public.apply", slug=program.slug) if window is WindowState.OPEN else None,
    )
