"""What counts as "mentioning" an applicant whose data is erased, and how a mention is blanked out.

Erasing keeps rows that others need (audit events, an anonymous application) but not the person's
name or address in them. These functions only look at text: the services find the rows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: What a removed name or address becomes in the text that stays.
REMOVED = "[removed]"
#: A name shorter than this is matched only in rows that are about the application itself ("Al" is
#: in too many words and names to be looked for everywhere).
MIN_NAME_LENGTH = 4


@dataclass(frozen=True)
class Identity:
    """How the applicant can appear in text: their address (any case) and names (as whole words)."""

    email: str
    names: tuple[str, ...]  # full name first, then preferred name; blank ones left out

    @classmethod
    def of(cls, email: str, *names: str) -> Identity:
        return cls(email=email.strip().lower(), names=tuple(name.strip() for name in names if name and name.strip()))

    def searchable(self) -> list[str]:
        """The lower-case strings a database search looks for (names long enough to be told apart), each also
        as JSON writes it (non-ASCII letters escaped), since details are stored as JSON text."""
        terms = [self.email, *(name for name in self.names if len(name) >= MIN_NAME_LENGTH)]
        forms = {form.lower() for term in terms if term for form in (term, json.dumps(term)[1:-1])}
        return sorted(forms)

    def _pattern(self, *, every_name: bool) -> re.Pattern[str] | None:
        names = [name for name in self.names if every_name or len(name) >= MIN_NAME_LENGTH]
        parts = [re.escape(self.email)] if self.email else []
        parts += [rf"(?<!\w){re.escape(name)}(?!\w)" for name in sorted(names, key=len, reverse=True)]
        return re.compile("|".join(parts), re.IGNORECASE) if parts else None

    def mentioned_in(self, texts: Iterable[str | None], *, every_name: bool = False) -> bool:
        """Whether any text holds the address, or a name as a word (``every_name``: short names too)."""
        pattern = self._pattern(every_name=every_name)
        return pattern is not None and any(text and pattern.search(text) for text in texts)

    def scrub(self, value: Any, *, every_name: bool = False) -> Any:
        """``value`` (text, or JSON-like lists and dicts of it) with each mention replaced by REMOVED."""
        pattern = self._pattern(every_name=every_name)
        if pattern is None:
            return value
        return _scrub(value, pattern)


def _scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(REMOVED, value)
    if isinstance(value, list):
        return [_scrub(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, pattern) for key, item in value.items()}
    return value
