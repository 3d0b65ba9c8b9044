"""The mail outbox: queue mail in the caller's transaction, deliver it later with retries.

``queue_email`` only adds a row to the session (the view commits), so mail is never sent for work
that was rolled back and never lost for work that was committed. ``send_pending`` is the worker
(``flask outbox send``): it claims a batch in a short transaction of its own, commits the claim,
then talks to SMTP and records each outcome in its own commit. Several senders may run at once:
each message is claimed by exactly one of them (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, a
conditional ``UPDATE`` elsewhere). Bodies are never logged.

Bodies hold private links (status, reset, invitation), so they are kept only until delivery: once a
message is sent over SMTP its bodies and address are cleared, leaving the subject, ``recipient_hash``
and status. A failed message keeps them until it is retried and sent.

With ``MAIL_TRANSPORT = "dev"`` (the development default) nothing goes over SMTP: after each request
whose commit queued mail, the app claims the due messages the same way, prints each one's recipient,
subject and links to the server's terminal and marks it sent; admins read it in full at /admin/mail.
The dev transport delivers nowhere, so it keeps the bodies: the outbox is its mailbox (and the dev
transport is refused in production).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import smtplib
import ssl
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

import flask_mail
from flask import Flask, current_app, g, has_request_context, render_template
from jinja2 import TemplateNotFound
from sqlalchemy import Select, event, func, select, update
from sqlalchemy.orm import Session, load_only

from portal.database import utcnow
from portal.extensions import db
from portal.models.outbox import OutboxMessage, OutboxStatus
from portal.models.user import User
from portal.services.audit import record_event
from portal.services.errors import Changed

logger = logging.getLogger(__name__)

#: A SENDING claim older than this belongs to a sender that died; the message goes back to pending.
CLAIM_TIMEOUT = timedelta(minutes=10)
#: Longest wait between two attempts, however many attempts failed before.
MAX_BACKOFF = timedelta(hours=6)
#: Longest stored error text (SMTP replies can be long; bodies are never part of it).
MAX_ERROR_LENGTH = 1000


# ------------------------------------------------------------------------------------------------
# Queueing


def queue_email(recipient: str, template: str, subject: str, **context: object) -> OutboxMessage:
    """Add a rendered mail to the caller's session so it is sent only if the caller's work commits."""
    recipient = recipient.strip()
    if not recipient or "\n" in recipient or "\r" in recipient or "@" not in recipient:
        raise ValueError(f"not a usable email address: {recipient!r}")
    subject = " ".join(subject.split())[:255]  # one header line; the column holds 255 characters
    context = {
        "organisation_name": current_app.config["ORGANISATION_NAME"],
        "public_url": str(current_app.config["PUBLIC_URL"]).rstrip("/"),
        "subject": subject,
        "recipient": recipient,
        **context,
    }
    text_body = render_template(f"email/{template}.txt", **context)
    html_body = _render_optional(f"email/{template}.html", context)
    message = OutboxMessage(
        recipient=recipient,
        recipient_hash=recipient_hash(recipient),
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
        last_error="",
    )
    db.session.add(message)
    return message


def recipient_hash(address: str) -> str:
    """The address as kept after delivery: a keyed hash (SECRET_KEY as pepper) of its lower-cased form."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, address.strip().lower().encode(), hashlib.sha256).hexdigest()


#: What a delivered message forgets: the bodies (they hold private links) and the address.
FORGET_AFTER_DELIVERY = {"recipient": "", "text_body": "", "html_body": ""}


def _render_optional(name: str, context: dict[str, object]) -> str:
    """Render a template that may not exist (HTML parts are optional); a missing include still fails."""
    try:
        template = current_app.jinja_env.get_template(name)
    except TemplateNotFound as error:
        if error.name != name:
            raise
        return ""
    return render_template(template, **context)


# ------------------------------------------------------------------------------------------------
# Sending


@dataclass
class SendReport:
    """What one pass of ``send_pending`` did, for the CLI and for monitoring."""

    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.retried + self.failed

    def __str__(self) -> str:
        return f"sent {self.sent}, retrying {self.retried}, failed {self.failed}"


@dataclass(frozen=True)
class _Claimed:
    """A plain copy of a claimed row, so sending never touches ORM state between commits."""

    id: int
    recipient: str
    subject: str
    text_body: str
    html_body: str
    attempts: int
    created_at: datetime


def send_pending(
    *, sender_id: str, now: datetime | None = None, limit: int | None = None, transport: str = "smtp"
) -> SendReport:
    """Deliver one batch of due mail; safe to run in several processes at once (each row has one owner).

    Uses a session of its own (the caller's session is neither used nor committed). ``now`` fixes the
    clock (tests); by default each step reads the real time. ``transport="dev"`` prints the batch to
    the terminal instead of sending it (see ``install_dev_delivery``).
    """
    clock = (lambda: now) if now is not None else utcnow
    config = current_app.config
    limit = int(limit or config["OUTBOX_BATCH_SIZE"])
    report = SendReport()
    with Session(db.engine) as session:
        recover_stale_claims(session, now=clock())
        batch = _claim_batch(session, sender_id=sender_id, now=clock(), limit=limit)
        if batch:
            deliver = _print_to_terminal if transport == "dev" else _deliver
            deliver(session, batch, sender_id=sender_id, clock=clock, report=report)
    return report


def recover_stale_claims(session: Session, *, now: datetime) -> int:
    """Give messages claimed by a sender that died back to the queue (counts as one attempt)."""
    cutoff = now - CLAIM_TIMEOUT
    max_attempts = int(current_app.config["OUTBOX_MAX_ATTEMPTS"])
    stale = session.execute(
        select(OutboxMessage.id, OutboxMessage.attempts, OutboxMessage.claimed_by).where(
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_at < cutoff,
        )
    ).all()
    session.commit()
    recovered = 0
    for message_id, attempts, claimed_by in stale:
        attempts += 1
        error = f"sender {claimed_by} stopped before finishing (claim expired); it may have been delivered"
        result = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.status == OutboxStatus.SENDING,
                OutboxMessage.claimed_at < cutoff,
            )
            .values(
                status=OutboxStatus.FAILED if attempts >= max_attempts else OutboxStatus.PENDING,
                attempts=attempts,
                next_attempt_at=now,
                last_error=error,
            )
        )
        session.commit()
        if result.rowcount == 1:
            recovered += 1
            logger.warning("outbox message %s: claim by %s expired; back in the queue", message_id, claimed_by)
    return recovered


def _claim_batch(session: Session, *, sender_id: str, now: datetime, limit: int) -> list[_Claimed]:
    """Mark up to ``limit`` due messages SENDING for this sender and commit, before any SMTP traffic."""
    due = (
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.next_attempt_at <= now,
    )
    claim = {"status": OutboxStatus.SENDING, "claimed_by": sender_id, "claimed_at": now}
    if session.get_bind().dialect.name == "postgresql":
        # Rows another sender is claiming right now are skipped, not waited for.
        ids = session.scalars(
            select(OutboxMessage.id)
            .where(*due)
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if ids:
            session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(**claim))
        claimed_ids = list(ids)
    else:
        # SQLite serialises writers: a conditional UPDATE per row decides who owns it.
        ids = session.scalars(select(OutboxMessage.id).where(*due).order_by(OutboxMessage.id).limit(limit)).all()
        session.commit()  # end the read so the first UPDATE takes the write lock (waiting if busy)
        claimed_ids = []
        for message_id in ids:
            result = session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id, *due).values(**claim))
            if result.rowcount == 1:
                claimed_ids.append(message_id)
    session.commit()
    if not claimed_ids:
        return []
    rows = session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.recipient,
            OutboxMessage.subject,
            OutboxMessage.text_body,
            OutboxMessage.html_body,
            OutboxMessage.attempts,
            OutboxMessage.created_at,
        )
        .where(OutboxMessage.id.in_(claimed_ids))
        .order_by(OutboxMessage.id)
    ).all()
    session.commit()
    return [_Claimed(*row) for row in rows]


def _deliver(
    session: Session, batch: list[_Claimed], *, sender_id: str, clock: Callable[[], datetime], report: SendReport
) -> None:
    """Send a claimed batch over one SMTP connection (reopened after a broken one), one commit per row."""
    mail_state = current_app.extensions["mail"]
    timeout = float(current_app.config["MAIL_TIMEOUT"])
    # Stop well before the claim could be taken for stale, so no other sender sends these twice.
    deadline = time.monotonic() + CLAIM_TIMEOUT.total_seconds() / 2
    connection: OutboxConnection | None = None
    try:
        for position, item in enumerate(batch):
            if time.monotonic() > deadline:
                _release(session, batch[position:], sender_id=sender_id)
                logger.warning("outbox: batch took too long; %s messages released", len(batch) - position)
                break
            if connection is None:
                try:
                    connection = OutboxConnection(mail_state, timeout=timeout).open()
                except Exception as error:  # noqa: BLE001 - any failure to connect is retried later
                    logger.warning("outbox: cannot open the mail connection: %s", _describe(error))
                    for rest in batch[position:]:
                        _record_failure(
                            session, rest, error, permanent=False, sender_id=sender_id, now=clock(), report=report
                        )
                    break
            try:
                connection.send(_build_message(item))
            except Exception as error:  # noqa: BLE001 - classified below; never left in SENDING
                permanent = _is_permanent(error)
                if not isinstance(error, (OSError, flask_mail.BadHeaderError)):
                    logger.exception("outbox message %s: unexpected error while sending", item.id)
                _record_failure(
                    session, item, error, permanent=permanent, sender_id=sender_id, now=clock(), report=report
                )
                if not _still_usable(connection, error):
                    connection.close()
                    connection = None
            else:
                _finish(
                    session,
                    item,
                    sender_id=sender_id,
                    values={
                        "status": OutboxStatus.SENT,
                        "sent_at": clock(),
                        "attempts": item.attempts + 1,
                        "last_error": "",
                        **FORGET_AFTER_DELIVERY,
                    },
                )
                report.sent += 1
    finally:
        if connection is not None:
            connection.close()


def _print_to_terminal(
    session: Session, batch: list[_Claimed], *, sender_id: str, clock: Callable[[], datetime], report: SendReport
) -> None:
    """MAIL_TRANSPORT="dev": show each claimed message in the server's terminal and mark it sent."""
    for item in batch:
        links = [link.rstrip(".,;:)") for link in LINK.findall(item.text_body)]
        lines = [f"[mail #{item.id}] not sent (MAIL_TRANSPORT=dev) to {item.recipient}", f"  Subject: {item.subject}"]
        lines += [f"  Link: {link}" for link in links] or ["  (no links)"]
        print("\n".join(lines), file=sys.stderr, flush=True)
        values = {"status": OutboxStatus.SENT, "sent_at": clock(), "attempts": item.attempts + 1, "last_error": ""}
        _finish(session, item, sender_id=sender_id, values=values)
        report.sent += 1


#: Addresses in a text body, for the terminal and the development mail page.
LINK = re.compile(r"https?://[^\s<>\"']+")


def _build_message(item: _Claimed) -> flask_mail.Message:
    """A Flask-Mail message with a Message-ID stable across retries, so receivers can drop duplicates."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    message = flask_mail.Message(
        item.subject,
        recipients=[item.recipient],
        body=item.text_body,
        html=item.html_body or None,
        sender=sender,
    )
    domain = parseaddr(sender if isinstance(sender, str) else sender[1])[1].rpartition("@")[2] or "localhost"
    message.msgId = f"<outbox.{item.id}.{item.created_at:%Y%m%d%H%M%S}@{domain}>"
    return message


def _record_failure(
    session: Session,
    item: _Claimed,
    error: BaseException,
    *,
    permanent: bool,
    sender_id: str,
    now: datetime,
    report: SendReport,
) -> None:
    """Mark a permanent failure FAILED; put a temporary one back with backoff until attempts run out."""
    attempts = item.attempts + 1
    max_attempts = int(current_app.config["OUTBOX_MAX_ATTEMPTS"])
    description = _describe(error)
    if permanent or attempts >= max_attempts:
        if not permanent:
            description = f"gave up after {attempts} attempts: {description}"
        values = {"status": OutboxStatus.FAILED, "attempts": attempts, "last_error": description}
        report.failed += 1
        logger.warning("outbox message %s failed: %s", item.id, description)
    else:
        values = {
            "status": OutboxStatus.PENDING,
            "attempts": attempts,
            "next_attempt_at": now + backoff_delay(attempts),
            "last_error": description,
        }
        report.retried += 1
        logger.info("outbox message %s will be retried (attempt %s): %s", item.id, attempts, description)
    _finish(session, item, sender_id=sender_id, values=values)


def _finish(session: Session, item: _Claimed, *, sender_id: str, values: dict) -> None:
    """Record an outcome in its own commit, only while this sender still owns the claim."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == item.id,
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_by == sender_id,
        )
        .values(**values)
    )
    session.commit()
    if result.rowcount != 1:
        logger.warning("outbox message %s: claim lost before its outcome was recorded", item.id)


def _release(session: Session, items: list[_Claimed], *, sender_id: str) -> None:
    """Hand unsent claimed messages back to the queue without counting an attempt."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_([item.id for item in items]),
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_by == sender_id,
        )
        .values(status=OutboxStatus.PENDING)
    )
    session.commit()


def backoff_delay(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: OUTBOX_BACKOFF_SECONDS doubled per failure, at most 6 hours."""
    base = float(current_app.config["OUTBOX_BACKOFF_SECONDS"])
    exponent = min(max(attempts - 1, 0), 30)  # 2**30 seconds is far beyond the cap already
    return min(timedelta(seconds=base * 2**exponent), MAX_BACKOFF)


def _is_permanent(error: BaseException) -> bool:
    """5xx replies about this message are permanent; 4xx, network errors and timeouts are temporary."""
    if isinstance(error, flask_mail.BadHeaderError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def _still_usable(connection: OutboxConnection, error: BaseException) -> bool:
    """After an SMTP reply smtplib resets the session and the link can carry on; anything else reconnects."""
    if connection.host is None:
        return True
    if not isinstance(error, (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException)):
        return False
    return getattr(connection.host, "sock", None) is not None


def _describe(error: BaseException) -> str:
    """A short, body-free description of a send error for ``last_error`` and the log."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        parts = [f"{code} {_text(reply)}" for code, reply in error.recipients.values()]
        text = "recipient refused: " + "; ".join(parts)
    elif isinstance(error, smtplib.SMTPResponseException):
        text = f"{type(error).__name__}: {error.smtp_code} {_text(error.smtp_error)}"
    else:
        text = f"{type(error).__name__}: {error}".rstrip(": ")
    return text[:MAX_ERROR_LENGTH]


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


# ------------------------------------------------------------------------------------------------
# The SMTP connection: Flask-Mail's, with a timeout and certificate checks


def tls_context() -> ssl.SSLContext:
    """A client TLS context that verifies the server certificate and host name (system CA store)."""
    return ssl.create_default_context(ssl.Purpose.SERVER_AUTH)


class OutboxConnection(flask_mail.Connection):
    """Flask-Mail 0.10 connects without a timeout and STARTTLS without verification; this does both."""

    def __init__(self, mail: flask_mail._Mail, *, timeout: float) -> None:
        super().__init__(mail)
        self.timeout = timeout

    def open(self) -> OutboxConnection:
        """Connect (unless MAIL_SUPPRESS_SEND is on, where Flask-Mail only records messages)."""
        self.host = None if self.mail.suppress else self.configure_host()
        self.num_emails = 0
        return self

    def configure_host(self) -> smtplib.SMTP:
        """Open the SMTP session: timeout on every socket operation, verified TLS, login when configured."""
        server, port = self.mail.server, int(self.mail.port or (465 if self.mail.use_ssl else 25))
        if self.mail.use_ssl:
            host: smtplib.SMTP = smtplib.SMTP_SSL(server, port, timeout=self.timeout, context=tls_context())
        else:
            host = smtplib.SMTP(server, port, timeout=self.timeout)
        try:
            host.set_debuglevel(int(self.mail.debug))
            if self.mail.use_tls and not self.mail.use_ssl:
                host.starttls(context=tls_context())
            if self.mail.username:
                host.login(self.mail.username, self.mail.password or "")
        except BaseException:
            host.close()
            raise
        return host

    def close(self) -> None:
        """Say QUIT politely when the server still listens; just drop the socket otherwise."""
        host, self.host = self.host, None
        if host is None:
            return
        try:
            host.quit()
        except (OSError, smtplib.SMTPException):
            host.close()


def outbox_counts() -> dict[OutboxStatus, int]:
    """Messages per status (every status present, zero when none), for ``flask outbox status``."""
    rows = db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    counts = dict.fromkeys(OutboxStatus, 0)
    counts.update({status: count for status, count in rows})
    return counts


# ------------------------------------------------------------------------------------------------
# The admin page: failed messages (never their bodies) and retrying one

#: What the outbox page reads of a message: no body is loaded (bodies hold private links).
_LISTED_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.recipient,
    OutboxMessage.subject,
    OutboxMessage.status,
    OutboxMessage.attempts,
    OutboxMessage.last_error,
    OutboxMessage.next_attempt_at,
    OutboxMessage.created_at,
)
RETRY_GONE = "That email is no longer failed (it was retried already, or is being sent). Nothing was changed."


def failed_messages_query() -> Select:
    """Failed messages, newest first, without their bodies (for the admin page)."""
    return (
        select(OutboxMessage)
        .options(load_only(*_LISTED_COLUMNS))
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    )


def message_or_404(message_id: int) -> int:
    """The id of an existing message (its body is not read), else 404."""
    return db.first_or_404(select(OutboxMessage.id).where(OutboxMessage.id == message_id))


def retry_failed(message_id: int, *, actor: User) -> None:
    """Queue a failed message again, due now, with a fresh set of attempts (after the address or server is fixed).

    A conditional update: two admins retrying at once, or a message no longer failed, change nothing
    and raise ``Changed``. Audited "outbox.retried" with the attempts and the last error it had.
    """
    before = db.session.execute(
        select(OutboxMessage.recipient, OutboxMessage.attempts, OutboxMessage.last_error).where(
            OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.FAILED
        )
    ).first()
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=utcnow(), claimed_by=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    if before is None or result.rowcount != 1:
        raise Changed(RETRY_GONE)
    record_event(
        "outbox.retried",
        target_type="outbox_message",
        target_id=message_id,
        actor=actor,
        from_state=OutboxStatus.FAILED.value,
        to_state=OutboxStatus.PENDING.value,
        details={
            "recipient": before.recipient,
            "before": {"attempts": before.attempts, "last_error": before.last_error},
            "after": {"attempts": 0, "last_error": before.last_error},
        },
    )


# ------------------------------------------------------------------------------------------------
# Development delivery: the app prints the mail a request queued, once that request has committed

_QUEUED = "outbox_mail_queued"  # session.info key: this transaction added an OutboxMessage
_COMMITTED = "outbox_mail_committed"  # flask.g key: this request committed queued mail
_listening = False


def install_dev_delivery(app: Flask) -> None:
    """With MAIL_TRANSPORT="dev", print and mark sent the due mail after any request that committed some."""
    global _listening
    if app.config["MAIL_TRANSPORT"] != "dev":
        return
    if not _listening:  # db.session is shared by every app; its listeners check for a request
        event.listen(db.session, "after_flush", _note_queued)
        event.listen(db.session, "after_commit", _note_committed)
        event.listen(db.session, "after_rollback", _forget_queued)
        _listening = True
    app.after_request(_deliver_committed_mail)


def _note_queued(session, flush_context) -> None:
    if any(isinstance(instance, OutboxMessage) for instance in session.new):
        session.info[_QUEUED] = True


def _note_committed(session) -> None:
    if session.info.pop(_QUEUED, False) and has_request_context():
        setattr(g, _COMMITTED, True)


def _forget_queued(session) -> None:
    session.info.pop(_QUEUED, None)


def _deliver_committed_mail(response):
    """After the view's commit: claim and print (never twice: the claim decides); never fails the request."""
    if g.pop(_COMMITTED, False):
        sender_id = f"dev:{os.getpid()}:{threading.get_ident()}"
        try:
            send_pending(sender_id=sender_id, transport="dev")
        except Exception:  # noqa: BLE001 - the mail stays queued (a stale claim is recovered later)
            logger.exception("outbox: printing development mail failed; it stays in the outbox")
    return response
