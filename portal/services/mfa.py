"""Staff second factor: TOTP enrolment (pyotp, a QR code drawn by segno), codes checked, recovery codes.

The TOTP secret is stored encrypted (AES-GCM under a key derived from ``SECRET_KEY``, bound to the
user's id), and shown only while enrolment is unconfirmed. Recovery codes are stored as salted SHA-256
hashes (each has ~49 random bits) and each works once. A TOTP code is accepted one step either side
of now (``valid_window=1``) and never twice (the last accepted step is kept).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import delete, select

from portal.database import utcnow
from portal.extensions import db
from portal.models import RecoveryCode, Role, User
from portal.rules import mfa as rules
from portal.services.audit import record_event
from portal.services.errors import Refused

ISSUER = "Internship portal"
WRONG_CODE = "That code is not right. Type the 6-digit code your app shows now, or one of your recovery codes."
WRONG_ENROLMENT_CODE = "That code is not right. Type the 6-digit code your app shows now."
_STAFF = (Role.ADMIN, Role.SUPERVISOR)


def required_for(user: User) -> bool:
    """Whether this account must use a second factor now (a setting, on in production, for staff only)."""
    return user.role in _STAFF and bool(current_app.config.get("MFA_REQUIRED_FOR_STAFF"))


def next_step(user: User) -> str | None:
    """After a correct password: "verify", "enrol" or None (see ``rules.mfa.second_factor_step``)."""
    return rules.second_factor_step(
        is_staff=user.role in _STAFF, enrolled=user.mfa_enabled, required=required_for(user)
    )


def can_enrol(user: User) -> bool:
    """Staff without a confirmed second factor may set one up (interns have none)."""
    return user.role in _STAFF and not user.mfa_enabled


def _key() -> bytes:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal totp secret").derive(secret)


def _encrypt(user: User, secret: str) -> str:
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_key()).encrypt(nonce, secret.encode(), f"user:{user.id}".encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def _decrypt(user: User) -> str | None:
    """The user's TOTP secret, or None when there is none or it does not open (another key, another row)."""
    if not user.totp_secret:
        return None
    try:
        raw = base64.urlsafe_b64decode(user.totp_secret.encode())
        return AESGCM(_key()).decrypt(raw[:12], raw[12:], f"user:{user.id}".encode()).decode()
    except (InvalidTag, ValueError):
        return None


def enrolment_secret(user: User) -> str:
    """The secret to show while enrolment is unconfirmed: the one kept for it, or a new one (flushed)."""
    if user.mfa_enabled:
        raise Refused("Two-step sign-in is set up already.")
    secret = _decrypt(user)
    if secret is None:
        secret = pyotp.random_base32()
        user.totp_secret = _encrypt(user, secret)
        db.session.flush()
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address authenticator apps read from the QR code."""
    issuer = str(current_app.config.get("ORGANISATION_NAME") or ISSUER)
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg(data: str) -> str:
    """The QR code as inline SVG markup (no image service, no script), with a title for screen readers."""
    return segno.make(data, error="m").svg_inline(
        scale=4, border=2, title="QR code to scan with your authenticator app", dark="#000", light="#fff"
    )


def _accept_totp(user: User, secret: str, code: str, now: float) -> bool:
    totp = pyotp.TOTP(secret)
    for offset in (-1, 0, 1):  # valid_window=1, and each step's code at most once
        at = now + offset * totp.interval
        step = totp.timecode(int(at))
        if (user.totp_last_step is None or step > user.totp_last_step) and totp.verify(code, for_time=at):
            user.totp_last_step = step
            return True
    return False


def confirm_enrolment(user: User, code: str, *, now: float | None = None) -> list[str]:
    """Finish enrolment with a code from the app; returns the ten recovery codes (shown once, stored hashed).

    Refused beside the code field when it is wrong. Audited "auth.mfa_enrolled".
    """
    secret = enrolment_secret(user)
    typed = rules.normalise_code(code)
    if not rules.is_totp_code(typed) or not _accept_totp(user, secret, typed, time.time() if now is None else now):
        raise Refused(WRONG_ENROLMENT_CODE, field="code")
    user.mfa_enabled_at = utcnow()
    codes = _new_recovery_codes(user)
    record_event("auth.mfa_enrolled", target_type="user", target_id=user.id, actor=user, to_state="enrolled")
    return codes


def _hash_code(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(rules.RECOVERY_CODE_COUNT):
        code = "".join(secrets.choice(rules.RECOVERY_ALPHABET) for _ in range(rules.RECOVERY_CODE_LENGTH))
        salt = secrets.token_hex(16)
        db.session.add(RecoveryCode(user_id=user.id, salt=salt, code_hash=_hash_code(salt, code)))
        codes.append(rules.format_recovery_code(code))
    db.session.flush()
    return codes


def _use_recovery_code(user: User, code: str) -> bool:
    unused = db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all()
    match = None
    for row in unused:  # every row is compared, so the time does not say which one matched
        if hmac.compare_digest(row.code_hash, _hash_code(row.salt, code)):
            match = row
    if match is None:
        return False
    match.used_at = utcnow()
    return True


def unused_recovery_codes(user: User) -> int:
    """How many recovery codes are left (the account page says so)."""
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )


def check_second_factor(user: User, code: str, *, address: str | None, now: float | None = None) -> bool:
    """True when ``code`` is a current TOTP code or an unused recovery code (then consumed).

    Audited: "auth.recovery_code_used" (with how many are left) or "auth.mfa_failed"; never the code.
    """
    typed = rules.normalise_code(code)
    secret = _decrypt(user)
    if secret is not None and user.mfa_enabled and rules.is_totp_code(typed):
        if _accept_totp(user, secret, typed, time.time() if now is None else now):
            return True
    elif user.mfa_enabled and len(typed) == rules.RECOVERY_CODE_LENGTH and _use_recovery_code(user, typed):
        left = unused_recovery_codes(user)
        record_event(
            "auth.recovery_code_used", target_type="user", target_id=user.id, actor=user, details={"left": left}
        )
        return True
    record_event(
        "auth.mfa_failed",
        target_type="user",
        target_id=user.id,
        actor_label=user.email,
        details={"address": address or "", "kind": "totp" if rules.is_totp_code(typed) else "recovery code"},
    )
    return False


def reset(person: User, *, actor: User) -> None:
    """Remove a person's second factor (a lost phone): they enrol again at their next sign-in, and every
    session of theirs ends now. Audited "staff.mfa_reset"."""
    if not person.mfa_enabled and not person.totp_secret:
        raise Refused("This person has not set up two-step sign-in. Nothing was changed.")
    was = "enrolled" if person.mfa_enabled else "enrolment started"
    person.totp_secret = None
    person.mfa_enabled_at = None
    person.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == person.id))
    person.end_sessions()
    record_event(
        "staff.mfa_reset", target_type="user", target_id=person.id, actor=actor, from_state=was, to_state="not enrolled"
    )
