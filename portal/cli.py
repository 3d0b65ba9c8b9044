"""Command-line tasks: ``flask init-db``, ``flask seed-demo``, ``flask create-user``, ``flask outbox send``."""

from __future__ import annotations

import click
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Role, User


def register_commands(app: Flask) -> None:
    from portal.services.outbox_cli import outbox_group
    from portal.services.reminders_cli import reminders_group

    app.cli.add_command(init_db_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(outbox_group)
    app.cli.add_command(reminders_group)


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


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--name", default="", help="Full name shown in the portal.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="Prompted when omitted.")
def create_user_command(email: str, role: str, name: str, password: str) -> None:
    """Create a staff or intern account."""
    if len(password) < 12:
        raise click.BadParameter("use at least 12 characters", param_hint="--password")
    user = User(email=email, role=Role(role), full_name=name)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise click.ClickException(f"a user with the email {email.strip().lower()} already exists") from None
    click.echo(f"Created {role} {user.email}.")
