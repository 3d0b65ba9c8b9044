"""Dates and text as the portal writes them, whatever the server's locale: "30 September 2026".

Pure functions (no Flask), so rules, services, templates and emails all say a date the same way;
``create_app`` registers them as template filters.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def long_date(day: date) -> str:
    """"30 September 2026", the way the posting writes dates."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def day_label(day: date) -> str:
    """"Monday 2 March": a day of a week the reader already knows the year of."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}"


def month_label(year: int, month: int) -> str:
    """"October 2026", for stipend months."""
    return f"{MONTH_NAMES[month - 1]} {year}"


def text_blocks(text: str | None) -> Iterator[tuple[str, list[str]]]:
    """Split posting text into ("p", lines) and ("ul", items) blocks for the ``render_text`` macro.

    A line starting with "- " is a list item; a blank line ends a paragraph; other lines in a row make
    one paragraph (shown with line breaks). Nothing is marked safe: the template escapes every line.
    """
    kind: str | None = None
    lines: list[str] = []
    for raw in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            line_kind = None
        elif line.startswith("- ") or line == "-":
            line_kind, line = "ul", line[2:].strip()
        else:
            line_kind = "p"
        if line_kind != kind or line_kind is None:
            if kind and lines:
                yield kind, lines
            kind, lines = line_kind, []
        if line_kind and line:
            lines.append(line)
    if kind and lines:
        yield kind, lines
