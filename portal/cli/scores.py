"""``flask scores recompute``: rebuild the review queue's stored figures from the reviews.

The review service keeps them up to date as reviews are saved (and the database's triggers the counts by
status, ``portal.models.application_tally``); run this after loading reviews in bulk
(outside the service), after restoring a backup made before migration 0011, or to clear float drift.
It is idempotent and set-based: 100,000 applications with 3 reviews each take a few seconds.
"""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from portal.extensions import db
from portal.services.application_tallies import recount_all
from portal.services.review_statistics import recompute_all

scores_group = AppGroup("scores", help="The review queue's stored scores.")


@scores_group.command("recompute")
def recompute_command() -> None:
    """Rebuild every application's review count, raw mean and fair score, and each reviewer's and program's
    statistics, from the submitted reviews, and the queue's counts by status from the applications."""
    started = time.perf_counter()
    scored = recompute_all()
    recount_all()
    db.session.commit()
    click.echo(f"{scored} scored applications recomputed in {time.perf_counter() - started:.1f} s.")
