"""``flask init-db`` (run every migration) and ``flask seed-demo`` (the demo program, once)."""

from __future__ import annotations

import click
from flask_migrate import upgrade

from portal.extensions import db


@click.command("init-db")
def init_db_command() -> None:
    """Create or upgrade the database schema by running every migration (safe to run again)."""
    upgrade()
    click.echo("Database is at the latest schema.")


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Create the demo program from the real posting, demo users and sample data (only once)."""
    from portal.services.demo import seed_demo

    result = seed_demo()
    db.session.commit()
    if result is None:
        click.echo(
            "Demo data already present; nothing changed. (Demo passwords were printed when it was first seeded.)"
        )
        return
    click.echo("Demo data created. Sign in with these accounts (passwords are shown only this once):")
    for role, email, password in result.logins:
        click.echo(f"  {role:<11} {email:<32} {password}")
