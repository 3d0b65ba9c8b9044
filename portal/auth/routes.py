"""Sign-in, sign-out, password reset and invitations (issue: supervisor review)."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
