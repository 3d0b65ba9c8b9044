"""``flask resumes scan``: virus-checks the resumes waiting for it (run it from cron when CLAMD_SOCKET is set).

Uploads are scanned at once; a resume waits as "pending scan" only when clamd could not be reached then.
A crontab line that catches those up every ten minutes:

    */10 * * * *  cd /srv/portal && .venv/bin/flask --app wsgi resumes scan
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db
from portal.rules.documents import ScanStatus
from portal.services.scanning import scan_waiting

resumes_group = AppGroup("resumes", help="Stored resumes: the virus check (needs CLAMD_SOCKET).")


@resumes_group.command("scan")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Scan at most this many files.")
@click.option(
    "--unscanned", is_flag=True, help="Also scan files stored before CLAMD_SOCKET was set (kept unless flagged)."
)
def scan_command(limit: int | None, unscanned: bool) -> None:
    """Scan resumes pending their virus check: clean ones can be downloaded, flagged ones are deleted."""
    statuses = (ScanStatus.PENDING, ScanStatus.UNSCANNED) if unscanned else (ScanStatus.PENDING,)
    report = scan_waiting(current_app.config["UPLOAD_FOLDER"], statuses=statuses, limit=limit)
    db.session.commit()
    click.echo(f"{report.clean} clean, {report.rejected} rejected and deleted, {report.missing} missing on disk.")
    for found in report.found:
        click.echo(f"  found: {found}")
    if report.unavailable:
        raise click.ClickException(f"stopped: {report.unavailable}; the rest stay pending.")
