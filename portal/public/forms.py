"""The application form: a fixed part, then the program's own questions (``application_form``).

Availability is checked by ``portal.rules`` with the program's settings, and each answer to a question
by ``portal.rules.questions``; every message is put beside its field.
"""

from __future__ import annotations

import re
import secrets

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from portal.forms import WholeNumberField
from portal.rules.availability import check_availability
from portal.rules.questions import char_limit, check_answer, limits_hint
from portal.rules.settings import ProgramRules


def choices(*pairs: tuple[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


YES_NO = (("yes", "Yes"), ("no", "No"))
PREFER_NOT = ("prefer_not_to_say", "Prefer not to say")


class CheckedByRules(Optional):
    """Marks a field required on the page, but leaves the message for an empty value to the rules.

    Validation is Optional's (an empty value clears the parse error and stops the chain, so
    ``validate_with_rules`` gives the message); only the flag differs. ``Optional.__init__`` sets
    ``field_flags`` on the instance, so it is replaced there, after it.
    """

    def __init__(self, strip_whitespace: bool = True):
        super().__init__(strip_whitespace=strip_whitespace)
        self.field_flags = {"required": True}


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def required(message: str) -> InputRequired:
    return InputRequired(message=message)


class LengthFirst(Length):
    """``Length(max=…)`` that stops the chain, so a huge value never reaches a slower validator (Email)."""

    def __call__(self, form, field):
        try:
            super().__call__(form, field)
        except ValueError as error:
            raise StopValidation(str(error)) from None


#: What ``_render_form`` puts in ``submission_key`` (``secrets.token_urlsafe(24)``), with room to spare.
_SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


def usable_submission_key(value: str | None) -> str:
    """The form's own key, or a fresh one for an empty, overlong or strange value (it fits the column)."""
    if isinstance(value, str) and _SUBMISSION_KEY.fullmatch(value):
        return value
    return secrets.token_urlsafe(24)


class ApplicationForm(FlaskForm):
    # About you
    full_name = StringField(
        "Full name",
        validators=[required("Enter your full name"), Length(max=200, message="Keep this under 200 characters")],
    )
    preferred_name = StringField("Preferred name", validators=[Optional(), Length(max=200)])
    pronouns = StringField(
        "Pronouns", validators=[Optional(), Length(max=60)], description="For example: she/her, they/them"
    )
    email = EmailField(
        "Email address",
        validators=[
            required("Enter your email address"),
            LengthFirst(max=254, message="Keep the email address under 254 characters"),
            Email(message="Enter an email address like name@example.org", check_deliverability=False),
        ],
        description="We write to you here about your application, and nowhere else.",
    )
    phone = StringField(
        "Phone number", validators=[Optional(), Length(max=40, message="Keep this under 40 characters")]
    )
    city = StringField("City where you live", validators=[required("Enter your city"), Length(max=120)])

    # School
    student = RadioField(
        "Are you a student?",
        choices=choices(("student", "Yes, I am a student"), ("not_student", "No, I am not a student")),
        validators=[required("Tell us whether you are a student")],
    )
    school = StringField("School", validators=[Optional(), Length(max=200)])
    major = StringField("Major or field of study", validators=[Optional(), Length(max=200)])
    wants_credit = RadioField(
        "Would you like school credit for this internship?",
        choices=choices(*YES_NO),
        default="no",
        validators=[required("Tell us whether you want school credit")],
    )

    # Availability
    hours_per_week = WholeNumberField(
        "Hours a week you can commit",
        validators=[CheckedByRules()],
        parse_message="Enter a whole number of hours, like 20",
        description="At least 15 hours a week; most interns do 20 to 40.",
        render_kw={"inputmode": "numeric"},
    )
    earliest_start = DateField(
        "Earliest start date",
        validators=[CheckedByRules()],
        format="%Y-%m-%d",
        invalid_value_message="Enter a date as year-month-day, for example 2026-09-15",
    )
    weeks_available = WholeNumberField(
        "Number of weeks you are available",
        validators=[CheckedByRules()],
        parse_message="Enter a whole number of weeks, like 12",
        description="The internship lasts at least 12 weeks.",
        render_kw={"inputmode": "numeric"},
    )
    seeks_stipend = RadioField(
        "Are you seeking a stipend?",
        choices=choices(*YES_NO),
        default="no",
        validators=[required("Tell us whether you are seeking a stipend")],
        description="Stipends of $500 to $1,000 a month start at 25 hours a week.",
    )

    resume = FileField(
        "Resume",
        validators=[FileRequired("Attach your resume as a PDF or Word (.docx) file")],
        description="A PDF or Word (.docx) file of at most 5 MB.",
        render_kw={"accept": ".pdf,.docx"},
    )

    # Voluntary self-identification (stored apart, encrypted; never shown to reviewers)
    sid_gender = RadioField(
        "Gender",
        choices=choices(
            ("woman", "Woman"),
            ("man", "Man"),
            ("non_binary", "Non-binary"),
            ("self_describe", "I describe myself as…"),
            PREFER_NOT,
        ),
        validators=[Optional()],
    )
    sid_gender_self = StringField("My gender, in my words", validators=[Optional(), Length(max=100)])
    sid_race = CheckboxListField(
        "Race or ethnicity (choose all that apply)",
        choices=choices(
            ("black", "Black or African American"),
            ("latine", "Hispanic, Latino/a/x or Latine"),
            ("asian", "Asian or Asian American"),
            ("indigenous", "Native American or Alaska Native"),
            ("mena", "Middle Eastern or North African"),
            ("pacific", "Native Hawaiian or Pacific Islander"),
            ("white", "White"),
            ("another", "Another race or ethnicity"),
            PREFER_NOT,
        ),
        validators=[Optional()],
    )
    sid_lgbtq = RadioField("Do you identify as LGBTQ+?", choices=choices(*YES_NO, PREFER_NOT), validators=[Optional()])
    sid_disability = RadioField(
        "Do you have a disability?", choices=choices(*YES_NO, PREFER_NOT), validators=[Optional()]
    )
    sid_first_generation = RadioField(
        "Are you the first in your family to go to college?",
        choices=choices(*YES_NO, PREFER_NOT),
        validators=[Optional()],
    )

    submission_key = HiddenField(filters=[usable_submission_key])

    #: The program's active questions, in order, each asked by the field ``question_field_name(question)``.
    questions: tuple = ()

    SELF_ID_FIELDS = (
        "sid_gender",
        "sid_gender_self",
        "sid_race",
        "sid_lgbtq",
        "sid_disability",
        "sid_first_generation",
    )

    def validate_with_rules(self, rules: ProgramRules) -> bool:
        """Run WTForms' checks, then the program's availability rules, putting each error beside its field."""
        valid = self.validate()
        problems = check_availability(
            self.hours_per_week.data, self.weeks_available.data, self.earliest_start.data, rules
        )
        for name, message in problems.items():
            field = getattr(self, name)
            if not field.errors:  # a parse error ("Not a valid integer") already explains itself
                field.errors = [*field.errors, message]
            valid = False
        if self.student.data == "student" and not (self.school.data or "").strip():
            self.school.errors = [*self.school.errors, "Enter your school, or choose “No, I am not a student”"]
            valid = False
        for question, field in self.question_fields():
            _, problem = check_answer(question, field.data)
            if problem:
                field.errors = [*field.errors, problem]
                valid = False
        return valid

    def question_fields(self) -> list:
        """(question, field) pairs, in the form's order."""
        return [(question, self[question_field_name(question)]) for question in self.questions]

    def question_values(self) -> dict:
        """The answers to the program's questions by question key, as typed (the service cleans them)."""
        return {question.key: field.data for question, field in self.question_fields()}

    def application_answers(self) -> dict:
        """The answers as Application columns (self-identification and the file are kept apart)."""
        is_student = self.student.data == "student"
        return {
            "full_name": self.full_name.data.strip(),
            "preferred_name": (self.preferred_name.data or "").strip(),
            "pronouns": (self.pronouns.data or "").strip(),
            "email": self.email.data.strip().lower(),
            "phone": (self.phone.data or "").strip(),
            "city": (self.city.data or "").strip(),
            "not_student": not is_student,
            "school": (self.school.data or "").strip() if is_student else "",
            "major": (self.major.data or "").strip() if is_student else "",
            "wants_credit": self.wants_credit.data == "yes",
            "hours_per_week": self.hours_per_week.data,
            "earliest_start": self.earliest_start.data,
            "weeks_available": self.weeks_available.data,
            "seeks_stipend": self.seeks_stipend.data == "yes",
        }

    def self_identification(self) -> dict:
        answers = {name.removeprefix("sid_"): getattr(self, name).data for name in self.SELF_ID_FIELDS}
        if answers.get("gender") != "self_describe":
            answers["gender_self"] = ""
        return answers


def self_identification_questions() -> dict[str, tuple[str, dict[str, str]]]:
    """Each stored self-identification key → (the question as the form asks it, {value: its label}), so
    "download my data" gives the applicant their answers in the form's words."""
    asked = {}
    for name in ApplicationForm.SELF_ID_FIELDS:
        field = getattr(ApplicationForm, name)  # unbound: the label and choices as declared
        options = {choice.value: choice.label for choice in field.kwargs.get("choices") or []}
        asked[name.removeprefix("sid_")] = (field.args[0], options)
    return asked


def question_field_name(question) -> str:
    return f"q_{question.id}"


def _hint(question) -> str:
    return " ".join(part for part in (question.help_text.strip(), limits_hint(question)) if part)


def question_field(question):
    """The unbound field that asks one of the program's questions with the control its kind needs.

    Every answer is checked by portal.rules.questions (so choices are not checked here); a required
    question carries the "required" flag, except checkboxes, whose flag is set on the bound field only
    (a required attribute on each checkbox would tell screen readers every box must be ticked).
    """
    kind = str(question.kind)
    validators = [CheckedByRules()] if question.required and kind != "many_choices" else [Optional()]
    common = {"label": question.label, "validators": validators, "description": _hint(question)}
    limit = char_limit(question)
    if kind in ("one_choice", "yes_no"):
        options = [SelectChoice(o, o) for o in question.options] if kind == "one_choice" else choices(*YES_NO)
        return RadioField(choices=options, validate_choice=False, **common)
    if kind == "many_choices":
        options = [SelectChoice(o, o) for o in question.options]
        return CheckboxListField(choices=options, validate_choice=False, **common)
    if kind == "long_text":
        return TextAreaField(render_kw={"maxlength": limit, "rows": 6}, **common)
    if kind == "link":
        return URLField(render_kw={"maxlength": limit, "inputmode": "url", "autocomplete": "url"}, **common)
    return StringField(render_kw={"maxlength": limit}, **common)


def application_form(questions, **kwargs) -> ApplicationForm:
    """The application form for a program: the fixed part, then its active ``questions`` in order."""
    fields = {question_field_name(question): question_field(question) for question in questions}
    form_class = type("ProgramApplicationForm", (ApplicationForm,), {**fields, "questions": tuple(questions)})
    form = form_class(**kwargs)
    for question, field in form.question_fields():
        if question.required:
            field.flags.required = True  # the legend of a required checkbox list is not marked "(optional)"
    return form


class LostLinkForm(FlaskForm):
    email = EmailField(
        "Email address you applied with",
        validators=[
            required("Enter your email address"),
            Email(message="Enter an email address like name@example.org", check_deliverability=False),
            Length(max=254),
        ],
    )


class ConfirmForm(FlaskForm):
    """An empty form: the button press itself, with its CSRF token."""
