"""Staff and intern accounts. Applicants have no account: they use a private status link."""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, String, false, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portal.database import UTCDateTime, enum_type, utcnow
from portal.extensions import db

#: argon2id with RFC 9106's second recommended profile (64 MiB, 3 passes, 4 lanes). A hash made with
#: weaker parameters is replaced at the next successful sign-in (``User.rehash_if_weak``).
ARGON2_PARAMETERS = profiles.RFC_9106_LOW_MEMORY
_hasher = PasswordHasher.from_parameters(ARGON2_PARAMETERS)


class Role(str, enum.Enum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    INTERN = "intern"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # Stored lower-cased, so the unique constraint is case-insensitive on every database.
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    role: Mapped[Role] = mapped_column(enum_type(Role, "user_role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Flask-Login stores this, not the id: rotating it ends every session on the server side.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Second factor (staff): the TOTP secret, encrypted (portal.services.mfa), kept once enrolment
    # starts; enrolment is complete only once a code confirmed it (mfa_enabled_at). The last time
    # step accepted, so a code seen once cannot be replayed.
    totp_secret: Mapped[str | None] = mapped_column(String(255), default=None)
    mfa_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # The dedicated permission to see the self-identification report (aggregates only); granted by an
    # admin on the person page, held only by admins (portal.services.staff).
    can_view_self_identification: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @validates("email")
    def _normalise_email(self, key: str, value: str) -> str:
        return value.strip().lower()

    def set_password(self, password: str) -> None:
        self.password_hash = _hasher.hash(password)

    def check_password(self, password: str) -> bool:
        """True when the password matches; a missing hash still costs one hash, keeping timing similar."""
        if not self.password_hash:
            dummy_password_check(password)
            return False
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def rehash_if_weak(self, password: str) -> bool:
        """After a successful check: replace a hash made below ``ARGON2_PARAMETERS``; True when it did."""
        if not self.password_hash or not _hasher.check_needs_rehash(self.password_hash):
            return False
        self.set_password(password)
        return True

    def get_id(self) -> str:
        return self.session_token

    def end_sessions(self) -> None:
        """Invalidate every cookie issued so far (sign-out, password change)."""
        self.session_token = new_session_token()

    @property
    def mfa_enabled(self) -> bool:
        return self.mfa_enabled_at is not None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def may_see_self_identification_report(self) -> bool:
        """Only an active admin an admin has granted it to: the flag alone is not enough (held by role too)."""
        return bool(self.active and self.role == Role.ADMIN and self.can_view_self_identification)

    @classmethod
    def from_session_token(cls, token: str) -> User | None:
        return db.session.scalar(select(cls).where(cls.session_token == token))

    @classmethod
    def by_email(cls, email: str) -> User | None:
        return db.session.scalar(select(cls).where(cls.email == email.strip().lower()))

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


_DUMMY_HASH = _hasher.hash("not-a-real-password")


def dummy_password_check(password: str) -> None:
    """Spend the same work as a real check, so an unknown email is not faster than a wrong password."""
    try:
        _hasher.verify(_DUMMY_HASH, password)
    except VerificationError:
        pass


class TokenPurpose(str, enum.Enum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a purpose, not a secret)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class UserToken(db.Model):
    """A single-use, expiring link (invitation or password reset); only its hash is stored."""

    __tablename__ = "user_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_type(TokenPurpose, "token_purpose"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    user: Mapped[User] = relationship()

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at


class RecoveryCode(db.Model):
    """One of a staff member's single-use recovery codes; only a salted SHA-256 of it is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    salt: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
