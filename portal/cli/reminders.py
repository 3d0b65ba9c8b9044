"""``flask reminders send [--today YYYY-MM-DD]``: the daily reminder emails (run it from cron).

A crontab line that sends them at 8:00 every day, and delivers them with the outbox worker:

    0 8 * * *  cd /srv/portal && .venv/bin/flask --app wsgi reminders send && .venv/bin/flask --app wsgi outbox send

Running it more than once a day is harmless: each person gets at most one reminder per week and reason.
"""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from portal.extensions import db
from portal.services.reminders import send_reminders

reminders_group = AppGroup("reminders", help="Email reminders about timesheets (run `send` daily from cron).")


def _parse_day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use the form YYYY-MM-DD, like 2026-09-14") from None


@reminders_group.command("send")
@click.option(
    "--today",
    callback=_parse_day,
    metavar="YYYY-MM-DD",
    help="Act as if today were this day (to catch up a missed run, or to test). Default: today.",
)
def send_command(today: date | None) -> None:
    """Queue reminders: interns without a submitted timesheet for last week, and supervisors with weeks
    waiting more than 3 days for approval. At most one per person, week and reason, however often it runs.
    The mail goes out with `flask outbox send`."""
    report = send_reminders(today or date.today())
    db.session.commit()
    click.echo(str(report) + ".")
