"""Public pages; importing the package registers every route on the ``public`` blueprint."""

from portal.public import applications, blueprint, postings  # noqa: F401
