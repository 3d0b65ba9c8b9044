"""How many kept applications each program has, by status and by what the queue filters on, kept by the database.

The review queue shows a count for every status, with the other filters applied. Counting them from the
applications reads every matching row, which at 100,000 applications was most of the page's time; this table
has a row per (program, status, hours a week, wants credit, seeks a stipend) that has applications, so the
same counts are a sum over a few hundred rows. Only applications whose data is kept (``data_deleted_at`` is
NULL) are counted, as the queue shows only those.

Triggers keep it, so every write counts (the form, a decision, an erasure, a purge, a bulk insert):

- SQLite: three triggers (insert, delete, update of a counted column) that add or take one off a row.
- PostgreSQL: one function run by a constraint trigger that is deferred to the commit, so a row of this table
  is locked only while a transaction commits, not from its first change to its end (many applicants
  submitting at once would otherwise wait on each other's counts).

Neither the triggers nor the function are described by the table, so ``db.create_all()`` makes them through
the DDL events below and migration 0014 makes them for a migrated database (and counts the rows already there).
"""

from __future__ import annotations

from sqlalchemy import DDL, Boolean, ForeignKey, Integer, event
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import enum_type
from portal.extensions import db
from portal.models.application import ApplicationStatus

COUNTED_COLUMNS = ("program_id", "status", "hours_per_week", "wants_credit", "seeks_stipend")
_KEY = ", ".join(COUNTED_COLUMNS)


class ApplicationTally(db.Model):
    """The number of kept applications with these values (a sum over rows gives any filtered count)."""

    __tablename__ = "application_tallies"

    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_type(ApplicationStatus, "application_tally_status"), primary_key=True
    )
    hours_per_week: Mapped[int] = mapped_column(Integer, primary_key=True)
    wants_credit: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    seeks_stipend: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    applications: Mapped[int] = mapped_column(Integer, default=0)


def _sqlite_count(row: str, change: int) -> str:
    """One statement adding ``change`` to the tally of the trigger's ``new`` or ``old`` row, when it is kept."""
    values = ", ".join(f"{row}.{column}" for column in COUNTED_COLUMNS)
    # Only this module's column names and a number go into these statements (ruff S608, bandit B608).
    return (
        f"INSERT INTO application_tallies ({_KEY}, applications) SELECT {values}, {change}"  # noqa: S608  # nosec B608
        f" WHERE {row}.data_deleted_at IS NULL"
        f" ON CONFLICT ({_KEY}) DO UPDATE SET applications = applications + excluded.applications;"
    )


SQLITE_TRIGGERS = ("application_tallies_insert", "application_tallies_delete", "application_tallies_update")
_SQLITE_BODIES = (
    f"AFTER INSERT ON applications BEGIN {_sqlite_count('new', 1)} END",
    f"AFTER DELETE ON applications BEGIN {_sqlite_count('old', -1)} END",
    f"AFTER UPDATE OF {_KEY}, data_deleted_at ON applications"
    f" BEGIN {_sqlite_count('old', -1)} {_sqlite_count('new', 1)} END",
)
SQLITE_DDL: tuple[str, ...] = tuple(
    f"CREATE TRIGGER IF NOT EXISTS {name} {body}" for name, body in zip(SQLITE_TRIGGERS, _SQLITE_BODIES, strict=True)
)


def _postgresql_count(row: str, change: int) -> str:
    values = ", ".join(f"{row}.{column}" for column in COUNTED_COLUMNS)
    return (
        f"IF {row}.data_deleted_at IS NULL THEN"  # noqa: S608  # nosec B608 - column names only
        f" INSERT INTO application_tallies AS tally ({_KEY}, applications) VALUES ({values}, {change})"
        f" ON CONFLICT ({_KEY}) DO UPDATE SET applications = tally.applications + excluded.applications;"
        " END IF;"
    )


_UNCHANGED = " AND ".join(f"OLD.{column} IS NOT DISTINCT FROM NEW.{column}" for column in COUNTED_COLUMNS)
POSTGRESQL_FUNCTION = (
    "CREATE OR REPLACE FUNCTION application_tallies_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    f" IF TG_OP = 'UPDATE' AND {_UNCHANGED}"
    " AND (OLD.data_deleted_at IS NULL) = (NEW.data_deleted_at IS NULL) THEN RETURN NULL; END IF;"
    f" IF TG_OP IN ('UPDATE', 'DELETE') THEN {_postgresql_count('OLD', -1)} END IF;"
    f" IF TG_OP IN ('UPDATE', 'INSERT') THEN {_postgresql_count('NEW', 1)} END IF;"
    " RETURN NULL; END $$"
)
POSTGRESQL_TRIGGER = (
    "CREATE CONSTRAINT TRIGGER application_tallies_count"
    f" AFTER INSERT OR DELETE OR UPDATE OF {_KEY}, data_deleted_at ON applications"
    " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION application_tallies_count()"
)
#: Counts the applications already there (the migration, a repair): the table must be empty first.
RECOUNT = (
    f"INSERT INTO application_tallies ({_KEY}, applications)"  # noqa: S608  # nosec B608 - column names only
    f" SELECT {_KEY}, count(*) FROM applications WHERE data_deleted_at IS NULL GROUP BY {_KEY}"
)

# After every table exists (the triggers are on applications and write here).
event.listen(db.metadata, "after_create", DDL(POSTGRESQL_FUNCTION).execute_if(dialect="postgresql"))
event.listen(
    db.metadata,
    "after_create",
    DDL("DROP TRIGGER IF EXISTS application_tallies_count ON applications").execute_if(dialect="postgresql"),
)
event.listen(db.metadata, "after_create", DDL(POSTGRESQL_TRIGGER).execute_if(dialect="postgresql"))
for _statement in SQLITE_DDL:
    event.listen(db.metadata, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
