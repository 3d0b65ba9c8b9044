"""Alembic environment for Flask-Migrate: the app's engine and metadata, batch mode for SQLite."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from portal.database import UTCDateTime
from portal.models.application_search import include_in_comparison

config = context.config
if config.config_file_name and not config.attributes.get("skip_logging_config"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")
#: The PostgreSQL advisory lock one upgrade holds at a time (any fixed number; this one spells "portal").
MIGRATION_LOCK_KEY = 0x706F7274616C

target_db = current_app.extensions["migrate"].db


def get_engine():
    return target_db.engine


config.set_main_option("sqlalchemy.url", get_engine().url.render_as_string(hide_password=False).replace("%", "%%"))


def render_item(type_, obj, autogen_context):
    """Write the portal's UTC datetime type as a plain DateTime, so migrations need no app import."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def configure_options() -> dict:
    options = dict(current_app.extensions["migrate"].configure_args)
    options.setdefault("compare_type", True)
    options.setdefault("render_as_batch", True)
    options["render_item"] = render_item
    options["include_name"] = include_in_comparison  # the search index is made by DDL, not the models
    return options


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
        **configure_options(),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    connectable = get_engine()
    with connectable.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch migrations rebuild SQLite tables (copy, drop, rename): with foreign keys on, dropping
            # a table that others point at fails. Off for the migration only; checked again after it.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_db.metadata,
            process_revision_directives=process_revision_directives,
            **configure_options(),
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Several instances upgrading at once (`make serve` on each): the first takes the lock and
                # migrates, the others wait here, then find the schema at the head and do nothing. The
                # lock ends with the migration's transaction (PostgreSQL's DDL is transactional).
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
            context.run_migrations()
        if connection.dialect.name == "sqlite":
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            if problems:
                raise RuntimeError(f"the migration left rows pointing at nothing: {problems[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
