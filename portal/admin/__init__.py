"""Admin pages; importing the package registers every route on the ``admin`` blueprint."""

from portal.admin import concerns, routes  # noqa: F401
