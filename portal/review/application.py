"""One application for reviewers: answers, resume, timeline, scoring and decisions."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal.auth.permissions import staff_required
from portal.extensions import db
from portal.models import Application, AuditEvent, Program
from portal.review.forms import DECISIONS, DecisionForm, score_form_for
from portal.review.routes import bp
from portal.rules.pipeline import ApplicationStatus, can_transition
from portal.services import decisions
from portal.services.reviews import CriterionScore, hidden_review_count, own_review, submit_review, visible_reviews
from portal.services.uploads import resume_path

# Which pipeline status each decision button leads to (accept may end in the waitlist when full).
DECISION_TARGETS = {
    "in_review": ApplicationStatus.IN_REVIEW,
    "interview": ApplicationStatus.INTERVIEW,
    "accept": ApplicationStatus.ACCEPTED,
    "waitlist": ApplicationStatus.WAITLISTED,
    "decline": ApplicationStatus.DECLINED,
}


def _reviewable_or_404(application_id: int) -> Application:
    application = db.session.scalar(
        select(Application)
        .where(Application.id == application_id)
        .options(
            selectinload(Application.program).selectinload(Program.rubric),
            selectinload(Application.program).selectinload(Program.reviewers),
            selectinload(Application.resume),
        )
    )
    if application is None or application.data_deleted_at is not None or not application.can_review(current_user):
        abort(404)
    return application


def _staff_timeline(application: Application) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.target_type == "application", AuditEvent.target_id == application.id)
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )


def _render(application: Application, score_form=None, decision_form=None, status: int = 200):
    mine = own_review(application, current_user)
    if score_form is None:
        data = {}
        if mine is not None:
            data = {f"score_{s.criterion_id}": str(s.value) for s in mine.scores}
            data.update({f"note_{s.criterion_id}": s.note for s in mine.scores})
            data["comment"] = mine.comment
        score_form = score_form_for(application.program, data=data)
    decision_form = decision_form or DecisionForm(data={"version": application.version})
    available = [
        (action, label)
        for action, label in DECISIONS.items()
        if can_transition(application.status, DECISION_TARGETS[action])
    ]
    return (
        render_template(
            "review/application.html",
            application=application,
            program=application.program,
            blind=application.program.blind_review,
            score_form=score_form,
            decision_form=decision_form,
            decisions=available,
            my_review=mine,
            others=visible_reviews(application, current_user),
            hidden_reviews=hidden_review_count(application, current_user) if mine is None else 0,
            events=_staff_timeline(application),
            places_taken=decisions.places_taken(application.program_id),
        ),
        status,
    )


@bp.get("/applications/<int:application_id>")
@staff_required
def application(application_id: int):
    return _render(_reviewable_or_404(application_id))


@bp.post("/applications/<int:application_id>/score")
@staff_required
def score(application_id: int):
    application = _reviewable_or_404(application_id)
    form = score_form_for(application.program)
    if not form.validate():
        return _render(application, score_form=form, status=422)
    scores = [
        CriterionScore(criterion.id, int(score_field.data), (note_field.data or "").strip())
        for criterion, score_field, note_field in form.criterion_fields()
        if score_field.data
    ]
    submit_review(application, current_user, scores, (form.comment.data or "").strip())
    db.session.commit()
    flash("Your scores are saved. Other reviewers' scores are shown below.", "success")
    return redirect(url_for("review.application", application_id=application.id) + "#reviews")


@bp.post("/applications/<int:application_id>/decision")
@staff_required
def decide(application_id: int):
    application = _reviewable_or_404(application_id)
    form = DecisionForm()
    if not form.validate() or form.action.data not in DECISIONS:
        flash("That decision could not be read; please try again.", "error")
        return redirect(url_for("review.application", application_id=application.id))
    action, reason, version = form.action.data, (form.reason.data or "").strip(), form.version.data
    try:
        if action == "accept":
            outcome = decisions.accept(
                application, actor=current_user, today=date.today(), reason=reason, expected_version=version
            )
        elif action == "decline":
            outcome = decisions.decline(application, actor=current_user, reason=reason, expected_version=version)
        elif action == "interview":
            outcome = decisions.invite_to_interview(
                application, actor=current_user, reason=reason, expected_version=version
            )
        elif action == "waitlist":
            outcome = decisions.waitlist(application, actor=current_user, reason=reason, expected_version=version)
        else:
            outcome = decisions.move_to_review(
                application, actor=current_user, reason=reason, expected_version=version
            )
        db.session.commit()
    except (decisions.ApplicationChanged, StaleDataError):
        db.session.rollback()
        application = _reviewable_or_404(application_id)
        form.version.data = application.version
        form.form_errors.append(
            f"Someone else changed this application while you were looking at it: it is now "
            f"“{application.status.label}”. Nothing was changed; check it and decide again."
        )
        return _render(application, decision_form=form, status=409)
    except decisions.DecisionRefused as refusal:
        db.session.rollback()
        application = _reviewable_or_404(application_id)
        form.reason.errors = [*form.reason.errors, str(refusal)]
        form.version.data = application.version
        return _render(application, decision_form=form, status=422)
    except ValueError as problem:  # a transition the pipeline does not allow
        db.session.rollback()
        flash(str(problem), "error")
        return redirect(url_for("review.application", application_id=application_id))
    flash(outcome.message, "success" if outcome.status == DECISION_TARGETS[action] else "info")
    return redirect(url_for("review.application", application_id=application.id))


@bp.get("/applications/<int:application_id>/resume")
@staff_required
def resume(application_id: int):
    """Only reviewers of the program; always as an attachment, never rendered by the browser."""
    application = _reviewable_or_404(application_id)
    if application.resume is None:
        abort(404)
    path = resume_path(application.resume, current_app.config["UPLOAD_FOLDER"])
    if not path.is_file():
        abort(404)
    kind = application.resume.stored_name.rsplit(".", 1)[-1]
    name = (
        f"{application.reference}-resume.{kind}"
        if application.program.blind_review
        else application.resume.original_name
    )
    response = send_file(path, mimetype=application.resume.content_type, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response
