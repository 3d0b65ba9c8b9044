"""Application scores for the review queue: the raw mean, and a fair mean that evens out reviewers.

Some reviewers give everyone 4–5 and others 1–3, so an application's raw mean depends on who
happened to read it. ``fair_scores`` also puts each reviewer's scores in z units against that
reviewer's own habits (how far above or below their usual score, in their usual spread), so a
lenient and a strict reviewer weigh the same, and maps the mean back onto the 1–5 scale so it can
be read next to the raw mean. Nothing is rounded here; ``round_score`` is for display only.

Everything is measured within one program: call ``fair_scores`` with one program's reviews. The pool
is that program's scores and a reviewer's habits are their scores in that program (a reviewer strict
in one program and lenient in another is measured by each). The queue does not call ``fair_scores``
per request: ``portal.services.review_statistics`` keeps the same figures in the database with
``Tally`` (count, mean and squared deviations), ``counts_by_own_habits``, ``Scale`` and
``normalised_score`` from here, and a test checks they equal ``fair_scores``.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MIN_SCORE = 1
MAX_SCORE = 5
MIN_REVIEWS_FOR_NORMALISING = 3
NO_SCORE = "–"

# A spread this small is float noise from averaging, not a reviewer telling applications apart;
# dividing by it would blow one reviewer's tiny differences up into the whole queue's order.
_ZERO_SPREAD = 1e-9


@dataclass(frozen=True)
class ReviewScore:
    """One reviewer's overall score of one application: their mean over the criteria they scored.

    Build ``score`` with ``review_score``. A score outside 1–5 (or NaN) is refused here, because
    a single bad value would silently shift every reviewer's z-scores through the shared pool.
    """

    application_id: int
    reviewer_id: int
    score: float

    def __post_init__(self) -> None:
        # Written so that NaN, which compares false with everything, is refused too.
        if not MIN_SCORE <= self.score <= MAX_SCORE:
            raise ValueError(f"A review score must be between {MIN_SCORE} and {MAX_SCORE}, not {self.score!r}")


def review_score(criterion_values: Sequence[int]) -> float | None:
    """A reviewer's overall score of an application: the plain mean of their 1–5 criterion values.

    Scores on a criterion retired since count too: a review's overall score keeps the meaning it had
    when it was given, and new reviews (which no longer ask the criterion) are means of what they ask.
    ``None`` when they scored no criterion, so an untouched review is not mistaken for a low one.
    Values outside 1–5 raise ``ValueError``: the database refuses them, so one here is a bug.
    """
    if not criterion_values:
        return None
    for value in criterion_values:
        if not MIN_SCORE <= value <= MAX_SCORE:
            raise ValueError(f"A criterion value must be between {MIN_SCORE} and {MAX_SCORE}, not {value!r}")
    return statistics.fmean(criterion_values)


@dataclass(frozen=True)
class ReviewContribution:
    """What one review adds to the fair score, in z units, and whose habits it was measured against.

    ``normalised_by_reviewer`` is False when the reviewer "counts raw" (fewer than
    ``MIN_REVIEWS_FOR_NORMALISING`` scored applications, or the same score for everyone): their
    score is then measured against the pool of all scores, so it still shares one scale.
    """

    application_id: int
    reviewer_id: int
    score: float
    z: float
    normalised_by_reviewer: bool


@dataclass(frozen=True)
class ApplicationScore:
    """The queue's figures for one application; every figure is ``None`` while nobody has scored it."""

    application_id: int
    reviews: int
    raw_mean: float | None
    normalised: float | None
    mean_z: float | None


@dataclass(frozen=True)
class Scale:
    """A mean and population standard deviation, to turn scores into z units and back."""

    mean: float
    std: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Scale:
        return cls(mean=statistics.fmean(values), std=spread(statistics.pstdev(values)))

    def z(self, value: float) -> float:
        """How many spreads ``value`` is from the mean; 0 when there is no spread to measure by."""
        return 0.0 if self.std == 0 else (value - self.mean) / self.std

    def value(self, z: float) -> float:
        return self.mean + z * self.std


def spread(std: float) -> float:
    """A standard deviation as the scores use it: 0 when it is float noise (below the zero spread)."""
    return 0.0 if std < _ZERO_SPREAD else std


def counts_by_own_habits(reviews: int, std: float) -> bool:
    """A reviewer is measured against their own habits with ``MIN_REVIEWS_FOR_NORMALISING`` scored
    applications and some spread (``std`` as ``spread`` gives it); otherwise they count raw."""
    return reviews >= MIN_REVIEWS_FOR_NORMALISING and std > 0


def normalised_score(pool: Scale, mean_z: float | None) -> float | None:
    """The fair score on the 1–5 scale of the program's pool; ``None`` while nobody has scored it."""
    return None if mean_z is None else pool.value(mean_z)


@dataclass(frozen=True)
class Tally:
    """A count, mean and sum of squared deviations from that mean of a set of scores, as a database sums
    them; ``scale`` gives the ``Scale`` ``fair_scores`` would use for the same set."""

    count: int = 0
    mean: float = 0.0
    squares: float = 0.0

    def scale(self) -> Scale:
        if self.count == 0:
            return Scale(0.0, 0.0)
        return Scale(self.mean, spread(math.sqrt(max(0.0, self.squares) / self.count)))


def _latest(scores: Iterable[ReviewScore]) -> list[ReviewScore]:
    """One score per reviewer and application, the last one given wins.

    The database allows one review per reviewer and application, so duplicates only come from a
    caller's mistake; keeping the last means a re-read list with an edited score uses the edit.
    """
    latest: dict[tuple[int, int], ReviewScore] = {}
    for score in scores:
        latest[(score.application_id, score.reviewer_id)] = score
    return list(latest.values())


def _contributions(latest: list[ReviewScore]) -> tuple[list[ReviewContribution], Scale | None]:
    if not latest:
        return [], None
    pool = Scale.of([review.score for review in latest])
    by_reviewer: dict[int, list[float]] = defaultdict(list)
    for review in latest:
        by_reviewer[review.reviewer_id].append(review.score)
    scales: dict[int, Scale | None] = {}
    for reviewer_id, values in by_reviewer.items():
        own = Scale.of(values)
        scales[reviewer_id] = own if counts_by_own_habits(len(values), own.std) else None
    contributions = []
    for review in latest:
        own_scale = scales[review.reviewer_id]
        contributions.append(
            ReviewContribution(
                application_id=review.application_id,
                reviewer_id=review.reviewer_id,
                score=review.score,
                z=(own_scale or pool).z(review.score),
                normalised_by_reviewer=own_scale is not None,
            )
        )
    return contributions, pool


def review_contributions(scores: Iterable[ReviewScore]) -> list[ReviewContribution]:
    """Each review's contribution in z units, in the order given (after dropping duplicates).

    A reviewer with at least ``MIN_REVIEWS_FOR_NORMALISING`` scored applications and some spread
    is measured against their own mean and population standard deviation; anyone else counts raw,
    measured against all scores together (z = 0 when every score in the pool is the same).
    """
    contributions, _pool = _contributions(_latest(scores))
    return contributions


def fair_scores(scores: Iterable[ReviewScore], *, application_ids: Iterable[int] = ()) -> dict[int, ApplicationScore]:
    """The raw mean and the fair (normalised) mean of every application, keyed by application id.

    ``mean_z`` is the mean of the application's review contributions (see
    ``review_contributions``); ``normalised`` maps it back onto the 1–5 scale of all scores
    (pool mean + mean_z × pool standard deviation) so people can read it next to the raw mean.
    It can fall a little outside 1–5 for an application at the edge of a reviewer's range; it is
    meant for ordering and comparison, and is not clamped so that order is kept.

    Pass ``application_ids`` to get a row (``reviews`` 0, figures ``None``) for applications
    nobody has scored yet. Duplicate (application, reviewer) scores keep the last one given.
    """
    contributions, pool = _contributions(_latest(scores))
    by_application: dict[int, list[ReviewContribution]] = defaultdict(list)
    for contribution in contributions:
        by_application[contribution.application_id].append(contribution)
    result: dict[int, ApplicationScore] = {}
    for application_id in sorted(set(application_ids) | by_application.keys()):
        reviewed = by_application.get(application_id, [])
        if not reviewed or pool is None:
            result[application_id] = ApplicationScore(application_id, 0, None, None, None)
            continue
        mean_z = statistics.fmean(contribution.z for contribution in reviewed)
        result[application_id] = ApplicationScore(
            application_id=application_id,
            reviews=len(reviewed),
            raw_mean=statistics.fmean(contribution.score for contribution in reviewed),
            normalised=normalised_score(pool, mean_z),
            mean_z=mean_z,
        )
    return result


def round_score(value: float | None) -> str:
    """A score for display, two decimals ("3.67"), or "–" when there is none yet."""
    if value is None:
        return NO_SCORE
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def _best_first(value: float | None, application_id: int) -> tuple[int, float, int]:
    if value is None:
        return (1, 0.0, application_id)
    return (0, -value, application_id)


def sort_key_normalised(score: ApplicationScore) -> tuple[int, float, int]:
    """Sort key for best fair score first; unscored applications last, ties by application id."""
    return _best_first(score.normalised, score.application_id)


def sort_key_raw(score: ApplicationScore) -> tuple[int, float, int]:
    """Sort key for best raw mean first; unscored applications last, ties by application id."""
    return _best_first(score.raw_mean, score.application_id)
