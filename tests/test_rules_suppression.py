"""Small-cell suppression (portal.rules.suppression): the boundary table, and a brute-force guarantee
that no suppressed count can be worked out from what the report shows."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.rules.suppression import ACCEPTED, APPLICANTS, Mark, bounds, suppress


def texts(rows) -> list[list[str]]:
    return [[cell.text for cell in row] for row in suppress(rows).rows]


# One question's table: (applicants, accepted) per answer → what the report shows.
BOUNDARY = [
    pytest.param([(0, 0), (7, 2), (9, 3), (6, 0)], [["0", "0"], ["7", "<5"], ["9", "<5"], ["6", "0"]], id="zero shown"),
    pytest.param([(1, 0), (8, 0), (12, 0)], [["<5", "0"], ["withheld", "0"], ["12", "0"]], id="one: complement"),
    pytest.param([(4, 0), (3, 0), (9, 0)], [["<5", "0"], ["<5", "0"], ["9", "0"]], id="four and three"),
    # Two "<5" summing to 17 − 9 = 8 can only be 4 and 4: the 9 is withheld too.
    pytest.param([(4, 0), (4, 0), (9, 0)], [["<5", "0"], ["<5", "0"], ["withheld", "0"]], id="four and four"),
    pytest.param([(5, 0), (6, 0), (9, 0)], [["5", "0"], ["6", "0"], ["9", "0"]], id="five shown"),
    # 20 applicants in total: shown 9 and 8 would give the "<5" as 20 − 9 − 8 = 3, so 8 is withheld too.
    pytest.param([(3, 0), (8, 0), (9, 0)], [["<5", "0"], ["withheld", "0"], ["9", "0"]], id="total reveals"),
    # Accepted: 6 + 7 shown, 15 accepted in total: the "<5" would be 15 − 13; the 6 goes too.
    pytest.param([(9, 2), (7, 6), (20, 7)], [["9", "<5"], ["7", "withheld"], ["20", "7"]], id="accepted column"),
    # Across the columns: a withheld accepted count of 5 beside 5 applicants can only be 5 (at least 5,
    # at most the applicants), which gives the "<5" as 14 − 5 − 7; so the 7 goes too, and the 5
    # applicants (with the 9, so that they cannot be worked out from the 34 either).
    pytest.param([(9, 2), (5, 5), (20, 7)], [["withheld", "<5"], ["withheld", "withheld"], ["20", "withheld"]],
                 id="accepted ≤ applicants"),
    # Both accepted applicants answered alike: no figure of the accepted column can be shown.
    pytest.param([(2, 2), (6, 0), (7, 0)], [["<5", "not shown"], ["withheld", "not shown"], ["7", "not shown"]],
                 id="column hidden"),
]


@pytest.mark.parametrize(("rows", "shown"), BOUNDARY)
def test_boundary_table(rows, shown):
    assert texts(rows) == shown
    assert suppress(rows).totals == (sum(a for a, _ in rows), sum(c for _, c in rows))


def test_counts_must_be_a_subset():
    with pytest.raises(ValueError, match="accepted"):
        suppress([(2, 3), (5, 0)])


# ------------------------------------------------------------------------------------------------
# The guarantee, by enumeration


def _column_options(table, column: int) -> list[tuple[int, ...]]:
    """Every column of values a reader could believe, given its labels and its shown total."""
    total = table.totals[column]
    ranges = []
    for row in table.rows:
        cell = row[column]
        low, high = bounds(cell.mark, cell.value or 0, total)
        ranges.append(range(low, min(high, total) + 1))
    return [values for values in itertools.product(*ranges) if sum(values) == total]


def possible_values(table) -> dict[tuple[int, int], set[int]]:
    """For each cell, every value it has in some table consistent with everything the report shows."""
    found: dict[tuple[int, int], set[int]] = {}
    applicants, accepted = _column_options(table, APPLICANTS), _column_options(table, ACCEPTED)
    for a_values in applicants:
        for c_values in accepted:
            if all(c <= a for a, c in zip(a_values, c_values, strict=True)):
                for row, pair in enumerate(zip(a_values, c_values, strict=True)):
                    for column, value in enumerate(pair):
                        found.setdefault((row, column), set()).add(value)
    return found


def assert_nothing_revealed(rows) -> None:
    table = suppress(rows)
    seen = possible_values(table)
    for row, (counts, cells) in enumerate(zip(rows, table.rows, strict=True)):
        for column, (count, cell) in enumerate(zip(counts, cells, strict=True)):
            assert count in seen[(row, column)]  # the true table is among those consistent
            if cell.mark is Mark.SHOWN:
                assert cell.value == count and not 1 <= count <= 4
            elif count > 0:
                assert len(seen[(row, column)]) > 1, f"cell {row},{column} of {rows} can be worked out: {count}"
            if 1 <= count <= 4:
                assert cell.mark is not Mark.SHOWN


def test_the_boundary_tables_reveal_nothing():
    for param in BOUNDARY:
        assert_nothing_revealed(param.values[0])


@st.composite
def tables(draw):
    rows = draw(st.integers(min_value=2, max_value=4))
    applicants = draw(st.lists(st.integers(0, 9), min_size=rows, max_size=rows))
    accepted = [draw(st.integers(0, count)) for count in applicants]
    return list(zip(applicants, accepted, strict=True))


@settings(max_examples=300, deadline=None)
@given(tables())
def test_no_suppressed_cell_can_be_worked_out(rows):
    assert_nothing_revealed(rows)
