"""CSV files that staff open in a spreadsheet: one writer, and one guard against formula injection.

Applicants and interns type the names and answers that end up in these files, so a cell such as
``=HYPERLINK(...)`` must reach the spreadsheet as text, never as a formula.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

# A cell a spreadsheet would read as a formula (or that hides one behind a tab or carriage return).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number such as "-0.52" is never a formula; leaving it alone keeps it a number in spreadsheets.
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def neutralise_cell(value: str) -> str:
    """A leading apostrophe for a cell a spreadsheet would run as a formula ("=HYPERLINK(...)", "+1")."""
    if value.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def rows_to_csv(rows: Iterable[Sequence[str]]) -> str:
    """RFC 4180 text (CRLF line ends), the same bytes for the same rows, so a rerun gives the same file."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()
