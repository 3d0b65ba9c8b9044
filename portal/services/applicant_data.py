"""Download my data: everything the applicant gave us and what happened to it, as one JSON document.

Reached only through the private status link. The self-identification answers are the applicant's own,
so they are included, read through the one audited function with the purpose "applicant download";
each download is also counted in the data requests log (date and program, nobody's name).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from portal.extensions import db
from portal.models import Application, DataRequestKind, SelfIdentification
from portal.rules.pipeline import ApplicationStatus
from portal.services.applications import APPLICANT, timeline
from portal.services.data_requests import record_data_request
from portal.services.self_identification import read_answers

PURPOSE = "applicant download"
#: The self-identification questions by stored key: (question, {value: label}) — see public.forms.
SelfIdQuestions = Mapping[str, tuple[str, Mapping[str, str]]]

_APPLICATION_FIELDS = (
    "full_name preferred_name pronouns email phone city not_student school major wants_credit "
    "hours_per_week earliest_start weeks_available seeks_stipend"
).split()


def download_my_data(application: Application, *, self_id_questions: SelfIdQuestions, now: datetime) -> dict[str, Any]:
    """The applicant's data as a JSON-ready dict; audits the self-identification read and logs the download."""
    program = application.program
    data = {
        "downloaded_at": now.isoformat(timespec="seconds"),
        "program": {"title": program.title, "organisation": program.organisation},
        "application": {
            "reference": application.reference,
            "status": application.status.label,
            "submitted_at": _when(application.submitted_at),
            "decided_at": _when(application.decided_at),
            **{name: _plain(getattr(application, name)) for name in _APPLICATION_FIELDS},
        },
        "answers": [
            {"question": answer.question.label, "answer": answer.choices or answer.display}
            for answer in application.answers_in_form_order()
        ],
        "self_identification": _self_identification(application, self_id_questions),
        "resume": _resume(application),
        "timeline": [
            {"date": _when(event.at), "event": _event_label(event.action, event.to_state)}
            for event in timeline(application)
        ],
    }
    record_data_request(DataRequestKind.DOWNLOAD, program=program)
    return data


def as_json(data: dict[str, Any]) -> str:
    """Readable in a text editor: indented, letters as they are (not escaped)."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _self_identification(application: Application, questions: SelfIdQuestions) -> list[dict[str, Any]] | None:
    row = db.session.scalar(select(SelfIdentification).where(SelfIdentification.application_id == application.id))
    if row is None:
        return None
    answers = read_answers(row, purpose=PURPOSE, actor_label=APPLICANT)
    if answers is None:  # unreadable (a lost key): say so rather than pretend there was nothing
        return [{"question": "(these answers could not be read)", "answer": ""}]
    listed = []
    for key, value in answers.items():
        question, options = questions.get(key, (key, {}))
        shown = [options.get(item, item) for item in value] if isinstance(value, list) else options.get(value, value)
        listed.append({"question": question, "answer": shown})
    return listed


def _resume(application: Application) -> dict[str, Any] | None:
    resume = application.resume
    if resume is None:
        return None
    return {
        "file_name": resume.original_name,
        "size_bytes": resume.size_bytes,
        "sha256": resume.sha256,
        "uploaded_at": _when(resume.uploaded_at),
    }


def _event_label(action: str, to_state: str) -> str:
    if action == "application.submitted":
        return "Application sent"
    return ApplicationStatus(to_state).label


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
