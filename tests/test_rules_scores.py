"""Review queue scores: raw mean, and per-reviewer z-scores so lenient and strict weigh the same."""

import math
import statistics
from collections.abc import Callable

import pytest

from portal.rules.scores import (
    MIN_REVIEWS_FOR_NORMALISING,
    ApplicationScore,
    ReviewScore,
    fair_scores,
    review_contributions,
    review_score,
    round_score,
    sort_key_normalised,
    sort_key_raw,
)

LENIENT = 101
STRICT = 102
OTHER = 103


def reviews(reviewer_id: int, scores_by_application: dict[int, float]) -> list[ReviewScore]:
    return [ReviewScore(app, reviewer_id, score) for app, score in scores_by_application.items()]


def order(scores: dict[int, ApplicationScore], key: Callable[[ApplicationScore], tuple[int, float, int]]) -> list[int]:
    return [score.application_id for score in sorted(scores.values(), key=key)]


def present(value: float | None) -> float:
    assert value is not None
    return value


def z_of(reviewer_id: int, application_id: int, scores: list[ReviewScore]) -> float:
    (found,) = [
        c.z for c in review_contributions(scores) if (c.reviewer_id, c.application_id) == (reviewer_id, application_id)
    ]
    return found


# --- one review's score -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([4], 4.0),
        ([1, 5], 3.0),
        ([3, 4, 4], 11 / 3),
        ([5, 5, 5, 5, 5], 5.0),
        ((2, 3), 2.5),
    ],
)
def test_review_score_is_the_mean_of_the_criteria(values: list[int], expected: float) -> None:
    assert review_score(values) == pytest.approx(expected)


def test_review_with_no_criterion_scored_has_no_score() -> None:
    assert review_score([]) is None


@pytest.mark.parametrize("values", [[0], [6], [3, 4, 7], [-1, 3]])
def test_review_score_refuses_values_outside_one_to_five(values: list[int]) -> None:
    with pytest.raises(ValueError, match="between 1 and 5"):
        review_score(values)


@pytest.mark.parametrize("score", [0.99, 5.01, math.nan, math.inf])
def test_review_score_record_refuses_a_score_outside_one_to_five(score: float) -> None:
    with pytest.raises(ValueError, match="between 1 and 5"):
        ReviewScore(1, LENIENT, score)


# --- raw mean -----------------------------------------------------------------------------------


def test_one_reviewer_raw_mean_is_their_score() -> None:
    result = fair_scores([ReviewScore(1, LENIENT, 11 / 3)])
    assert result[1].reviews == 1
    assert result[1].raw_mean == pytest.approx(11 / 3)
    assert round_score(result[1].raw_mean) == "3.67"


def test_several_reviewers_raw_mean_and_count() -> None:
    result = fair_scores(
        [ReviewScore(1, LENIENT, 5.0), ReviewScore(1, STRICT, 2.0), ReviewScore(1, OTHER, 3.5)]
        + [ReviewScore(2, STRICT, 1.0)]
    )
    assert result[1].reviews == 3
    assert result[1].raw_mean == pytest.approx(3.5)
    assert result[2].reviews == 1
    assert result[2].raw_mean == pytest.approx(1.0)


def test_application_nobody_scored_has_no_figures() -> None:
    result = fair_scores([ReviewScore(1, LENIENT, 4.0)], application_ids=[1, 7])
    assert result[7] == ApplicationScore(application_id=7, reviews=0, raw_mean=None, normalised=None, mean_z=None)
    assert round_score(result[7].raw_mean) == "–"
    assert round_score(result[7].normalised) == "–"


def test_no_reviews_at_all() -> None:
    assert fair_scores([]) == {}
    assert fair_scores([], application_ids=[3])[3].reviews == 0
    assert fair_scores([], application_ids=[3])[3].normalised is None


def test_a_duplicate_review_keeps_the_last_score() -> None:
    result = fair_scores([ReviewScore(1, LENIENT, 2.0), ReviewScore(1, LENIENT, 4.0)])
    assert result[1].reviews == 1
    assert result[1].raw_mean == 4.0


def test_fair_scores_accepts_a_one_shot_iterator() -> None:
    given = iter(reviews(STRICT, {1: 1.0, 2: 2.0, 3: 3.0}))
    result = fair_scores(given)
    assert [result[app].reviews for app in (1, 2, 3)] == [1, 1, 1]
    assert order(result, sort_key_normalised) == [3, 2, 1]


# --- lenient and strict reviewers on the same applications -----------------------------------------

# Consensus order, best first: both reviewers agree on it, only their scales differ.
CONSENSUS = [13, 11, 16, 12, 15, 14]
SAME_SIX = reviews(LENIENT, dict(zip(CONSENSUS, [5.0, 4.8, 4.6, 4.4, 4.2, 4.0], strict=True))) + reviews(
    STRICT, dict(zip(CONSENSUS, [3.0, 2.6, 2.2, 1.8, 1.4, 1.0], strict=True))
)


def test_lenient_and_strict_on_the_same_applications_give_the_consensus_order() -> None:
    result = fair_scores(SAME_SIX)
    assert order(result, sort_key_normalised) == CONSENSUS
    assert all(result[app].reviews == 2 for app in CONSENSUS)


@pytest.mark.parametrize("reviewer_id", [LENIENT, STRICT])
def test_each_reviewers_contributions_average_zero_with_spread_one(reviewer_id: int) -> None:
    zs = [c.z for c in review_contributions(SAME_SIX) if c.reviewer_id == reviewer_id]
    assert len(zs) == 6
    assert statistics.fmean(zs) == pytest.approx(0.0, abs=1e-12)
    assert statistics.pstdev(zs) == pytest.approx(1.0)


def test_lenient_and_strict_weigh_the_same_on_each_application() -> None:
    # Evenly spaced on both scales, so after normalising their verdicts are identical.
    for app in CONSENSUS:
        assert z_of(LENIENT, app, SAME_SIX) == pytest.approx(z_of(STRICT, app, SAME_SIX))


# --- the key scenario: lenient and strict reviewers read different applications ---------------------

# True quality by construction. The two piles are equally good overall (same mean 3.0 and same
# spread), which is what per-reviewer normalisation assumes, but interleave application by application.
LENIENT_PILE = {1: 2.5, 2: 3.1, 3: 3.4}
STRICT_PILE = {4: 2.6, 5: 2.9, 6: 3.5}
TRUE_ORDER = [6, 3, 2, 5, 4, 1]  # 3.5, 3.4, 3.1, 2.9, 2.6, 2.5


def split_piles(offset: float) -> list[ReviewScore]:
    """Lenient scores quality + offset, strict quality - offset; no score is clipped at 1 or 5."""
    lenient = reviews(LENIENT, {app: q + offset for app, q in LENIENT_PILE.items()})
    strict = reviews(STRICT, {app: q - offset for app, q in STRICT_PILE.items()})
    assert all(1 <= review.score <= 5 for review in lenient + strict)
    return lenient + strict


def test_the_two_piles_are_equally_good_by_construction() -> None:
    assert statistics.fmean(LENIENT_PILE.values()) == pytest.approx(statistics.fmean(STRICT_PILE.values()))
    assert statistics.pstdev(LENIENT_PILE.values()) == pytest.approx(statistics.pstdev(STRICT_PILE.values()))
    assert sorted(LENIENT_PILE | STRICT_PILE, key=lambda app: -(LENIENT_PILE | STRICT_PILE)[app]) == TRUE_ORDER


@pytest.mark.parametrize("offset", [0.5, 1.0, 1.5])
def test_raw_mean_floats_the_lenient_reviewers_applications_up(offset: float) -> None:
    raw_order = order(fair_scores(split_piles(offset)), sort_key_raw)
    assert raw_order != TRUE_ORDER
    assert raw_order[:3] == [3, 2, 1]  # all three lenient-reviewed applications on top


@pytest.mark.parametrize("offset", [0.5, 1.0, 1.5])
def test_normalised_order_matches_the_true_order(offset: float) -> None:
    result = fair_scores(split_piles(offset))
    assert order(result, sort_key_normalised) == TRUE_ORDER
    # The strict reviewer's best application now leads, although three applications have a higher raw mean.
    assert present(result[6].normalised) > present(result[3].normalised)
    assert present(result[6].raw_mean) < present(result[3].raw_mean)


def test_normalised_mean_reads_on_the_one_to_five_scale_of_all_scores() -> None:
    given = split_piles(1.5)
    result = fair_scores(given)
    pool_mean = statistics.fmean(review.score for review in given)
    pool_std = statistics.pstdev(review.score for review in given)
    for score in result.values():
        assert score.normalised == pytest.approx(pool_mean + present(score.mean_z) * pool_std)
    # Each pile's middle application sits near the pool's middle, not near its reviewer's habit.
    assert 2.5 < present(result[2].normalised) < 3.5
    assert 2.5 < present(result[5].normalised) < 3.5
    assert round_score(result[2].raw_mean) == "4.60"
    assert round_score(result[5].raw_mean) == "1.40"


# --- who counts raw ------------------------------------------------------------------------------

# OTHER scores six applications (and is normalised). With LENIENT's two scores of 5 and 4, the pool
# of all eight scores is 5, 4, 2, 2, 2, 3, 3, 3: mean 3 and standard deviation 1, easy to check by hand.
OTHER_SIX = reviews(OTHER, {11: 2.0, 12: 2.0, 13: 2.0, 14: 3.0, 15: 3.0, 16: 3.0})


@pytest.mark.parametrize(
    ("lenient_scores", "normalised_by_reviewer", "expected_z"),
    [
        # Two applications: counts raw, 5 is two pool spreads above the pool mean of 3.
        pytest.param({1: 5.0, 2: 4.0}, False, 2.0, id="2-applications-count-raw"),
        # Three applications: measured against their own mean 4 and spread sqrt(2/3).
        pytest.param({1: 5.0, 2: 4.0, 3: 3.0}, True, math.sqrt(1.5), id="3-applications-normalised"),
    ],
)
def test_reviewer_is_normalised_from_three_applications(
    lenient_scores: dict[int, float], normalised_by_reviewer: bool, expected_z: float
) -> None:
    given = reviews(LENIENT, lenient_scores) + OTHER_SIX
    (mine,) = [c for c in review_contributions(given) if (c.reviewer_id, c.application_id) == (LENIENT, 1)]
    assert (len(lenient_scores) >= MIN_REVIEWS_FOR_NORMALISING) is normalised_by_reviewer
    assert mine.normalised_by_reviewer is normalised_by_reviewer
    assert mine.z == pytest.approx(expected_z)
    assert fair_scores(given)[1].mean_z == pytest.approx(expected_z)


def test_reviewer_with_two_applications_shows_their_score_on_the_pool_scale() -> None:
    result = fair_scores(reviews(LENIENT, {1: 5.0, 2: 4.0}) + OTHER_SIX)
    # Pool mean 3 and spread 1: a raw 5 is z = 2, shown as 3 + 2 x 1 = 5.
    assert result[1].mean_z == pytest.approx(2.0)
    assert result[1].normalised == pytest.approx(5.0)
    assert result[2].normalised == pytest.approx(4.0)


def test_reviewer_giving_everyone_the_same_score_counts_raw() -> None:
    # STRICT's eight scores and LENIENT's four 4s: twelve scores with mean 3 and spread 1.
    strict = reviews(STRICT, {1: 1.0, 2: 2.0, 3: 2.0, 4: 2.0, 5: 3.0, 6: 3.0, 7: 3.0, 8: 4.0})
    flat = reviews(LENIENT, {5: 4.0, 6: 4.0, 7: 4.0, 8: 4.0})
    contributions = [c for c in review_contributions(strict + flat) if c.reviewer_id == LENIENT]
    assert len(contributions) == 4
    assert all(not c.normalised_by_reviewer for c in contributions)
    assert all(c.z == pytest.approx(1.0) for c in contributions)
    assert all(c.normalised_by_reviewer for c in review_contributions(strict + flat) if c.reviewer_id == STRICT)


def test_everyone_giving_the_same_score_divides_by_nothing() -> None:
    result = fair_scores(reviews(LENIENT, {1: 3.0, 2: 3.0, 3: 3.0}) + reviews(STRICT, {1: 3.0}))
    for app in (1, 2, 3):
        assert result[app].mean_z == 0.0
        assert result[app].normalised == 3.0
        assert result[app].raw_mean == 3.0


def test_a_single_review_is_its_own_normalised_score() -> None:
    result = fair_scores([ReviewScore(9, LENIENT, 4.5)])
    assert result[9].mean_z == 0.0
    assert result[9].normalised == 4.5


def test_near_equal_scores_from_float_averaging_are_not_blown_up() -> None:
    # The same 3.67 computed differently by a caller may differ in the last bit; that is not a spread
    # to divide by (it would turn float noise into z-scores of about +-1).
    noisy = [11 / 3, math.nextafter(11 / 3, 5), 11 / 3]
    given = [ReviewScore(app, LENIENT, score) for app, score in enumerate(noisy, start=1)]
    assert all(not c.normalised_by_reviewer for c in review_contributions(given))
    assert all(abs(c.z) < 1e-6 for c in review_contributions(given))


# --- display and sorting ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "–"),
        (11 / 3, "3.67"),
        (4, "4.00"),
        (4.999, "5.00"),
        (1.0, "1.00"),
        (-0.001, "0.00"),
        (5.234, "5.23"),
    ],
)
def test_round_score(value: float | None, text: str) -> None:
    assert round_score(value) == text


def test_sorting_puts_applications_without_reviews_last() -> None:
    result = fair_scores(
        reviews(STRICT, {2: 1.0, 4: 3.0, 5: 2.0}) + reviews(LENIENT, {4: 5.0}),
        application_ids=[1, 2, 3, 4, 5, 6],
    )
    assert order(result, sort_key_normalised) == [4, 5, 2, 1, 3, 6]
    assert order(result, sort_key_raw) == [4, 5, 2, 1, 3, 6]


def test_sorting_breaks_ties_by_application_id() -> None:
    result = fair_scores(reviews(STRICT, {8: 2.0, 3: 2.0, 5: 4.0}))
    assert order(result, sort_key_normalised) == [5, 3, 8]
    assert order(result, sort_key_raw) == [5, 3, 8]
