"""Small-cell suppression for the self-identification report: no count lets anyone be singled out.

A question's table has one row per answer (every applicant in exactly one row, "Did not answer"
included) and two columns, applicants and accepted applicants; each column sums to its total, and the
totals are shown (they are the program's public figures). The accepted applicants are a subset of the
applicants, so in every row accepted ≤ applicants. A reader knows all of that, and these rules:

- **Primary**: any count from 1 to 4 is shown as "<5" (``Mark.SMALL``: the reader knows it is 1–4).
- **Zero is shown as 0.** An empty group holds nobody, so nobody can be identified by it, and a zero
  is exactly what the report exists to show ("no accepted applicant answered X"); suppressing it would
  hide the gap an organisation must see. A zero never helps work out another cell beyond what the
  checks below already guard.
- **Complementary**: after the primary step, every suppressed cell must have an alternative: another
  table, consistent with everything shown (the labels, the column totals, accepted ≤ applicants), in
  which that cell has a different value. While some cell has none (for example the only "<5" of a
  column, which the total minus the other cells would give), the next smallest shown non-zero cell of
  its column (or its row's other column) is withheld too (``Mark.WITHHELD``; the reader knows it is at
  least 5). When nothing is left to withhold, the whole column is not shown (``Mark.HIDDEN``): with 2
  accepted applicants who answered alike, no figure can be shown without saying how they answered.

The alternative is found by moving one unit between two suppressed cells of a column (in one or both
columns at once): a sufficient test, so the result may withhold a little more than strictly needed,
never less. tests/test_rules_suppression.py checks the guarantee by enumerating every consistent
table. The reader is assumed to know the labels' meaning, not to replay the algorithm.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

#: Counts from 1 to this are never shown as numbers.
SMALL_MAX = 4
SMALL_TEXT = "<5"
WITHHELD_TEXT = "withheld"
HIDDEN_TEXT = "not shown"
APPLICANTS, ACCEPTED = 0, 1


class Mark(enum.StrEnum):
    SHOWN = "shown"
    SMALL = "small"  # 1 to 4, shown as "<5"
    WITHHELD = "withheld"  # 5 or more, hidden so that a "<5" cannot be worked out
    HIDDEN = "hidden"  # the whole column is not shown


_Values = list[tuple[int, ...]]
_Marks = list[list[Mark]]


@dataclass(frozen=True)
class Cell:
    """One count as the report shows it; ``value`` is None unless it is shown."""

    value: int | None
    mark: Mark

    @property
    def text(self) -> str:
        if self.mark is Mark.SHOWN:
            return str(self.value)
        return {Mark.SMALL: SMALL_TEXT, Mark.WITHHELD: WITHHELD_TEXT, Mark.HIDDEN: HIDDEN_TEXT}[self.mark]


@dataclass(frozen=True)
class SuppressedTable:
    """The cells, row by row as (applicants, accepted), and the two totals (always shown)."""

    rows: tuple[tuple[Cell, Cell], ...]
    totals: tuple[int, int]

    def column_hidden(self, column: int) -> bool:
        return any(row[column].mark is Mark.HIDDEN for row in self.rows)


def bounds(mark: Mark, value: int, total: int) -> tuple[int, int]:
    """What a reader knows of a cell from its label: the smallest and largest value it can have."""
    if mark is Mark.SHOWN:
        return value, value
    if mark is Mark.SMALL:
        return 1, SMALL_MAX
    if mark is Mark.WITHHELD:
        return SMALL_MAX + 1, total
    return 0, total


def suppress(rows: Sequence[tuple[int, int]]) -> SuppressedTable:
    """Suppress one question's table of (applicants, accepted) counts per answer, as described above."""
    values = [tuple(int(count) for count in row) for row in rows]
    for applicants, accepted in values:
        if not 0 <= accepted <= applicants:
            raise ValueError(f"accepted ({accepted}) must be between 0 and applicants ({applicants})")
    totals = (sum(row[APPLICANTS] for row in values), sum(row[ACCEPTED] for row in values))
    marks = [[Mark.SMALL if 1 <= count <= SMALL_MAX else Mark.SHOWN for count in row] for row in values]
    while (exposed := _first_exposed(values, marks, totals)) is not None:
        if not _withhold_more(values, marks, *exposed):
            break  # everything is hidden: only a one-row table (everyone answered alike) gets here
    cells = tuple(
        tuple(Cell(count if mark is Mark.SHOWN else None, mark) for count, mark in zip(row, row_marks, strict=True))
        for row, row_marks in zip(values, marks, strict=True)
    )
    return SuppressedTable(rows=cells, totals=totals)  # type: ignore[arg-type]


def _first_exposed(values: _Values, marks: _Marks, totals: tuple[int, int]) -> tuple[int, int] | None:
    """A suppressed cell for which no alternative table was found (row, column), or None."""
    for row, row_marks in enumerate(marks):
        for column, mark in enumerate(row_marks):
            if mark is Mark.SHOWN or (mark is Mark.HIDDEN and values[row][column] == 0):
                continue  # a hidden empty group that the others pin down reveals nobody
            if not _has_alternative(values, marks, totals, row, column):
                return row, column
    return None


def _has_alternative(values: _Values, marks: _Marks, totals: tuple[int, int], row: int, column: int) -> bool:
    """Whether moving a unit between ``row`` and another row (in one or both columns) keeps the table
    consistent with what is shown while changing the cell (row, column)."""
    for other in range(len(values)):
        if other == row:
            continue
        for moves in ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1), (1, -1), (-1, 1)):
            if moves[column] and _consistent_after(values, marks, totals, row, other, moves):
                return True
    return False


def _consistent_after(
    values: _Values, marks: _Marks, totals: tuple[int, int], row: int, other: int, moves: tuple[int, int]
) -> bool:
    changed = {r: list(values[r]) for r in (row, other)}
    for column, step in enumerate(moves):
        if not step:
            continue
        for r, signed in ((row, step), (other, -step)):
            if marks[r][column] is Mark.SHOWN:
                return False
            changed[r][column] += signed
            low, high = bounds(marks[r][column], changed[r][column], totals[column])
            if not low <= changed[r][column] <= high:
                return False
    return all(counts[ACCEPTED] <= counts[APPLICANTS] for counts in changed.values())


def _withhold_more(values: _Values, marks: _Marks, row: int, column: int) -> bool:
    """Withhold the smallest shown non-zero cell of the column, or of the row's other column; else hide
    the column (the other one too when it is hidden already), and show again what the other column withheld,
    to be checked afresh without it. False when there is nothing left to hide."""
    candidates = [(values[r][column], 0, r, column) for r in range(len(values))]
    candidates.append((values[row][1 - column], 1, row, 1 - column))
    open_cells = [c for c in candidates if marks[c[2]][c[3]] is Mark.SHOWN and c[0] > 0]
    if open_cells:
        _, _, r, c = min(open_cells)
        marks[r][c] = Mark.WITHHELD
        return True
    for hide in (column, 1 - column):
        if marks[0][hide] is not Mark.HIDDEN:
            for r, row_marks in enumerate(marks):
                row_marks[hide] = Mark.HIDDEN
                other = row_marks[1 - hide]
                if other is Mark.WITHHELD:  # withheld because of the column now hidden: start again
                    row_marks[1 - hide] = Mark.SMALL if 1 <= values[r][1 - hide] <= SMALL_MAX else Mark.SHOWN
            return True
    return False
