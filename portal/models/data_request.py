"""The data requests log: what the organisation did with applicants' data, with no personal data in it.

One row per deletion ("delete my data"), download ("download my data") or purge run (``flask purge``),
with its date, the program when there is one and how many applications it covered, so an organisation
can show a funder or an applicant what it did without keeping who it was.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import UTCDateTime, enum_type, utcnow
from portal.extensions import db


class DataRequestKind(str, enum.Enum):
    DELETION = "deletion"  # an applicant deleted their data from the status link
    DOWNLOAD = "download"  # an applicant downloaded their data from the status link
    PURGE = "purge"  # `flask purge` deleted applications past their program's retention


class DataRequest(db.Model):
    __tablename__ = "data_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    kind: Mapped[DataRequestKind] = mapped_column(enum_type(DataRequestKind, "data_request_kind"), index=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="SET NULL"), index=True)
    #: Applications covered (1 for an applicant's own request; a purge's total per program).
    application_count: Mapped[int] = mapped_column(Integer, default=1)
    #: Who ran it, never who it was about: "applicant", "system" (a purge) or a staff email.
    actor_label: Mapped[str] = mapped_column(String(120), default="applicant")
