"""Sign-in, sign-out, password reset and invitations; importing the package registers the routes."""

from portal.auth import blueprint, mfa, passwords, sessions  # noqa: F401
