"""``flask rotate-self-id-key``: re-encrypt every self-identification row under ``SELF_ID_KEY``.

To change the key: put the new key in ``SELF_ID_KEY``, the old one in ``SELF_ID_OLD_KEYS``, run this
command, then remove the old key. Rows written before row binding (Fernet) are upgraded the same way.
"""

from __future__ import annotations

import click

from portal.extensions import db
from portal.services.self_identification import rotate_key


@click.command("rotate-self-id-key")
def rotate_self_id_key_command() -> None:
    """Re-encrypt self-identification answers under SELF_ID_KEY, bound to their application."""
    report = rotate_key(actor_label="flask rotate-self-id-key")
    db.session.commit()
    click.echo(f"Self-identification: {report}.")
    if report.unreadable:
        raise click.ClickException(
            f"{report.unreadable} rows could not be opened with SELF_ID_KEY or SELF_ID_OLD_KEYS; they were left as "
            "they were. Add the key they were written with to SELF_ID_OLD_KEYS and run this again."
        )
