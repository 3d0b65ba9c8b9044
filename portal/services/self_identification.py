"""Voluntary self-identification: optional answers, encrypted under their own key, kept apart.

Nothing here is read by review or scoring code; reports use only aggregate counts.
"""

from __future__ import annotations

import json

from cryptography.fernet import Fernet
from flask import current_app

from portal.extensions import db
from portal.models import Application, SelfIdentification

PREFER_NOT = "prefer_not_to_say"


def _fernet() -> Fernet:
    return Fernet(str(current_app.config["SELF_ID_KEY"]).encode())


def encrypt_answers(answers: dict[str, object]) -> bytes:
    return _fernet().encrypt(json.dumps(answers, sort_keys=True).encode())


def decrypt_answers(ciphertext: bytes) -> dict[str, object]:
    return json.loads(_fernet().decrypt(ciphertext))


def meaningful(answers: dict[str, object]) -> dict[str, object]:
    """Only the questions actually answered; blank ones are not stored at all."""
    return {key: value for key, value in answers.items() if value not in (None, "", [], ())}


def save_self_identification(application: Application, answers: dict[str, object]) -> SelfIdentification | None:
    """Store the answers encrypted, or nothing when the applicant skipped the section."""
    answers = meaningful(answers)
    if not answers:
        return None
    row = SelfIdentification(application=application, program_id=application.program_id, ciphertext=b"")
    row.ciphertext = encrypt_answers(answers)
    db.session.add(row)
    return row
