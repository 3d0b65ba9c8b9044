"""The supervisors' review blueprint; its views live in ``queue.py`` and ``application.py``."""

from flask import Blueprint

bp = Blueprint("review", __name__)
