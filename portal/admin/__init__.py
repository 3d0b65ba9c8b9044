"""Admin pages; importing the package registers every route on the ``admin`` blueprint."""

from portal.admin import blueprint, concerns, mail  # noqa: F401
