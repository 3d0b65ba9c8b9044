"""The review queue's counts by status (``portal.models.application_tally``): rebuilt from the applications.

The database's triggers keep the tally as rows change, so nothing calls this in the normal course; it is the
repair (``flask scores recompute``) for a database whose triggers were off while rows changed, e.g. a restore
that loaded the table's data on its own.
"""

from __future__ import annotations

from sqlalchemy import delete, text

from portal.extensions import db
from portal.models.application_tally import RECOUNT, ApplicationTally


def recount_all() -> None:
    """Count every kept application again, in the caller's transaction."""
    db.session.flush()
    db.session.execute(delete(ApplicationTally))
    db.session.execute(text(RECOUNT))
