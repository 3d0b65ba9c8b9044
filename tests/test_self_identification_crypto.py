"""Self-identification answers are sealed to their application (AES-GCM, the id as associated data),
padded so their length says nothing, readable after a key change, and re-encrypted by
``flask rotate-self-id-key``; every read is audited."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet
from factories import ApplicationFactory
from sqlalchemy import select

from portal.config import DEV_SELF_ID_KEY
from portal.extensions import db
from portal.models import AuditEvent, SelfIdentification
from portal.services.self_identification import (
    Unreadable,
    decrypt_answers,
    encrypt_answers,
    key_id_of,
    read_answers,
    save_self_identification,
    validate_key,
)

NEW_KEY = Fernet.generate_key().decode()


def stored_row(application, answers) -> SelfIdentification:
    row = save_self_identification(application, answers)
    db.session.commit()
    return row


def test_answers_round_trip_for_their_own_application(app):
    application = ApplicationFactory()
    row = stored_row(application, {"gender": "woman", "first_generation": "yes"})

    assert b"woman" not in row.ciphertext and row.ciphertext.startswith(b"v2.")
    assert decrypt_answers(row.ciphertext, application_id=application.id) == {
        "first_generation": "yes",
        "gender": "woman",
    }


def test_a_ciphertext_copied_onto_another_application_is_unreadable_not_a_crash(app):
    ana, bo = ApplicationFactory(), ApplicationFactory()
    ana_row = stored_row(ana, {"gender": "woman"})
    bo_row = stored_row(bo, {"gender": "man"})

    bo_row.ciphertext = ana_row.ciphertext  # someone with database access swaps the answers
    db.session.commit()

    with pytest.raises(Unreadable):
        decrypt_answers(bo_row.ciphertext, application_id=bo.id)
    assert read_answers(bo_row, purpose="test", actor_label="test") is None


def test_a_changed_byte_is_detected(app):
    application = ApplicationFactory()
    row = stored_row(application, {"gender": "woman"})
    tampered = bytearray(row.ciphertext)
    tampered[-1] ^= 1
    with pytest.raises(Unreadable):
        decrypt_answers(bytes(tampered), application_id=application.id)


def test_yes_and_no_answers_have_the_same_length(app):
    short = encrypt_answers({"disability": "no"}, application_id=1)
    long = encrypt_answers({"disability": "prefer_not_to_say", "gender_self": "x" * 100}, application_id=1)
    assert len(short) == len(long)


def test_each_encryption_uses_a_fresh_nonce(app):
    assert encrypt_answers({"a": "yes"}, application_id=1) != encrypt_answers({"a": "yes"}, application_id=1)


def test_reads_are_audited_with_their_purpose(app, admin):
    application = ApplicationFactory()
    row = stored_row(application, {"gender": "woman"})

    assert read_answers(row, purpose="aggregate report", actor=admin) == {"gender": "woman"}
    db.session.commit()

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "self_identification.read"))
    assert event.target_id == application.id and event.reason == "aggregate report"
    assert event.actor_id == admin.id and "woman" not in json.dumps(event.details)


@pytest.mark.parametrize(
    ("key", "usable"),
    [(DEV_SELF_ID_KEY, True), (NEW_KEY, True), ("not a key", False), ("c2hvcnQ=", False), ("", False), ("é", False)],
    ids=["development-key", "new-key", "not-a-key", "short", "empty", "not-ascii"],
)
def test_validate_key_names_the_problem(key, usable):
    if usable:
        validate_key(key)
    else:
        with pytest.raises(ValueError, match="32 random bytes"):
            validate_key(key)


# ------------------------------------------------------------------------------------------------
# Changing the key


def test_rows_from_before_row_binding_stay_readable(app):
    application = ApplicationFactory()
    legacy = Fernet(DEV_SELF_ID_KEY.encode()).encrypt(json.dumps({"gender": "woman"}).encode())
    db.session.add(SelfIdentification(application=application, program_id=application.program_id, ciphertext=legacy))
    db.session.commit()

    row = db.session.scalar(select(SelfIdentification))
    assert read_answers(row, purpose="test", actor_label="test") == {"gender": "woman"}


def test_after_a_key_change_old_rows_read_with_the_old_key_until_rotated(app):
    application = ApplicationFactory()
    row = stored_row(application, {"gender": "woman"})
    old_key_id = key_id_of(row.ciphertext)

    app.config.update(SELF_ID_KEY=NEW_KEY, SELF_ID_OLD_KEYS=[DEV_SELF_ID_KEY])
    assert decrypt_answers(row.ciphertext, application_id=application.id) == {"gender": "woman"}

    app.config["SELF_ID_OLD_KEYS"] = []
    with pytest.raises(Unreadable):
        decrypt_answers(row.ciphertext, application_id=application.id)
    assert key_id_of(row.ciphertext) == old_key_id


def test_rotate_command_re_encrypts_every_row_under_the_new_key(app):
    fresh, legacy_app = ApplicationFactory(), ApplicationFactory()
    stored_row(fresh, {"gender": "woman"})
    legacy = Fernet(DEV_SELF_ID_KEY.encode()).encrypt(json.dumps({"gender": "man"}).encode())
    db.session.add(SelfIdentification(application=legacy_app, program_id=legacy_app.program_id, ciphertext=legacy))
    db.session.commit()
    app.config.update(SELF_ID_KEY=NEW_KEY, SELF_ID_OLD_KEYS=[DEV_SELF_ID_KEY])

    result = app.test_cli_runner().invoke(args=["rotate-self-id-key"])

    assert result.exit_code == 0, result.output
    assert "re-encrypted 2, already current 0, unreadable 0" in result.output
    app.config["SELF_ID_OLD_KEYS"] = []  # the old key can go now
    db.session.expire_all()
    rows = {row.application_id: row for row in db.session.scalars(select(SelfIdentification))}
    assert decrypt_answers(rows[fresh.id].ciphertext, application_id=fresh.id) == {"gender": "woman"}
    assert decrypt_answers(rows[legacy_app.id].ciphertext, application_id=legacy_app.id) == {"gender": "man"}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "self_identification.key_rotated"))
    assert event.details == {"rotated": 2, "current": 0, "unreadable": 0}

    again = app.test_cli_runner().invoke(args=["rotate-self-id-key"])
    assert "re-encrypted 0, already current 2, unreadable 0" in again.output


def test_rotate_command_fails_loudly_when_a_row_needs_a_key_that_is_gone(app):
    application = ApplicationFactory()
    stored_row(application, {"gender": "woman"})
    app.config.update(SELF_ID_KEY=NEW_KEY, SELF_ID_OLD_KEYS=[])

    result = app.test_cli_runner().invoke(args=["rotate-self-id-key"])

    assert result.exit_code != 0
    assert "1 rows could not be opened" in result.output and "SELF_ID_OLD_KEYS" in result.output
