"""Reading the data requests log (the admin page and its CSV): deletions, downloads and purges by date,
program and count, newest first. The rows hold no personal data (see ``portal.models.data_request``).

Filters are the reports' (``ReportFilters``: a program, a date range) plus a kind; the counts per kind
ignore the kind filter, so the page always shows how the three compare over the chosen dates.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select

from portal.extensions import db
from portal.models import DataRequest, DataRequestKind, Program
from portal.services.report_filters import ReportFilters
from portal.services.spreadsheets import neutralise_cell

#: What each kind is, in the words of the page and the CSV.
KIND_LABELS = {
    DataRequestKind.DELETION: "Deletion (an applicant deleted their data)",
    DataRequestKind.DOWNLOAD: "Download (an applicant downloaded their data)",
    DataRequestKind.PURGE: "Purge (past the program's retention)",
}
#: The short word of each kind, for table cells.
KIND_WORDS = {
    DataRequestKind.DELETION: "Deletion",
    DataRequestKind.DOWNLOAD: "Download",
    DataRequestKind.PURGE: "Purge",
}

CSV_HEADER = ("Date (UTC)", "Kind", "Program", "Applications", "Run by")


@dataclass(frozen=True)
class KindCount:
    kind: DataRequestKind
    requests: int
    applications: int

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def _narrowed(statement: Select, filters: ReportFilters) -> Select:
    """The program (only when one is chosen: a purge of a program since deleted has none) and the dates."""
    if filters.program_id is not None:
        statement = statement.where(DataRequest.program_id == filters.program_id)
    if filters.start is not None:
        statement = statement.where(DataRequest.at >= filters.start)
    if filters.end is not None:
        statement = statement.where(DataRequest.at < filters.end)
    return statement


def requests_query(filters: ReportFilters, kind: DataRequestKind | None) -> Select:
    """The log's rows, newest first (the page shows program titles from ``program_titles``)."""
    statement = _narrowed(select(DataRequest), filters)
    if kind is not None:
        statement = statement.where(DataRequest.kind == kind)
    return statement.order_by(DataRequest.at.desc(), DataRequest.id.desc())


def program_titles() -> dict[int, str]:
    """Every program's title by id, in one query (a purge of a program since deleted has no program)."""
    return dict(db.session.execute(select(Program.id, Program.title)).all())


def counts_per_kind(filters: ReportFilters) -> list[KindCount]:
    """Requests and applications covered per kind (every kind, 0 when none), in one grouped query."""
    rows = db.session.execute(
        _narrowed(
            select(DataRequest.kind, func.count(), func.coalesce(func.sum(DataRequest.application_count), 0)),
            filters,
        ).group_by(DataRequest.kind)
    ).all()
    found = {kind: (requests, applications) for kind, requests, applications in rows}
    return [KindCount(kind, *found.get(kind, (0, 0))) for kind in DataRequestKind]


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M")


def csv_rows(filters: ReportFilters, kind: DataRequestKind | None) -> Iterator[list[str]]:
    """The header, then every matching row (not only one page), each cell formula-safe."""
    titles = program_titles()
    yield list(CSV_HEADER)
    for request in db.session.scalars(requests_query(filters, kind)):
        cells = (
            _when(request.at),
            KIND_WORDS[request.kind],
            titles.get(request.program_id, ""),
            str(request.application_count),
            request.actor_label,
        )
        yield [neutralise_cell(cell) for cell in cells]
