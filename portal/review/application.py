"""One application for reviewers: answers, resume, timeline, scoring and decisions."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.auth.permissions import staff_required
from portal.models import Application
from portal.review.blueprint import bp
from portal.review.forms import DECISIONS, DecisionForm, score_form_for
from portal.rules.blind_review import RESUME_AFTER_SCORING
from portal.services import decisions
from portal.services.audit import record_event
from portal.services.reviews import (
    CriterionScore,
    criteria_shown,
    hidden_review_count,
    own_review,
    resume_offered_to,
    reviewable_or_404,
    staff_timeline,
    submit_review,
    visible_reviews,
)
from portal.services.uploads import resume_path
from portal.web import sandboxed_attachment, transaction


def _score_form(application: Application, mine):
    """The rubric form, filled with the reviewer's own scores when they have scored already."""
    data = {}
    if mine is not None:
        data = {f"score_{s.criterion_id}": str(s.value) for s in mine.scores}
        data.update({f"note_{s.criterion_id}": s.note for s in mine.scores})
        data["comment"] = mine.comment
    return score_form_for(application.program, data=data)


def _render(application: Application, score_form=None, decision_form=None) -> str:
    mine = own_review(application, current_user)
    others = visible_reviews(application, current_user)
    decision_form = decision_form or DecisionForm(formdata=None)
    decision_form.version.data = application.version  # decide on the application as shown now
    reason_hint, reason_required = decisions.reason_hint(application)
    return render_template(
        "review/application.html",
        application=application,
        program=application.program,
        blind=application.program.blind_review,
        score_form=score_form or _score_form(application, mine),
        decision_form=decision_form,
        reason_hint=reason_hint,
        reason_required=reason_required,
        decisions=[(action, DECISIONS[action]) for action in decisions.available_decisions(application)],
        my_review=mine,
        resume_offered=resume_offered_to(application, current_user, mine),
        resume_note=RESUME_AFTER_SCORING,
        answers=application.answers_in_form_order(),
        others=others,
        criteria=criteria_shown(application.program, others),
        hidden_reviews=hidden_review_count(application, current_user) if mine is None else 0,
        events=staff_timeline(application),
        places_taken=decisions.places_taken(application.program_id),
    )


@bp.get("/applications/<int:application_id>")
@staff_required
def application(application_id: int):
    return _render(reviewable_or_404(application_id, current_user))


@bp.post("/applications/<int:application_id>/score")
@staff_required
def score(application_id: int):
    application = reviewable_or_404(application_id, current_user)
    form = score_form_for(application.program)
    if not form.validate():
        return _render(application, score_form=form), 422
    scores = [
        CriterionScore(criterion.id, int(score_field.data), (note_field.data or "").strip())
        for criterion, score_field, note_field in form.criterion_fields()
        if score_field.data
    ]
    with transaction(form, render=lambda error: _render(application, score_form=form)):
        submit_review(application, current_user, scores, (form.comment.data or "").strip())
    flash("Your scores are saved. Other reviewers' scores are shown below.", "success")
    return redirect(url_for("review.application", application_id=application.id) + "#reviews")


@bp.post("/applications/<int:application_id>/decision")
@staff_required
def decide(application_id: int):
    application = reviewable_or_404(application_id, current_user)
    form = DecisionForm()
    if not form.validate() or form.action.data not in DECISIONS:
        flash("That decision could not be read; please try again.", "error")
        return redirect(url_for("review.application", application_id=application.id))
    action = form.action.data
    with transaction(form, render=lambda error: _render(application, decision_form=form)):
        outcome = decisions.decide(
            application,
            action,
            actor=current_user,
            today=date.today(),
            reason=(form.reason.data or "").strip(),
            expected_version=form.version.data,
        )
    flash(outcome.message, "success" if outcome.status == decisions.DECISION_TARGETS[action] else "info")
    return redirect(url_for("review.application", application_id=application.id))


@bp.get("/applications/<int:application_id>/resume")
@staff_required
def resume(application_id: int):
    """Only reviewers of the program (in blind review, once they have scored); always as an attachment."""
    application = reviewable_or_404(application_id, current_user)
    if application.resume is None:
        abort(404)
    if not resume_offered_to(application, current_user, own_review(application, current_user)):
        return render_template("errors/403.html", reason=RESUME_AFTER_SCORING), 403
    if application.resume.withheld_because:  # waiting for the virus check, or failed it
        return render_template("review/resume_withheld.html", application=application), 409
    path = resume_path(application.resume, current_app.config["UPLOAD_FOLDER"])
    if not path.is_file():
        abort(404)
    kind = application.resume.stored_name.rsplit(".", 1)[-1]
    name = (
        f"{application.reference}-resume.{kind}"
        if application.program.blind_review
        else application.resume.original_name
    )
    with transaction():  # who took a copy of an applicant's resume is recorded
        record_event(
            "application.resume_downloaded",
            target_type="application",
            target_id=application.id,
            actor=current_user,
            details={"file": name},
        )
    return sandboxed_attachment(path, mimetype=application.resume.content_type, download_name=name)
