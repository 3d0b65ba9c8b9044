"""an index for the review queue's name and email search on both databases

PostgreSQL: the pg_trgm extension (trusted: the database's owner may install it) and a trigram GIN index on
full_name, preferred_name and email. SQLite: an FTS5 trigram table over the same columns whose content is the
applications table, three triggers keeping it in step, and a rebuild that indexes the rows already there.
Downgrading drops the index and the table (the extension stays: other objects may use it).

A later migration that rebuilds the applications table on SQLite (batch mode's copy and rename) drops the
triggers with it and must create them again (tests/test_queue_search.py checks the migrated database).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 03:00:00

"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ADD = (
    "INSERT INTO applications_search(rowid, full_name, preferred_name, email)"
    " VALUES (new.id, new.full_name, new.preferred_name, new.email);"
)
REMOVE = (
    "INSERT INTO applications_search(applications_search, rowid, full_name, preferred_name, email)"
    " VALUES ('delete', old.id, old.full_name, old.preferred_name, old.email);"
)
TRIGGERS = ("applications_search_insert", "applications_search_delete", "applications_search_update")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_applications_search_trgm ON applications"
            " USING gin (full_name gin_trgm_ops, preferred_name gin_trgm_ops, email gin_trgm_ops)"
        )
        return
    op.execute(
        "CREATE VIRTUAL TABLE applications_search USING fts5(full_name, preferred_name, email,"
        " content='applications', content_rowid='id', tokenize='trigram')"
    )
    op.execute("CREATE TRIGGER applications_search_insert AFTER INSERT ON applications BEGIN " + ADD + " END")
    op.execute("CREATE TRIGGER applications_search_delete AFTER DELETE ON applications BEGIN " + REMOVE + " END")
    op.execute(
        "CREATE TRIGGER applications_search_update AFTER UPDATE OF full_name, preferred_name, email"
        " ON applications BEGIN " + REMOVE + " " + ADD + " END"
    )
    op.execute("INSERT INTO applications_search(applications_search) VALUES ('rebuild')")  # the rows already there


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_applications_search_trgm")
        return
    for trigger in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS applications_search")
