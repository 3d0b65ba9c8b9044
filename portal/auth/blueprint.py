"""The auth blueprint: signing in and out (``sessions.py``), password reset and invitations (``passwords.py``)."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
