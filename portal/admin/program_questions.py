"""Admin: the program's own application questions (a form builder): add, change, order, retire, delete."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from portal.admin.blueprint import bp
from portal.auth.permissions import admin_required
from portal.forms import WholeNumberField, strip
from portal.models import ApplicationQuestion, Program, QuestionKind
from portal.rules.ordered_items import DOWN, UP
from portal.rules.questions import check_definition, limits_hint, parse_options
from portal.services import questions as service
from portal.services.programs import program_for_admin_or_404
from portal.web import transaction

KIND_HINTS = {
    QuestionKind.SHORT_TEXT: "One line, such as a name of a thing or a few words.",
    QuestionKind.LONG_TEXT: "A paragraph or more; set a word or character limit.",
    QuestionKind.ONE_CHOICE: "Radio buttons: the applicant picks one option.",
    QuestionKind.MANY_CHOICES: "Checkboxes: the applicant picks any number of options.",
    QuestionKind.YES_NO: "Two radio buttons, Yes and No.",
    QuestionKind.LINK: "A web address starting with http:// or https://.",
}


class QuestionForm(FlaskForm):
    """One question as the admin defines it; the definition is checked by portal.rules.questions."""

    kind = RadioField(
        "Kind of question",
        choices=[SelectChoice(kind.value, kind.label) for kind in QuestionKind],
        validators=[InputRequired("Choose what kind of question this is")],
        validate_choice=False,  # an unknown kind gets the rules' message
    )
    label = StringField("Question", filters=[strip], validators=[InputRequired("Write the question")])
    help_text = TextAreaField(
        "Help text",
        filters=[strip],
        validators=[Optional()],
        description="Shown under the question on the form, for example what a good answer covers.",
    )
    required = BooleanField("Applicants must answer this question")
    options = TextAreaField(
        "Options, one per line",
        validators=[Optional()],
        description="For one-choice and several-choices questions: at least two, each once.",
    )
    max_chars = WholeNumberField(
        "Character limit",
        validators=[Optional()],
        parse_message="Enter a whole number of characters, like 1500, or leave it empty",
        description="For short text, long text and links. Leave it empty for no limit of your own.",
    )
    max_words = WholeNumberField(
        "Word limit",
        validators=[Optional()],
        parse_message="Enter a whole number of words, like 250, or leave it empty",
        description="For long text only. Leave it empty for no word limit.",
    )

    def definition(self) -> dict:
        return {
            "kind": self.kind.data or "",
            "label": self.label.data or "",
            "help_text": self.help_text.data or "",
            "required": bool(self.required.data),
            "options": parse_options(self.options.data or ""),
            "max_chars": self.max_chars.data,
            "max_words": self.max_words.data,
        }

    def checked(self) -> bool:
        """WTForms' checks, then the definition's rules, each message beside its field."""
        valid = self.validate()
        _, errors = check_definition(**self.definition())
        for name, message in errors.items():
            if not self[name].errors:
                self[name].errors = [*self[name].errors, message]
        return valid and not errors


def _form_for(question: ApplicationQuestion) -> QuestionForm:
    return QuestionForm(
        formdata=None,
        data={
            "kind": QuestionKind(question.kind).value,
            "label": question.label,
            "help_text": question.help_text,
            "required": question.required,
            "options": "\n".join(question.options or []),
            "max_chars": question.max_chars,
            "max_words": question.max_words,
        },
    )


def _page(program: Program, form: QuestionForm, editing: ApplicationQuestion | None = None, problem=None):
    return render_template(
        "admin/programs/questions.html",
        program=program,
        tab="questions",
        form=form,
        editing=editing,
        problem=problem,
        kind_hints=KIND_HINTS,
        counts=service.answer_counts(program),
        limits_hint=limits_hint,
        retired=[question for question in program.questions if question.retired_at is not None],
        has_standard=any(q.key == service.HEARD_ABOUT_KEY and q.retired_at is None for q in program.questions),
    )


def _tab(program: Program, anchor: str = "questions") -> str:
    return url_for("admin.program_questions", program_id=program.id) + f"#{anchor}"


@bp.get("/programs/<int:program_id>/questions")
@admin_required
def program_questions(program_id: int):
    program = program_for_admin_or_404(program_id)
    edit_id = request.args.get("edit", type=int)
    editing = service.question_or_404(program, edit_id) if edit_id is not None else None
    form = _form_for(editing) if editing is not None else QuestionForm(formdata=None, data={"kind": "short_text"})
    return _page(program, form, editing)


@bp.post("/programs/<int:program_id>/questions", endpoint="program_question_add")
@bp.post("/programs/<int:program_id>/questions/<int:question_id>", endpoint="program_question_save")
@admin_required
def program_question_save(program_id: int, question_id: int | None = None):
    program = program_for_admin_or_404(program_id)
    editing = service.question_or_404(program, question_id) if question_id is not None else None
    form = QuestionForm()
    if not form.checked():
        return _page(program, form, editing), 422
    with transaction(form, render=lambda error: _page(program, form, editing)):
        if editing is None:
            question = service.add_question(program, **form.definition(), actor=current_user)
            message = f"Added the question “{question.label}”."
        else:
            question = editing
            changed = service.update_question(question, **form.definition(), actor=current_user)
            message = f"Saved “{question.label}”." if changed else "Nothing changed."
    flash(message, "success")
    return redirect(_tab(program, f"question-{question.id}"))


ACTIONS = {
    "up": lambda question: service.move_question(question, UP, actor=current_user),
    "down": lambda question: service.move_question(question, DOWN, actor=current_user),
    "retire": lambda question: service.retire_question(question, actor=current_user),
    "restore": lambda question: service.restore_question(question, actor=current_user),
    "delete": lambda question: service.delete_question(question, actor=current_user),
}
DONE = {
    "up": "Moved “{}” up.",
    "down": "Moved “{}” down.",
    "retire": "Retired “{}”: it is no longer on the form; its answers stay on the applications.",
    "restore": "Restored “{}”, at the end of the form.",
    "delete": "Deleted “{}”.",
}


@bp.post("/programs/<int:program_id>/questions/<int:question_id>/<action>")
@admin_required
def program_question_action(program_id: int, question_id: int, action: str):
    if action not in ACTIONS:
        abort(404)
    program = program_for_admin_or_404(program_id)
    question = service.question_or_404(program, question_id)
    form = FlaskForm()
    if not form.validate():
        abort(400)
    blank = QuestionForm(formdata=None, data={"kind": "short_text"})
    with transaction(render=lambda error: _page(program, blank, problem=(question_id, error.message))):
        done = ACTIONS[action](question)
    if done is False:  # moving past either end
        flash(f"“{question.label}” is already at the {'top' if action == 'up' else 'end'}.", "success")
    else:
        flash(DONE[action].format(question.label), "success")
    return redirect(_tab(program, "questions" if action == "delete" else f"question-{question_id}"))


@bp.post("/programs/<int:program_id>/questions/standard")
@admin_required
def program_question_standard(program_id: int):
    program = program_for_admin_or_404(program_id)
    form = FlaskForm()
    if not form.validate():
        abort(400)
    blank = QuestionForm(formdata=None, data={"kind": "short_text"})
    with transaction(render=lambda error: _page(program, blank, problem=(None, error.message))):
        question = service.add_standard_question(program, actor=current_user)
    flash(f"Added the standard question “{question.label}”.", "success")
    return redirect(_tab(program, f"question-{question.id}"))
