"""The public pages most visitors read, a posting and its empty application form, kept whole for a few seconds.

They are the same for everyone who is not signed in, yet drawing one costs loading the program from the
database and rendering it, several times the cost of what a request does otherwise. So for a visitor who is
not signed in and has no message waiting, the page is kept per (page, program address, today's date) for
``PUBLIC_PAGE_SECONDS`` (0 turns it off) in each worker, and served without reading the database. The form's
CSRF token and submission key stay per request: the kept page holds placeholders that each request fills in.

An admin's change to a program, its stipend tiers or its questions, committed through the portal, empties
this worker's pages at once; other workers and instances show it once their copy is ``PUBLIC_PAGE_SECONDS``
old. Signed-in people (staff checking their edit) always get a freshly drawn page. What a visitor sends is
always checked against the database (a form sent to a program that has just closed is refused).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from datetime import date

from flask import current_app, request, session
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.models import ApplicationQuestion, Program, StipendTierSetting
from portal.sessions import someone_signed_in

#: Pages kept per app at most (one is 10 to 40 kB); the oldest goes first.
MAX_PAGES = 256
#: Rows whose change a kept page may show: committing one empties the pages (see ``_note_changes``).
SHOWN_ON_PUBLIC_PAGES = (Program, StipendTierSetting, ApplicationQuestion)
_STALE = "public_pages_stale"

#: The clock the pages' age is read from (a test moves it on instead of waiting).
clock: Callable[[], float] = time.monotonic


class _Pages:
    """One app's kept pages: key → (good until, html); the lock keeps eviction safe under threads."""

    def __init__(self) -> None:
        self.by_key: dict[tuple, tuple[float, str]] = {}
        self.lock = threading.Lock()

    def get(self, key: tuple, now: float) -> str | None:
        kept = self.by_key.get(key)
        return kept[1] if kept is not None and kept[0] > now else None

    def keep(self, key: tuple, html: str, until: float) -> None:
        with self.lock:
            self.by_key.pop(key, None)
            while len(self.by_key) >= MAX_PAGES:
                del self.by_key[next(iter(self.by_key))]
            self.by_key[key] = (until, html)

    def forget(self) -> None:
        with self.lock:
            self.by_key.clear()


#: Every live app's pages, for a commit to empty; an app's go with it (the tests build thousands of apps).
_every_app_pages: weakref.WeakSet[_Pages] = weakref.WeakSet()


def _pages() -> _Pages:
    pages = current_app.extensions.get("public_pages")
    if pages is None:
        pages = current_app.extensions["public_pages"] = _Pages()
        _every_app_pages.add(pages)
    return pages


def for_everyone() -> bool:
    """Whether this request may get a kept page: nobody is signed in and no flashed message waits (the
    page would show it). Reads only the session cookie, never the database."""
    return not someone_signed_in() and not session.get("_flashes")


def public_page(name: str, slug: str, draw: Callable[[], str], fill: Callable[[str], str] = str) -> str:
    """The page ``name`` of the program at ``slug``: kept when it may be, else ``draw()``; ``fill`` puts this
    request's own values (a CSRF token) into the page, kept or not. ``draw`` may raise (a 404 is not kept)."""
    seconds = current_app.config.get("PUBLIC_PAGE_SECONDS") or 0
    if seconds <= 0 or not for_everyone():
        return fill(draw())
    pages = _pages()
    key = (name, slug, date.today(), request.script_root)
    now = clock()
    html = pages.get(key, now)
    if html is None:
        html = draw()
        pages.keep(key, html, now + seconds)
    return fill(html)


def forget_public_pages() -> None:
    """Empty every app's kept pages in this process."""
    for pages in list(_every_app_pages):
        pages.forget()


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, flush_context) -> None:
    """A flush that wrote a row a public page shows marks the transaction; its commit empties the pages."""
    if any(isinstance(row, SHOWN_ON_PUBLIC_PAGES) for row in (*session.new, *session.dirty, *session.deleted)):
        session.info[_STALE] = True


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    if session.info.pop(_STALE, False):
        forget_public_pages()


@event.listens_for(Session, "after_rollback")
def _nothing_changed(session: Session) -> None:
    session.info.pop(_STALE, None)
