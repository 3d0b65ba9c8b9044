"""``flask outbox send|status|test``: deliver queued mail, show the queue, check the mail settings."""

from __future__ import annotations

import os
import signal
import socket
import threading
import uuid

import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.services.outbox import outbox_counts, queue_email, send_pending


@click.group("outbox", cls=AppGroup)
def outbox_group() -> None:
    """Deliver queued email."""


def default_sender_id() -> str:
    """Host, process and a random tag: unique per running sender, readable in ``claimed_by``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@outbox_group.command("send")
@click.option("--loop", is_flag=True, help="Keep running: send, wait, send again (stop with Ctrl-C or SIGTERM).")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.05),
    default=10.0,
    show_default=True,
    help="Seconds to wait between passes with --loop.",
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="Messages per pass [default: OUTBOX_BATCH_SIZE]."
)
def send_command(loop: bool, interval: float, limit: int | None) -> None:
    """Send the mail that is due; safe to run as several processes at once."""
    sender_id = default_sender_id()
    batch_size = limit or int(current_app.config["OUTBOX_BATCH_SIZE"])
    if current_app.extensions["mail"].suppress:
        click.echo("MAIL_SUPPRESS_SEND is on: messages are marked sent without being delivered.", err=True)
    if not loop:
        click.echo(str(send_pending(sender_id=sender_id, limit=batch_size)))
        return

    stop = threading.Event()
    previous = _install_stop_handlers(stop)
    click.echo(f"Sending as {sender_id} every {interval:g} s; Ctrl-C to stop.")
    try:
        while not stop.is_set():
            try:
                report = send_pending(sender_id=sender_id, limit=batch_size)
            except SQLAlchemyError as error:  # database briefly unreachable: keep the worker alive
                click.echo(f"database error, retrying in {interval:g} s: {type(error).__name__}: {error}", err=True)
                stop.wait(interval)
                continue
            if report.total:
                click.echo(str(report))
            if report.total < batch_size:  # a full batch means more may be due: go again at once
                stop.wait(interval)
    except KeyboardInterrupt:  # a second Ctrl-C, or a signal arriving outside the main thread's handler
        pass
    finally:
        _restore_handlers(previous)
    click.echo("Stopped.")


def _install_stop_handlers(stop: threading.Event) -> dict[int, object]:
    """First Ctrl-C/SIGTERM finishes the current pass and stops; a second Ctrl-C stops at once."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def request_stop(signum, frame):
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        click.echo("Stopping after this pass…", err=True)

    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, request_stop)
    return previous


def _restore_handlers(previous: dict[int, object]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


@outbox_group.command("status")
def status_command() -> None:
    """Show how many messages are pending, being sent, sent and failed."""
    for status, count in outbox_counts().items():
        click.echo(f"{status.value:<8} {count}")


@outbox_group.command("test")
@click.argument("email")
def test_command(email: str) -> None:
    """Queue a test message to EMAIL, to check the mail settings (then run `flask outbox send`)."""
    try:
        address = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from None
    organisation = current_app.config["ORGANISATION_NAME"]
    message = queue_email(address, "test_message", f"Test message from {organisation}")
    db.session.commit()
    click.echo(f"Queued test message {message.id} to {address}; `flask outbox send` delivers it.")
