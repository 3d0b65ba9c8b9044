"""Interns' weekly timesheets and supervisors' approvals (issue: intern hours)."""

from flask import Blueprint

bp = Blueprint("timesheets", __name__)
