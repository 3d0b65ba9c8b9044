"""Reading programs for the public pages: the listed ones, and one by its address."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Program


def program_or_404(slug: str) -> Program:
    """The program at ``/programs/<slug>``, with its stipend tiers (its rules need them)."""
    return db.first_or_404(select(Program).where(Program.slug == slug).options(selectinload(Program.stipend_tiers)))


def find_program(slug: str) -> Program | None:
    return db.session.scalar(select(Program).where(Program.slug == slug))


def listed_programs(today: date) -> Select:
    """Programs not closed yet, oldest opening first: the open ones come before the upcoming ones."""
    return (
        select(Program)
        .where(Program.applications_close >= today)
        .order_by(Program.applications_open, Program.applications_close, Program.title, Program.id)
    )
