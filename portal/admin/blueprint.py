"""Program configuration, reports, exports and the audit log for admins."""

from flask import Blueprint

bp = Blueprint("admin", __name__)
