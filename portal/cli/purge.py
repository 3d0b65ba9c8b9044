"""``flask purge [--dry-run] [--today YYYY-MM-DD]``: erase what is past its retention (run it daily from cron).

    30 3 * * *  cd /srv/portal && .venv/bin/flask --app wsgi purge

Running it again the same day finds nothing more to do. The output names programs and counts, never people.
"""

from __future__ import annotations

from datetime import date

import click

from portal.cli.reminders import _parse_day
from portal.database import forget_deleted_text
from portal.extensions import db
from portal.services.retention import purge


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="List what would be erased, and change nothing.")
@click.option(
    "--today",
    callback=_parse_day,
    metavar="YYYY-MM-DD",
    help="Act as if today were this day (to check what a later run will erase). Default: today.",
)
def purge_command(dry_run: bool, today: date | None) -> None:
    """Erase declined, withdrawn and undecided applications of closed programs past the program's retention
    months (an anonymous row stays for the reports), and interns' timesheets and hours statements past
    INTERN_RECORDS_RETENTION_YEARS. One transaction: a failure changes nothing."""
    try:
        report = purge(today or date.today(), dry_run=dry_run)
    except BaseException:
        db.session.rollback()  # nothing of a failed run stays
        raise
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
        forget_deleted_text()  # SQLite: the erased text leaves the WAL too
    for line in report.lines():
        click.echo(line)
