"""The review queue's search: name, preferred name or email (never in blind programs), or a reference "A-0042".

A read only: ``search_condition`` is the WHERE clause the queue adds for the search box.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, or_

from portal.models import Application

_REFERENCE = re.compile(r"a-?0*(\d{1,9})")


def search_condition(term: str, blind_program_ids: Sequence[int]) -> ColumnElement[bool]:
    """The applications whose name, preferred name or email contains ``term`` (outside blind programs),
    or whose reference it is."""
    term = term.strip().lower()
    matches = [
        func.lower(Application.full_name).contains(term, autoescape=True),
        func.lower(Application.preferred_name).contains(term, autoescape=True),
        Application.email.contains(term, autoescape=True),  # stored lower-cased
    ]
    identity = or_(*matches)
    if blind_program_ids:
        identity = identity & Application.program_id.not_in(list(blind_program_ids))
    reference = _REFERENCE.fullmatch(term.replace(" ", ""))
    if reference:
        return or_(identity, Application.id == int(reference.group(1)))
    return identity
