"""Engine settings that make SQLite behave like the production database where it matters."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

_configured = False


def configure_engine_events() -> None:
    """Turn on foreign keys, WAL, secure delete and a busy timeout for every SQLite connection (once per process)."""
    global _configured
    if _configured:
        return
    _configured = True

    @event.listens_for(Engine, "connect")
    def _sqlite_pragmas(dbapi_connection, connection_record):  # pragma: no cover - trivial
        module = type(dbapi_connection).__module__
        if not module.startswith("sqlite3"):
            return
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA secure_delete=ON")  # deleted applicants' text is overwritten, not left in free pages
        cursor.close()
        # The BEGIN pysqlite sends before the first write takes the write lock at once (waiting up to the busy
        # timeout for another writer) instead of on the first write: a transaction that read first, or a
        # trigger on the FTS5 search table, would otherwise fail at once with "database is locked" when
        # another writer committed meanwhile, as SQLite cannot wait on a snapshot that is already stale.
        dbapi_connection.isolation_level = "IMMEDIATE"

    @event.listens_for(Engine, "savepoint")
    def _sqlite_savepoint_inside_a_transaction(connection, name):
        """pysqlite opens a transaction only before an INSERT, UPDATE or DELETE, so a SAVEPOINT that comes
        first starts one of its own and its RELEASE commits: a refusal later in the same request could
        then not roll back what the savepoint wrote. Begin the transaction first, as PostgreSQL has
        (IMMEDIATE: a savepoint is there to write, see ``_sqlite_pragmas``)."""
        dbapi_connection = connection.connection.dbapi_connection
        if type(dbapi_connection).__module__.startswith("sqlite3") and not dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def forget_deleted_text(engine: Engine | None = None) -> bool:
    """After erasing personal data has committed: on SQLite, copy the WAL into the database file (where
    secure_delete has overwritten the deleted text) and empty it, so the text is not left in ``-wal``.

    Returns False when another connection was reading and the WAL could not be emptied (the next
    checkpoint does it); nothing to do on other databases. ``engine`` defaults to the app's."""
    if engine is None:
        from portal.extensions import db

        engine = db.engine
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:
        busy, _log_frames, _checkpointed = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    return not busy


def utcnow() -> datetime:
    """Current time, timezone-aware UTC; used as a callable default, never evaluated at import."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC: the same values on SQLite (no zones) and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use portal.database.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


# Ids are 32-bit integers on PostgreSQL; a larger number in a URL or form is simply no such row.
MAX_ID = 2**31 - 1


def id_in_range(value: int) -> bool:
    """Whether an id parsed from a request can name a row (both databases refuse larger numbers)."""
    return 1 <= value <= MAX_ID


def enum_type(enum_class: type, name: str) -> Enum:
    """A portable enum column: VARCHAR plus a named CHECK, storing the readable values ("pending")."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
