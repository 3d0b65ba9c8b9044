"""Hours statements for school credit: the figures, issuing them with a verification code, the PDF.

An issued ``HoursStatement`` keeps a frozen snapshot of exactly what it shows (``statement_figures``),
so the public verification page shows the same figures later whatever happens to the timesheets.
Asking again on the same day with the same figures gives back the same statement (and code) instead
of a new row. The printable page, the PDF and the verification page all render the snapshot with
the same template macro; the PDF is that printable page through WeasyPrint with the print stylesheet.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.security import safe_join

from portal.extensions import db
from portal.models import HoursStatement, Placement
from portal.rules.compliance import WeekState
from portal.rules.weeks import CompletionState
from portal.services.progress import PlacementProgress
from portal.web import absolute_url

# Relative links in the page (the stylesheets) resolve against this address; the PDF's fetcher serves
# only the app's static files under it and refuses everything else (no network, no other files).
_PDF_BASE_URL = "http://portal-static.invalid/"
_CODE_CHARACTERS = re.compile(r"[^A-Z0-9]")
FIGURES_VERSION = 1


def statement_figures(progress: PlacementProgress) -> dict[str, Any]:
    """What the statement shows, as JSON-safe values: the snapshot an issued statement keeps."""
    placement = progress.placement
    program = placement.program
    figures = progress.standing
    supervisor = placement.supervisor
    return {
        "version": FIGURES_VERSION,
        "organisation": program.organisation,
        "program": program.title,
        # Names only: the verification page is public, so an email address must never reach the figures.
        "intern": placement.intern.full_name or "–",
        "supervisor": (supervisor.full_name or "–") if supervisor else "",
        "start_date": placement.start_date.isoformat(),
        "end_date": placement.end_date.isoformat() if placement.end_date else None,
        "as_of": progress.today.isoformat(),
        "weeks": [
            {"monday": week.monday.isoformat(), "approved_minutes": week.approved_minutes, "state": week.state.value}
            for week in figures.weeks
            if week.state is not WeekState.OPEN
        ],
        "total_minutes": figures.total_approved_minutes,
        "qualifying_weeks": figures.qualifying_weeks,
        "min_weeks": progress.rules.min_weeks,
        "min_week_minutes": progress.rules.min_week_minutes,
        "completion": figures.completion.state.value,
        "completion_text": progress.completion_text,
    }


@dataclass(frozen=True)
class StatementWeek:
    monday: date
    approved_minutes: int
    state: WeekState


@dataclass(frozen=True)
class StatementView:
    """A snapshot read back for the templates (dates as dates, states as ``WeekState``)."""

    organisation: str
    program: str
    intern: str
    supervisor: str
    start_date: date
    end_date: date | None
    as_of: date
    weeks: list[StatementWeek]
    total_minutes: int
    qualifying_weeks: int
    min_weeks: int
    min_week_minutes: int
    completion: CompletionState
    completion_text: str

    @property
    def complete(self) -> bool:
        return self.completion is CompletionState.COMPLETE

    @classmethod
    def from_figures(cls, figures: dict[str, Any]) -> StatementView:
        return cls(
            organisation=figures["organisation"],
            program=figures["program"],
            intern=figures["intern"],
            supervisor=figures["supervisor"],
            start_date=date.fromisoformat(figures["start_date"]),
            end_date=date.fromisoformat(figures["end_date"]) if figures["end_date"] else None,
            as_of=date.fromisoformat(figures["as_of"]),
            weeks=[
                StatementWeek(
                    date.fromisoformat(week["monday"]), int(week["approved_minutes"]), WeekState(week["state"])
                )
                for week in figures["weeks"]
            ],
            total_minutes=int(figures["total_minutes"]),
            qualifying_weeks=int(figures["qualifying_weeks"]),
            min_weeks=int(figures["min_weeks"]),
            min_week_minutes=int(figures["min_week_minutes"]),
            completion=CompletionState(figures["completion"]),
            completion_text=figures["completion_text"],
        )


def issue_statement(progress: PlacementProgress) -> HoursStatement:
    """The placement's statement for today's figures: the latest one when nothing changed, else a new
    one with a new code. Flushes, never commits (the view does)."""
    figures = statement_figures(progress)
    latest = db.session.scalar(
        select(HoursStatement)
        .where(HoursStatement.placement_id == progress.placement.id)
        .order_by(HoursStatement.issued_at.desc(), HoursStatement.id.desc())
        .limit(1)
    )
    if latest is not None and latest.figures == figures:
        return latest
    statement = HoursStatement(placement=progress.placement, figures=figures)
    db.session.add(statement)
    db.session.flush()
    return statement


def normalise_code(text: str) -> str | None:
    """"abcd efgh-jkmn" → "ABCD-EFGH-JKMN"; None when it cannot be a code."""
    raw = _CODE_CHARACTERS.sub("", (text or "").upper())
    if len(raw) != 12:
        return None
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def find_statement(code: str) -> HoursStatement | None:
    normalised = normalise_code(code)
    if normalised is None:
        return None
    return db.session.scalar(
        select(HoursStatement)
        .where(HoursStatement.code == normalised)
        .options(joinedload(HoursStatement.placement).joinedload(Placement.program))
    )


def verify_url(code: str) -> str:
    """The public address printed on the statement."""
    return absolute_url("timesheets.verify_statement", code=code)


# ---- PDF -------------------------------------------------------------------------------------------


def _static_fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves the app's static files for the PDF's stylesheets; refuses every other address."""

        def __init__(self, static_folder: str, static_url_path: str):
            super().__init__(allowed_protocols=["http"])
            self._folder = static_folder
            self._prefix = _PDF_BASE_URL.rstrip("/") + static_url_path.rstrip("/") + "/"

        def fetch(self, url, headers=None):
            if not url.startswith(self._prefix):
                raise ValueError(f"the PDF may only use the portal's static files, not {url}")
            relative = url[len(self._prefix) :].split("?", 1)[0].split("#", 1)[0]
            path = safe_join(self._folder, relative)
            if path is None or not Path(path).is_file():
                raise ValueError(f"no such static file: {relative}")
            mime = "text/css" if path.endswith(".css") else "application/octet-stream"
            return URLFetcherResponse(url, Path(path).read_bytes(), {"Content-Type": mime})

    return StaticOnlyFetcher


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it loads (Pango, HarfBuzz) are missing on this server."""


def render_pdf(html: str) -> bytes:
    """The printable page as PDF (WeasyPrint, print media, the app's static stylesheets only)."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: WeasyPrint found no Pango to load
        raise PdfUnavailable(str(error)) from error

    fetcher = _static_fetcher_class()(current_app.static_folder, current_app.static_url_path)
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.ERROR)  # unsupported screen-only CSS properties are expected, not news
    try:
        return HTML(string=html, base_url=_PDF_BASE_URL, url_fetcher=fetcher, media_type="print").write_pdf()
    finally:
        logger.setLevel(level)
