"""The review queue's search: name, preferred name or email (never in blind programs), or a reference "A-0042".

A term is found anywhere inside a name or an address ("ria d" finds Maria Delgado), in any case. From three
characters on, the search uses an index on each database (``portal.models.application_search``): on
PostgreSQL a trigram GIN index read by ``ILIKE``, on SQLite an FTS5 trigram table read by ``MATCH``; a
shorter term reads every visible application, as the search did before the index. Both indexes follow
every write by themselves (PostgreSQL's index; SQLite's triggers), bulk inserts included.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import ColumnElement, column, false, func, or_, select, table, text

from portal.extensions import db
from portal.models import Application
from portal.models.application_search import (
    POSTGRESQL_REINDEX,
    SEARCHED_COLUMNS,
    SQLITE_OPTIMIZE,
    SQLITE_REBUILD,
    SQLITE_TABLE,
)

_REFERENCE = re.compile(r"a-?0*(\d{1,9})")
INDEXED_LENGTH = 3  # trigrams: a shorter term cannot be looked up in either index

_fts = table(SQLITE_TABLE, column("rowid"), column(SQLITE_TABLE))


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _fts_phrase(term: str) -> str:
    """The term as one FTS5 phrase: every character literal, double quotes doubled."""
    return '"' + term.replace('"', '""') + '"'


def _identity_condition(term: str) -> ColumnElement[bool]:
    """Applications whose name, preferred name or email contains ``term`` (already lower-cased), any case."""
    columns = [getattr(Application, name) for name in SEARCHED_COLUMNS]
    dialect = _dialect()
    if dialect == "postgresql":
        return or_(*(column.icontains(term, autoescape=True) for column in columns))
    if dialect == "sqlite" and len(term) >= INDEXED_LENGTH:
        return Application.id.in_(select(_fts.c.rowid).where(_fts.c[SQLITE_TABLE].match(_fts_phrase(term))))
    return or_(*(func.lower(column).contains(term, autoescape=True) for column in columns))


def search_condition(term: str, blind_program_ids: Sequence[int]) -> ColumnElement[bool]:
    """The applications whose name, preferred name or email contains ``term`` (outside blind programs),
    or whose reference it is."""
    term = term.strip().lower()
    if not term:
        return false()
    identity = _identity_condition(term)
    if blind_program_ids:
        identity = identity & Application.program_id.not_in(list(blind_program_ids))
    reference = _REFERENCE.fullmatch(term.replace(" ", ""))
    if reference:
        return or_(identity, Application.id == int(reference.group(1)))
    return identity


def reindex_all() -> int:
    """Rebuild the search index from every application (after a bulk load or a restore); returns how many.

    SQLite: FTS5's ``rebuild`` re-reads the applications table (a few seconds at 100,000). PostgreSQL keeps its
    index with every write, so this refreshes the planner's statistics (``ANALYZE``) for the new rows."""
    session = db.session
    if _dialect() == "sqlite":
        session.execute(text(SQLITE_REBUILD))
    elif _dialect() == "postgresql":
        session.execute(text(POSTGRESQL_REINDEX))
        session.execute(text("ANALYZE applications"))
    return session.scalar(select(func.count()).select_from(Application)) or 0


def forget_erased() -> None:
    """After erasing applicants (flushed): on SQLite, merge the FTS5 index so the erased names' trigrams are
    dropped from it rather than only marked deleted (half a second at 100,000 applications)."""
    if _dialect() == "sqlite":
        db.session.flush()
        db.session.execute(text(SQLITE_OPTIMIZE))
