"""Supervisor review; importing the package registers every route on the ``review`` blueprint."""

from portal.review import application, blueprint, queue  # noqa: F401
