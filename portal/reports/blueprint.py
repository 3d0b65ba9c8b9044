"""The reports blueprint; each report is a module of this package that adds its routes to ``bp``."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
