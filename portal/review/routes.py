"""The supervisors' review queue and decisions (issue: supervisor review)."""

from flask import Blueprint

bp = Blueprint("review", __name__)
