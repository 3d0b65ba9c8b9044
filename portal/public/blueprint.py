"""The public blueprint: postings (``postings.py``) and applying and the applicant's status (``applications.py``)."""

from flask import Blueprint

bp = Blueprint("public", __name__)
