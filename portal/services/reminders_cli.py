"""Placeholder: `flask reminders send` (being written)."""

import click
from flask.cli import AppGroup

reminders_group = AppGroup("reminders", help="Email reminders about timesheets.")


@reminders_group.command("send")
def send_command() -> None:
    """(being written)"""
    click.echo("not yet")
