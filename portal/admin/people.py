"""Admin: Staff: invite people, change their roles and programs, deactivate and reactivate them."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.admin.blueprint import bp
from portal.auth.forms import email_field
from portal.auth.permissions import admin_required
from portal.extensions import db
from portal.forms import page_number, strip
from portal.models import ProgramState, Role, User
from portal.services import mfa, staff
from portal.services.errors import ServiceError
from portal.web import no_store, transaction

PEOPLE_PER_PAGE = 50
_CHOOSE_ROLE = "Choose Admin or Supervisor"
_ROLE_CHOICES = [
    SelectChoice("supervisor", "Supervisor: reviews the applications of their programs and supervises their interns"),
    SelectChoice("admin", "Admin: everything a supervisor does, and sets up programs and people"),
]


class RoleField(RadioField):
    """Admin or supervisor; anything else is refused with words, not WTForms' "Not a valid choice"."""

    def pre_validate(self, form: FlaskForm) -> None:
        if self.data not in {choice.value for choice in _ROLE_CHOICES}:
            raise ValidationError(_CHOOSE_ROLE)


class ProgramsField(SelectMultipleField):
    """Program checkboxes; ids not on offer are refused by the service beside this field."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label: str, **kwargs) -> None:
        super().__init__(label, coerce=int, validate_choice=False, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Choose programs from the list") from None


def _review_field() -> ProgramsField:
    return ProgramsField("Programs they review", description="They see and score these programs' applications.")


def _supervise_field() -> ProgramsField:
    return ProgramsField(
        "Programs they supervise", description="They can be these programs' interns' supervisor and see their hours."
    )


class ProgramsForm(FlaskForm):
    """The programs (not archived) a staff member reviews and supervises."""

    review_programs = _review_field()
    supervise_programs = _supervise_field()

    def offer(self, programs) -> ProgramsForm:
        choices = [SelectChoice(program.id, program.title) for program in programs]
        self.review_programs.choices = self.supervise_programs.choices = choices
        return self


class InviteForm(ProgramsForm):
    email = email_field("The invitation is sent here, and they sign in with it.", missing="Enter their email address")
    full_name = StringField(
        "Full name",
        filters=[strip],
        validators=[
            DataRequired(message="Enter their full name"),
            Length(max=200, message="Keep the name under 200 characters"),
        ],
    )
    role = RoleField("Role", choices=_ROLE_CHOICES, default="supervisor", validators=[InputRequired(_CHOOSE_ROLE)])
    review_programs = _review_field()
    supervise_programs = _supervise_field()

    def values(self) -> staff.Invitation:
        return staff.Invitation(
            email=self.email.data,
            full_name=self.full_name.data,
            role=Role(self.role.data),
            review_ids=frozenset(self.review_programs.data or ()),
            supervise_ids=frozenset(self.supervise_programs.data or ()),
        )


class RoleForm(FlaskForm):
    role = RoleField("Role", choices=_ROLE_CHOICES, validators=[InputRequired(_CHOOSE_ROLE)])


class ButtonForm(FlaskForm):
    """The person page's buttons (resend, copy the link, deactivate, reactivate): only the CSRF token."""


@bp.get("/people")
@admin_required
def people():
    show = staff.Show.INTERNS if request.args.get("show") == "interns" else staff.Show.STAFF
    page = db.paginate(
        staff.people_query(show), page=page_number(), per_page=PEOPLE_PER_PAGE, max_per_page=PEOPLE_PER_PAGE,
        error_out=False, count=True,
    )
    more = {"show": show.value} if show is staff.Show.INTERNS else {}
    return no_store(
        render_template(
            "admin/people/list.html",
            show=show,
            rows=staff.person_rows(list(page.items)),
            page=page,
            role_labels=staff.ROLE_LABELS,
            next_url=url_for("admin.people", page=page.next_num, **more) if page.has_next else None,
            prev_url=url_for("admin.people", page=page.prev_num, **more) if page.has_prev else None,
        )
    )


def _invite_page(form: InviteForm, error: ServiceError | None = None):
    existing = getattr(error, "user_id", None)
    days = staff.invitation_lifetime().days
    return no_store(render_template("admin/people/invite.html", form=form, existing_id=existing, days=days))


@bp.route("/people/invite", methods=["GET", "POST"])
@admin_required
def people_invite():
    form = InviteForm().offer(staff.assignable_programs())
    if not form.validate_on_submit():
        return _invite_page(form), 422 if form.errors else 200
    with transaction(form, render=lambda error: _invite_page(form, error)):
        invited = staff.invite_staff(form.values(), actor=current_user)
        name, address, days = invited.full_name or invited.email, invited.email, staff.invitation_lifetime().days
    flash(f"{name} is invited: the invitation is on its way to {address}. The link works once, for {days} days.",
          "success")
    return redirect(url_for("admin.person", user_id=invited.id))


def _person_page(person: User, *, role_form=None, programs_form=None, link: str | None = None, problem=None):
    offered = staff.assignable_programs()
    row = staff.person_rows([person])[0]
    if programs_form is None:
        current = {"review_programs": [p.id for p in row.reviews], "supervise_programs": [p.id for p in row.supervises]}
        programs_form = ProgramsForm(formdata=None, data=current)
    return no_store(
        render_template(
            "admin/people/person.html",
            row=row,
            person=person,
            role_labels=staff.ROLE_LABELS,
            role_form=role_form or RoleForm(formdata=None, data={"role": person.role.value}),
            programs_form=programs_form.offer(offered),
            archived=list({p.id: p for p in row.reviews + row.supervises if p.state == ProgramState.ARCHIVED}.values()),
            days=staff.invitation_lifetime().days,
            buttons=ButtonForm(),
            link=link,
            problem=problem,
            is_self=person.id == current_user.id,
            supervising=staff.current_interns_supervised(person, date.today()) if row.is_staff else 0,
        )
    )


@bp.get("/people/<int:user_id>")
@admin_required
def person(user_id: int):
    return _person_page(staff.person_or_404(user_id))


@bp.post("/people/<int:user_id>/role")
@admin_required
def person_role(user_id: int):
    person = staff.person_or_404(user_id)
    form = RoleForm()
    if not form.validate():
        return _person_page(person, role_form=form), 422
    with transaction(form, render=lambda error: _person_page(person, role_form=form)):
        changed = staff.change_role(person, Role(form.role.data), actor=current_user)
        name, role = person.full_name or person.email, staff.ROLE_LABELS[person.role]
    flash(f"{name} is now {'an' if role == 'Admin' else 'a'} {role}." if changed else "Nothing changed.", "success")
    return redirect(url_for("admin.person", user_id=user_id))


@bp.post("/people/<int:user_id>/programs")
@admin_required
def person_programs(user_id: int):
    person = staff.person_or_404(user_id)
    form = ProgramsForm()
    if not form.offer(staff.assignable_programs()).validate():
        return _person_page(person, programs_form=form), 422
    with transaction(form, render=lambda error: _person_page(person, programs_form=form)):
        changed = staff.change_programs(
            person, form.review_programs.data or (), form.supervise_programs.data or (), actor=current_user
        )
    flash("Their programs are saved." if changed else "Nothing changed.", "success")
    return redirect(url_for("admin.person", user_id=user_id) + "#programs")


def _button(user_id: int, act, done=None, anchor: str = ""):
    """A person page button: ``act(person)`` in a transaction (a refusal shows the page with its message),
    then ``done(person, result)``'s page, or a redirect back to the person page."""
    person = staff.person_or_404(user_id)
    if not ButtonForm().validate():
        abort(400)
    with transaction(render=lambda error: _person_page(staff.person_or_404(user_id), problem=error.message)):
        result = act(person)
    if done is not None:
        return done(person, result)
    return redirect(url_for("admin.person", user_id=user_id) + anchor)


def _name(person: User) -> str:
    return person.full_name or person.email


@bp.post("/people/<int:user_id>/invitation")
@admin_required
def person_invitation(user_id: int):
    def act(person):
        staff.resend_invitation(person, actor=current_user)
        flash(f"A new invitation is on its way to {_name(person)}. The link sent earlier no longer works.", "success")

    return _button(user_id, act, anchor="#invitation")


@bp.post("/people/<int:user_id>/invitation-link")
@admin_required
def person_invitation_link(user_id: int):
    def act(person):
        return staff.copy_invitation_link(person, actor=current_user)

    return _button(user_id, act, done=lambda person, link: _person_page(person, link=link))


@bp.post("/people/<int:user_id>/mfa-reset")
@admin_required
def person_mfa_reset(user_id: int):
    def act(person):
        mfa.reset(person, actor=current_user)
        flash(f"{_name(person)}'s two-step sign-in is reset: their sessions have ended and they set it up again "
              "at their next sign-in.", "success")

    return _button(user_id, act, anchor="#two-step")


@bp.post("/people/<int:user_id>/deactivate", defaults={"active": False}, endpoint="person_deactivate")
@bp.post("/people/<int:user_id>/reactivate", defaults={"active": True}, endpoint="person_reactivate")
@admin_required
def person_active(user_id: int, active: bool):
    def act(person):
        if active:
            staff.reactivate(person, actor=current_user)
            flash(f"{_name(person)} is active again. They sign in afresh; earlier sign-ins stay ended.", "success")
        else:
            staff.deactivate(person, actor=current_user)
            flash(f"{_name(person)} is deactivated: every session of theirs has ended and their links no longer work.",
                  "success")

    return _button(user_id, act)


@bp.post("/people/<int:user_id>/self-id-report/grant", defaults={"allowed": True},
         endpoint="person_self_id_report_grant")
@bp.post("/people/<int:user_id>/self-id-report/revoke", defaults={"allowed": False},
         endpoint="person_self_id_report_revoke")
@admin_required
def person_self_id_report(user_id: int, allowed: bool):
    def act(person):
        changed = staff.set_self_identification_report(person, allowed, actor=current_user)
        if not changed:
            flash("Nothing changed.", "success")
        elif allowed:
            flash(f"{_name(person)} can now see the self-identification report (counts only).", "success")
        else:
            flash(f"{_name(person)} can no longer see the self-identification report.", "success")

    return _button(user_id, act, anchor="#self-id-report")
