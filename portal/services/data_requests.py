"""The data requests log: one named function per thing done with applicants' data (see the model)."""

from __future__ import annotations

from portal.extensions import db
from portal.models import DataRequest, DataRequestKind, Program


def record_data_request(
    kind: DataRequestKind, *, program: Program | None, application_count: int = 1, actor_label: str = "applicant"
) -> DataRequest:
    """Log a deletion, download or purge by date, program and count only (the caller commits)."""
    request = DataRequest(
        kind=kind,
        program_id=program.id if program is not None else None,
        application_count=application_count,
        actor_label=actor_label,
    )
    db.session.add(request)
    return request
