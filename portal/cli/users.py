"""``flask create-user EMAIL --role … [--name …] [--password …]``: a staff or intern account."""

from __future__ import annotations

import click

from portal.extensions import db
from portal.models import Role
from portal.services.accounts import create_account
from portal.services.errors import Refused


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--name", default="", help="Full name shown in the portal.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="Prompted when omitted.")
def create_user_command(email: str, role: str, name: str, password: str) -> None:
    """Create a staff or intern account."""
    try:
        user = create_account(email, Role(role), name, password, actor_label="flask create-user")
        db.session.commit()
    except Refused as refusal:
        db.session.rollback()
        if refusal.field == "password":
            raise click.BadParameter(refusal.message, param_hint="--password") from None
        raise click.ClickException(refusal.message) from None
    click.echo(f"Created {role} {user.email}.")
