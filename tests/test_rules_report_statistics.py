"""Report statistics: median, nearest-rank percentile, funnel shares, reviewer spread, weeks shown."""

from __future__ import annotations

import math
import statistics
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.rules.report_statistics import (
    LEANING_MIN_SCORES,
    Spread,
    format_share,
    leaning,
    median,
    per_week,
    percentile,
    share,
    spread,
    spread_from_sums,
    summarise_durations,
    week_span,
)

durations = st.lists(st.floats(min_value=0, max_value=1000, allow_nan=False), min_size=1, max_size=60)


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], None), ([4], 4.0), ([3, 1, 2], 2.0), ([1, 2, 3, 10], 2.5), ([5, 5, 1, 1], 3.0)],
)
def test_median(values, expected):
    assert median(values) == expected


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        (list(range(1, 11)), 90, 9.0),  # rank ⌈0.9 × 10⌉ = 9
        (list(range(1, 11)), 91, 10.0),
        (list(range(1, 21)), 90, 18.0),
        ([7], 90, 7.0),
        ([2, 1], 50, 1.0),
        ([3, 1, 2], 100, 3.0),
        ([], 90, None),
    ],
)
def test_percentile_is_nearest_rank(values, p, expected):
    assert percentile(values, p) == expected


@pytest.mark.parametrize("p", [0, -5, 101])
def test_a_percentile_outside_0_to_100_is_refused(p):
    with pytest.raises(ValueError):
        percentile([1, 2], p)


@given(durations, st.floats(min_value=0.5, max_value=100))
def test_a_percentile_is_always_one_of_the_values_and_at_least_p_percent_are_at_or_below_it(values, p):
    value = percentile(values, p)
    assert value in values
    at_or_below = sum(1 for item in values if item <= value)
    assert at_or_below >= p / 100 * len(values) - 1e-9
    below = sum(1 for item in values if item < value)
    assert below < p / 100 * len(values)  # and no smaller value would do


@given(durations)
def test_the_median_agrees_with_the_standard_library_and_p90_is_not_below_it(values):
    summary = summarise_durations(values)
    assert summary.count == len(values)
    assert summary.median == pytest.approx(statistics.median(values))
    assert summary.p90 >= summary.median - 1e-9


def test_a_negative_duration_counts_as_zero_and_nothing_gives_no_figures():
    assert summarise_durations([-0.5, 2.0]).median == 1.0
    empty = summarise_durations([])
    assert (empty.count, empty.median, empty.p90) == (0, None, None)


def test_share_guards_an_empty_step():
    assert share(3, 12) == 0.25
    assert share(0, 0) is None
    assert format_share(share(3, 8)) == "38%"
    assert format_share(None) == "–"


@given(st.lists(st.integers(min_value=1, max_value=5), max_size=80))
def test_the_spread_from_sums_equals_the_spread_of_the_scores(values):
    from_sums = spread_from_sums(len(values), sum(values), sum(value * value for value in values))
    if not values:
        assert from_sums == Spread(0, None, None)
        return
    assert from_sums.mean == pytest.approx(statistics.fmean(values))
    assert from_sums.deviation == pytest.approx(statistics.pstdev(values), abs=1e-6)


def test_the_same_score_every_time_has_no_spread():
    assert spread([4, 4, 4]).deviation == 0.0
    assert not math.isnan(spread_from_sums(3, 3 * 0.1, 3 * 0.1 * 0.1).deviation)


@pytest.mark.parametrize(
    ("scores", "everyone", "expected"),
    [
        ([5, 5, 4, 5, 5], 3.5, "lenient"),
        ([2, 2, 3, 2, 2], 3.5, "strict"),
        ([4, 3, 4, 3, 4], 3.5, ""),
        ([5] * (LEANING_MIN_SCORES - 1), 3.0, ""),  # too few scores to say
        ([], 3.0, ""),
    ],
)
def test_a_reviewer_far_from_everyones_mean_is_called_lenient_or_strict(scores, everyone, expected):
    assert leaning(spread(scores), everyone) == expected


def test_the_weeks_shown_run_from_the_first_to_the_last_day_widened_to_the_window():
    weeks = week_span(date(2026, 8, 5), date(2026, 8, 20), window=(date(2026, 8, 1), date(2026, 8, 31)))

    assert weeks[0] == date(2026, 7, 27) and weeks[-1] == date(2026, 8, 31)
    assert len(weeks) == 6
    assert week_span(None, None) == []
    assert len(week_span(date(2000, 1, 3), date(2026, 1, 5), limit=10)) == 10


def test_daily_counts_add_up_into_their_weeks_with_empty_weeks_as_zero():
    mondays = [date(2026, 8, 3), date(2026, 8, 10), date(2026, 8, 17)]
    counts = {date(2026, 8, 3): 2, date(2026, 8, 9): 1, date(2026, 8, 17): 4, date(2026, 9, 1): 9}

    assert per_week(counts, mondays) == [(date(2026, 8, 3), 3), (date(2026, 8, 10), 0), (date(2026, 8, 17), 4)]
