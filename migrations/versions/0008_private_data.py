"""outbox bodies kept only until delivery; self-identification bound to its row

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:00:00

Outbox: every message gets ``recipient_hash`` (HMAC-SHA256 of the lower-cased address, keyed with the
app's SECRET_KEY, as ``portal.services.outbox.recipient_hash`` computes it); messages already sent over
SMTP lose their bodies and address now. Messages the development transport printed (claimed by
"dev:…") keep theirs: the development mail page is their mailbox.

Self-identification needs no schema change: old Fernet ciphertexts stay readable, and
``flask rotate-self-id-key`` re-encrypts every row as AES-GCM bound to its application (a migration
cannot be given the key safely, so it does not try).
"""

import hashlib
import hmac

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

outbox = sa.table(
    "outbox_messages",
    sa.column("id", sa.Integer()),
    sa.column("recipient", sa.String()),
    sa.column("recipient_hash", sa.String()),
    sa.column("text_body", sa.Text()),
    sa.column("html_body", sa.Text()),
    sa.column("status", sa.String()),
    sa.column("claimed_by", sa.String()),
)


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipient_hash", sa.String(length=64), nullable=False, server_default=""))
        batch_op.create_index(batch_op.f("ix_outbox_messages_recipient_hash"), ["recipient_hash"], unique=False)
    connection = op.get_bind()
    key = str(current_app.config["SECRET_KEY"]).encode()
    rows = connection.execute(sa.select(outbox.c.id, outbox.c.recipient).where(outbox.c.recipient != "")).all()
    for message_id, recipient in rows:
        digest = hmac.new(key, recipient.strip().lower().encode(), hashlib.sha256).hexdigest()
        connection.execute(outbox.update().where(outbox.c.id == message_id).values(recipient_hash=digest))
    connection.execute(
        outbox.update()
        .where(outbox.c.status == "sent", sa.func.coalesce(outbox.c.claimed_by, "").not_like("dev:%"))
        .values(recipient="", text_body="", html_body="")
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_messages_recipient_hash"))
        batch_op.drop_column("recipient_hash")
