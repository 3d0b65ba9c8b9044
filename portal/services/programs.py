"""Reading programs for the public pages: the listed ones, and one by its address."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Program, ProgramState

#: The states whose posting the public can read (a closed one says it is closed); drafts and archived are 404.
PUBLIC_STATES = (ProgramState.PUBLISHED, ProgramState.CLOSED)


def program_or_404(slug: str) -> Program:
    """The public program at ``/programs/<slug>``, with its stipend tiers (its rules need them); a draft's or
    an archived program's address is 404 to the public (staff preview it from the admin pages)."""
    return db.first_or_404(
        select(Program)
        .where(Program.slug == slug, Program.state.in_(PUBLIC_STATES))
        .options(selectinload(Program.stipend_tiers))
    )


def find_program(slug: str) -> Program | None:
    """The public program at ``slug``, or None (drafts and archived programs are not public)."""
    return db.session.scalar(select(Program).where(Program.slug == slug, Program.state.in_(PUBLIC_STATES)))


def listed_programs(today: date) -> Select:
    """Published programs not closed yet, oldest opening first: the open ones come before the upcoming ones."""
    return (
        select(Program)
        .where(Program.state == ProgramState.PUBLISHED, Program.applications_close >= today)
        .order_by(Program.applications_open, Program.applications_close, Program.title, Program.id)
    )


def program_for_admin_or_404(program_id: int) -> Program:
    """Any program, in any state, by id: the admin pages' loader (the route already checked the role)."""
    return db.get_or_404(Program, program_id)
