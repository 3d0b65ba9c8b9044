"""The two ways a service says no, shared by every service so one helper turns them into pages.

``Refused`` breaks a rule (422, the message beside its field); ``Changed`` means someone else changed
the object since the page was loaded (409, the page shown again as it is now). Services raise them;
``portal.web.transaction`` rolls back and answers; no view catches them itself.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal fit to show to the person who asked; nothing was changed."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Refused(ServiceError):
    """The change breaks a rule; ``field`` names the form field the message belongs beside (or None)."""

    status_code = 422


class Changed(ServiceError):
    """Someone else changed the object since the page was loaded (optimistic locking); nothing was done."""

    status_code = 409

    DEFAULT_MESSAGE = "Someone else changed this at the same moment. Nothing was saved; check it and try again."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.DEFAULT_MESSAGE)
