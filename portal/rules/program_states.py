"""A program's life as a table: which action moves it from which state to which, what a list shows it as,
what still stops it being published, and whether its posting takes applications today.

Pure: no Flask, no database; "today" is passed in. ``portal.services.program_lifecycle`` applies these.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from portal.formatting import long_date
from portal.rules.availability import WindowState, application_window


class ProgramState(enum.StrEnum):
    """Where a program is in its life. Only published programs appear on the public site."""

    DRAFT = "draft"  # being written: staff see it and its preview, nobody else
    PUBLISHED = "published"  # on the home page inside its application window
    CLOSED = "closed"  # closed early by an admin: the posting says applications are closed
    ARCHIVED = "archived"  # gone from the public site; staff still read its applications and interns

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Action(enum.StrEnum):
    """What an admin can do to a program's state, one button each on the overview."""

    PUBLISH = "publish"
    CLOSE = "close"
    REOPEN = "reopen"
    ARCHIVE = "archive"
    UNARCHIVE = "unarchive"


@dataclass(frozen=True)
class Transition:
    """One row of the table: ``action`` takes a program in one of ``sources`` to ``target``."""

    action: Action
    sources: frozenset[ProgramState]
    target: ProgramState
    button: str  # the button's words
    done: str  # the flash after it


TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        Transition(
            Action.PUBLISH,
            frozenset({ProgramState.DRAFT}),
            ProgramState.PUBLISHED,
            "Publish",
            "Published: the posting is on the public site.",
        ),
        Transition(
            Action.CLOSE,
            frozenset({ProgramState.PUBLISHED}),
            ProgramState.CLOSED,
            "Close applications",
            "Applications are closed: the posting says so and the form is gone.",
        ),
        Transition(
            Action.REOPEN,
            frozenset({ProgramState.CLOSED}),
            ProgramState.PUBLISHED,
            "Reopen applications",
            "Applications are open again.",
        ),
        Transition(
            Action.ARCHIVE,
            frozenset({ProgramState.DRAFT, ProgramState.CLOSED}),
            ProgramState.ARCHIVED,
            "Archive",
            "Archived: the program is gone from the public site; its applications and interns stay readable.",
        ),
        Transition(
            Action.UNARCHIVE,
            frozenset({ProgramState.ARCHIVED}),
            ProgramState.CLOSED,
            "Unarchive",
            "Unarchived.",
        ),
    )
}


def target_state(state: ProgramState, action: Action, *, ever_published: bool) -> ProgramState | None:
    """Where ``action`` takes a program in ``state``, or None when the table has no such move.

    Unarchiving returns a program that was never published to draft, not to closed: a closed program
    is public, and a draft that was archived has never been seen by applicants.
    """
    transition = TRANSITIONS[action]
    if state not in transition.sources:
        return None
    if action is Action.UNARCHIVE and not ever_published:
        return ProgramState.DRAFT
    return transition.target


def actions_from(state: ProgramState) -> list[Transition]:
    """The buttons the overview offers for a program in ``state``, in the table's order."""
    return [t for t in TRANSITIONS.values() if state in t.sources]


class ListedStatus(enum.StrEnum):
    """What the admin list calls a program: its state, and for a published one where today falls."""

    DRAFT = "draft"
    OPEN = "open"
    UPCOMING = "upcoming"
    CLOSED = "closed"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def listed_status(state: ProgramState, today: date, opens: date, closes: date) -> ListedStatus:
    """Draft / Open / Upcoming / Closed / Archived: a published program is Open inside its window,
    Upcoming before it and Closed after it."""
    if state is ProgramState.DRAFT:
        return ListedStatus.DRAFT
    if state is ProgramState.ARCHIVED:
        return ListedStatus.ARCHIVED
    if state is ProgramState.CLOSED:
        return ListedStatus.CLOSED
    window = application_window(today, opens, closes)
    if window is WindowState.OPEN:
        return ListedStatus.OPEN
    return ListedStatus.UPCOMING if window is WindowState.NOT_YET_OPEN else ListedStatus.CLOSED


def posting_window(state: ProgramState, today: date, opens: date, closes: date) -> WindowState:
    """Whether the posting takes applications today: its dates decide, unless an admin closed it early."""
    if state is not ProgramState.PUBLISHED:
        return WindowState.CLOSED
    return application_window(today, opens, closes)


def closed_early(state: ProgramState, today: date, closes: date) -> bool:
    """A program an admin closed before its close date: the posting must not say "closed on <that date>"."""
    return state is ProgramState.CLOSED and today <= closes


@dataclass(frozen=True)
class Missing:
    """One thing a draft still lacks before it can be published; ``tab`` is the editor tab that fixes it."""

    key: str
    message: str
    tab: str


def publish_checklist(*, body: str, active_criteria: int, closes: date, today: date) -> list[Missing]:
    """Why the program cannot be published yet (empty when it can): a posting text, a rubric, a window
    that has not already closed."""
    missing = []
    if not (body or "").strip():
        missing.append(Missing("body", "Write the posting text applicants will read.", "posting"))
    if active_criteria < 1:
        missing.append(Missing("rubric", "Add at least one rubric criterion for reviewers to score.", "review"))
    if closes < today:
        missing.append(
            Missing(
                "window",
                f"The application window closed on {long_date(closes)}: move the close date first.",
                "posting",
            )
        )
    return missing


def reopen_refusal(today: date, closes: date) -> str | None:
    """Why a closed program cannot take applications again (its close date has passed), or None."""
    if closes < today:
        return f"Applications would close on {long_date(closes)}, which has passed: move the close date first."
    return None


#: A copy for the next term opens at the earliest this long after the day it is made (as a new draft does).
NEXT_TERM_OPENS_IN_DAYS = 30


def next_term_dates(
    *, applications_open: date, applications_close: date, start_window_start: date, start_window_end: date, today: date
) -> dict[str, date]:
    """A clone's dates: every date moved by the same number of days, so the window and the start window keep
    their lengths and order, and applications open the day after the original's close, or in 30 days if later.
    """
    opens = max(applications_close + timedelta(days=1), today + timedelta(days=NEXT_TERM_OPENS_IN_DAYS))
    shift = opens - applications_open
    return {
        "applications_open": opens,
        "applications_close": applications_close + shift,
        "start_window_start": start_window_start + shift,
        "start_window_end": start_window_end + shift,
    }
