"""Interns' hours; the views live in one module per area (see ``portal/timesheets/__init__.py``)."""

from flask import Blueprint

bp = Blueprint("timesheets", __name__)
