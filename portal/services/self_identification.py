"""Voluntary self-identification: optional answers, encrypted under their own key, kept apart.

Nothing here is read by review or scoring code; reports use only aggregate counts, and every read of
answers goes through ``read_answers`` (one row, audited) or ``read_answers_for_counting`` (the report's
rows at once, audited once per view).

Each row is AES-256-GCM bound to its application: the application id is the associated data, so a
ciphertext copied onto another row does not decrypt (it reads as unreadable, never as a crash). The
answers are padded to a fixed length before encryption, so "yes" and "no" look alike. A stored value
is ``v2.<key id>.<nonce><ciphertext>``; the key id names which configured key encrypted it.

Keys: ``SELF_ID_KEY`` (32 random bytes in URL-safe base64, the format Fernet keys have, so an existing
install's key keeps working) encrypts; ``SELF_ID_OLD_KEYS`` (a list) only decrypts. Rows written by
earlier versions (Fernet, not bound to their row) stay readable with any configured key;
``flask rotate-self-id-key`` re-encrypts every row under ``SELF_ID_KEY`` in the current format.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import select

from portal.extensions import db
from portal.models import Application, SelfIdentification, User
from portal.services.audit import record_event

logger = logging.getLogger(__name__)
T = TypeVar("T")

PREFER_NOT = "prefer_not_to_say"
#: Current format's prefix; anything else is a Fernet token from before row binding.
FORMAT = b"v2."
KEY_ID_LENGTH = 8
NONCE_LENGTH = 12
#: Plaintexts are padded to a multiple of this (every realistic set of answers fits in one block).
PAD_BLOCK = 1024
KEY_PROBLEM = (
    "it must be 32 random bytes in URL-safe base64 (make one with "
    '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`)'
)


class Unreadable(Exception):
    """A stored ciphertext that no configured key opens for this row (copied, tampered or key lost)."""


# ------------------------------------------------------------------------------------------------
# Keys


def validate_key(key: str) -> None:
    """Raise ValueError (with the reason) unless ``key`` can encrypt answers: checked at start by config."""
    try:
        raw = base64.urlsafe_b64decode(str(key).encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ValueError(KEY_PROBLEM) from None
    if len(raw) != 32:
        raise ValueError(KEY_PROBLEM)


@dataclass(frozen=True)
class _Key:
    """One configured key: its id, its AES-GCM key (derived, never the raw bytes) and the raw Fernet key."""

    key_id: bytes
    aes: AESGCM
    fernet: Fernet


def _load_key(text: str) -> _Key:
    validate_key(text)
    raw = base64.urlsafe_b64decode(text.encode("ascii"))
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal self-identification v2").derive(raw)
    key_id = hashlib.sha256(b"portal self-identification key id" + raw).hexdigest()[:KEY_ID_LENGTH].encode()
    return _Key(key_id=key_id, aes=AESGCM(derived), fernet=Fernet(text.encode("ascii")))


def _keys() -> list[_Key]:
    """The configured keys, the encrypting one (SELF_ID_KEY) first."""
    config = current_app.config
    old = config.get("SELF_ID_OLD_KEYS") or []
    if isinstance(old, str):
        old = [part.strip() for part in old.split(",") if part.strip()]
    return [_load_key(str(text)) for text in [config["SELF_ID_KEY"], *old]]


def key_id_of(ciphertext: bytes) -> str | None:
    """Which key encrypted a stored value (None for an old Fernet token)."""
    if not ciphertext.startswith(FORMAT):
        return None
    return ciphertext[len(FORMAT) : len(FORMAT) + KEY_ID_LENGTH].decode("ascii", "replace")


# ------------------------------------------------------------------------------------------------
# Encryption


def _associated_data(application_id: int) -> bytes:
    return f"self_identifications.application_id={int(application_id)}".encode()


def _pad(data: bytes) -> bytes:
    framed = struct.pack(">I", len(data)) + data
    return framed + b"\0" * (-len(framed) % PAD_BLOCK)


def _unpad(padded: bytes) -> bytes:
    (length,) = struct.unpack(">I", padded[:4])
    return padded[4 : 4 + length]


def encrypt_answers(answers: dict[str, object], *, application_id: int) -> bytes:
    """Answers as stored: padded, AES-GCM under SELF_ID_KEY, bound to the application's id."""
    key = _keys()[0]
    nonce = os.urandom(NONCE_LENGTH)
    plaintext = _pad(json.dumps(answers, sort_keys=True).encode())
    sealed = key.aes.encrypt(nonce, plaintext, _associated_data(application_id))
    return FORMAT + key.key_id + b"." + nonce + sealed


def decrypt_answers(ciphertext: bytes, *, application_id: int, keys: list[_Key] | None = None) -> dict[str, object]:
    """The answers of one row; raises ``Unreadable`` when no configured key opens it for this row."""
    ciphertext = bytes(ciphertext)
    keys = keys if keys is not None else _keys()
    if not ciphertext.startswith(FORMAT):
        try:
            return json.loads(MultiFernet([key.fernet for key in keys]).decrypt(ciphertext))
        except (InvalidToken, ValueError) as error:
            raise Unreadable("not a token any configured key opens") from error
    key_id, _dot, rest = ciphertext[len(FORMAT) :].partition(b".")
    nonce, sealed = rest[:NONCE_LENGTH], rest[NONCE_LENGTH:]
    key = next((key for key in keys if key.key_id == key_id), None)
    if key is None:
        raise Unreadable(f"encrypted under key {key_id.decode('ascii', 'replace')}, which is not configured")
    try:
        padded = key.aes.decrypt(nonce, sealed, _associated_data(application_id))
        return json.loads(_unpad(padded))
    except (InvalidTag, ValueError, struct.error) as error:
        raise Unreadable("does not belong to this application, or was changed") from error


# ------------------------------------------------------------------------------------------------
# Saving and reading


def meaningful(answers: dict[str, object]) -> dict[str, object]:
    """Only the questions actually answered; blank ones are not stored at all."""
    return {key: value for key, value in answers.items() if value not in (None, "", [], ())}


def save_self_identification(application: Application, answers: dict[str, object]) -> SelfIdentification | None:
    """Store the answers encrypted and bound to the application, or nothing when the section was skipped."""
    answers = meaningful(answers)
    if not answers:
        return None
    if application.id is None:
        db.session.flush()  # the id is the associated data, so the application row must exist first
    row = SelfIdentification(application=application, program_id=application.program_id, ciphertext=b"")
    row.ciphertext = encrypt_answers(answers, application_id=application.id)
    db.session.add(row)
    return row


def read_answers(
    row: SelfIdentification, *, purpose: str, actor: User | None = None, actor_label: str = ""
) -> dict[str, object] | None:
    """One row's answers for a stated purpose, audited; None (logged, never raised) when unreadable."""
    record_event(
        "self_identification.read",
        target_type="application",
        target_id=row.application_id,
        actor=actor,
        actor_label=actor_label,
        reason=purpose,
    )
    try:
        return decrypt_answers(row.ciphertext, application_id=row.application_id)
    except Unreadable as error:
        logger.warning("self-identification of application %s is unreadable: %s", row.application_id, error)
        return None


def read_answers_for_counting(
    rows: Iterable[tuple[int, bytes, T]], *, purpose: str, actor: User | None, details: dict[str, object]
) -> list[tuple[dict[str, object], T]]:
    """Many rows' answers at once, for aggregate counts only: audited ONCE (``purpose`` as the action,
    with ``details`` and the number of rows, never an answer or an application id).

    ``rows`` are (application id, ciphertext, tag) read in one query (the id is needed to decrypt; the
    tag is what the count groups by, e.g. accepted or not). The answers come back with their tag and
    without their id, so nothing downstream can tie an answer to a person.
    Unreadable rows are left out (logged, counted in the audit event).
    """
    keys = _keys()
    answers: list[tuple[dict[str, object], T]] = []
    unreadable = 0
    for application_id, ciphertext, tag in rows:
        try:
            answers.append((decrypt_answers(ciphertext, application_id=application_id, keys=keys), tag))
        except Unreadable as error:
            logger.warning("a self-identification row is unreadable: %s", error)
            unreadable += 1
    record_event(
        purpose,
        target_type="self_identification",
        target_id=None,
        actor=actor,
        details={**details, "rows": len(answers), "unreadable": unreadable},
    )
    return answers


# ------------------------------------------------------------------------------------------------
# Key rotation


@dataclass
class RotationReport:
    """What ``rotate_key`` did: rows re-encrypted, rows already current, rows no key opens."""

    rotated: int = 0
    current: int = 0
    unreadable: int = 0

    def __str__(self) -> str:
        return f"re-encrypted {self.rotated}, already current {self.current}, unreadable {self.unreadable}"


def rotate_key(*, actor_label: str) -> RotationReport:
    """Re-encrypt every row under SELF_ID_KEY, bound to its application; audited once with the counts."""
    report = RotationReport()
    current_id = _keys()[0].key_id.decode()
    for row in db.session.scalars(select(SelfIdentification).order_by(SelfIdentification.id)):
        if key_id_of(bytes(row.ciphertext)) == current_id:
            report.current += 1
            continue
        try:
            answers = decrypt_answers(row.ciphertext, application_id=row.application_id)
        except Unreadable as error:
            logger.warning("self-identification %s cannot be re-encrypted: %s", row.id, error)
            report.unreadable += 1
            continue
        row.ciphertext = encrypt_answers(answers, application_id=row.application_id)
        report.rotated += 1
    record_event(
        "self_identification.key_rotated",
        target_type="self_identification",
        target_id=None,
        actor_label=actor_label,
        to_state=current_id,
        details={"rotated": report.rotated, "current": report.current, "unreadable": report.unreadable},
    )
    return report
