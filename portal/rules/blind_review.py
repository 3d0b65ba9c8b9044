"""Blind review: what a reviewer of a blind program may see before they have scored an application."""

from __future__ import annotations

#: Shown on the application page instead of the resume link until the reviewer has scored.
RESUME_AFTER_SCORING = (
    "The resume is shown after you submit your scores: it carries the applicant's name, "
    "and blind review keeps names out of scoring."
)


def resume_offered(*, blind: bool, scored: bool, overseeing: bool) -> bool:
    """Whether the resume may be offered: always outside blind review; in it, once the viewer has submitted
    their own scores, or to an admin who oversees the program without being one of its reviewers (they do
    not score, so the name cannot sway a score)."""
    return not blind or scored or overseeing
