"""Reports for admins and supervisors (their programs); importing the package registers every report's routes."""

from portal.reports import (  # noqa: F401
    blueprint,
    index,
    internships,
    recruitment,
    self_identification,
)
