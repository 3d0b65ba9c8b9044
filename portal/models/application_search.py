"""The index behind the review queue's name and email search, one per database, kept by the database itself.

- PostgreSQL: a trigram GIN index (the ``pg_trgm`` extension, trusted since PostgreSQL 13, so the database's
  owner can install it) on ``full_name``, ``preferred_name`` and ``email``; ``ILIKE '%term%'`` uses it.
- SQLite: an FTS5 table with the ``trigram`` tokenizer (SQLite 3.34 or later) whose content is the
  applications table itself (it stores only the index), kept in step by three triggers, so every write
  (the form, an erasure, a bulk insert) updates it; ``MATCH '"term"'`` finds substrings of 3+ characters.

Neither is described by the models' tables, so ``db.create_all()`` makes them through the DDL events below,
migration 0012 makes them for a migrated database, and ``include_in_comparison`` keeps them out of
Alembic's comparison of the models with a database.
"""

from __future__ import annotations

from sqlalchemy import DDL, event

from portal.extensions import db
from portal.models.application import Application

SQLITE_TABLE = "applications_search"
POSTGRESQL_INDEX = "ix_applications_search_trgm"
SEARCHED_COLUMNS = ("full_name", "preferred_name", "email")

_ADD = (
    "INSERT INTO applications_search(rowid, full_name, preferred_name, email)"
    " VALUES (new.id, new.full_name, new.preferred_name, new.email);"
)
_REMOVE = (
    "INSERT INTO applications_search(applications_search, rowid, full_name, preferred_name, email)"
    " VALUES ('delete', old.id, old.full_name, old.preferred_name, old.email);"
)
SQLITE_DDL: tuple[str, ...] = (
    "CREATE VIRTUAL TABLE applications_search USING fts5(full_name, preferred_name, email,"
    " content='applications', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER applications_search_insert AFTER INSERT ON applications BEGIN " + _ADD + " END",
    "CREATE TRIGGER applications_search_delete AFTER DELETE ON applications BEGIN " + _REMOVE + " END",
    "CREATE TRIGGER applications_search_update AFTER UPDATE OF full_name, preferred_name, email ON applications"
    " BEGIN " + _REMOVE + " " + _ADD + " END",
)
SQLITE_REBUILD = "INSERT INTO applications_search(applications_search) VALUES ('rebuild')"
SQLITE_OPTIMIZE = "INSERT INTO applications_search(applications_search) VALUES ('optimize')"
POSTGRESQL_EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm"
POSTGRESQL_DDL = (
    "CREATE INDEX ix_applications_search_trgm ON applications"
    " USING gin (full_name gin_trgm_ops, preferred_name gin_trgm_ops, email gin_trgm_ops)"
)
POSTGRESQL_REINDEX = "REINDEX INDEX ix_applications_search_trgm"


def include_in_comparison(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's ``include_name``: leave the search index (and FTS5's own tables) out of the comparison."""
    if type_ == "table":
        return not (name or "").startswith(SQLITE_TABLE)
    return not (type_ == "index" and name == POSTGRESQL_INDEX)


event.listen(db.metadata, "before_create", DDL(POSTGRESQL_EXTENSION).execute_if(dialect="postgresql"))
event.listen(Application.__table__, "after_create", DDL(POSTGRESQL_DDL).execute_if(dialect="postgresql"))
for _statement in SQLITE_DDL:
    event.listen(Application.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
event.listen(
    Application.__table__, "before_drop", DDL("DROP TABLE IF EXISTS applications_search").execute_if(dialect="sqlite")
)
