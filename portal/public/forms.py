"""The application form. Availability is checked by ``portal.rules`` with the program's settings."""

from __future__ import annotations

from urllib.parse import urlparse

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
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.forms import WholeNumberField
from portal.rules.availability import check_availability
from portal.rules.settings import ProgramRules

ANSWER_LIMIT = 1500


def choices(*pairs: tuple[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


YES_NO = (("yes", "Yes"), ("no", "No"))
PREFER_NOT = ("prefer_not_to_say", "Prefer not to say")
SKILLS = choices(
    ("graphics", "Graphics"),
    ("video editing", "Video editing"),
    ("web development", "Web development"),
    ("writing", "Writing"),
    ("social media", "Social media"),
    ("data", "Data"),
)


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


def answer(label: str, description: str, limit: int = ANSWER_LIMIT, optional: bool = False) -> TextAreaField:
    validators = [Optional()] if optional else [required(f"Answer: {label.lower()}")]
    validators.append(Length(max=limit, message=f"Keep this under {limit:,} characters"))
    return TextAreaField(label, validators=validators, description=description, render_kw={"maxlength": limit})


def http_link(form, field) -> None:
    value = (field.data or "").strip()
    if not value:
        return
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValidationError("Enter a web address starting with http:// or https://")


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
            Email(message="Enter an email address like name@example.org", check_deliverability=False),
            Length(max=254),
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

    # Short answers, from what the posting requires
    why_this_internship = answer("Why do you want this internship?", f"Up to {ANSWER_LIMIT:,} characters.")
    current_events = answer(
        "How do you follow current events and use social media?", f"Up to {ANSWER_LIMIT:,} characters."
    )
    organised_deadlines = answer(
        "Tell us about a time you organised yourself around deadlines.", f"Up to {ANSWER_LIMIT:,} characters."
    )
    bold_idea = answer(
        "Tell us about a time you were bold or thought outside the box.", f"Up to {ANSWER_LIMIT:,} characters."
    )

    # Optional
    skills = CheckboxListField("Skills you have", choices=SKILLS, validators=[Optional()])
    leadership = answer(
        "Leadership experience", "Clubs, student government, community groups… Up to 1,500 characters.", optional=True
    )
    link_1 = URLField("Link 1", validators=[Optional(), Length(max=500), http_link])
    link_2 = URLField("Link 2", validators=[Optional(), Length(max=500), http_link])
    link_3 = URLField("Link 3", validators=[Optional(), Length(max=500), http_link])
    heard_about = StringField("How did you hear about us?", validators=[Optional(), Length(max=200)])
    accommodations = answer(
        "Accommodations you would like",
        "For the interview or the internship. Up to 1,000 characters.",
        limit=1000,
        optional=True,
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

    submission_key = HiddenField()

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
        return valid

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
            "why_this_internship": self.why_this_internship.data.strip(),
            "current_events": self.current_events.data.strip(),
            "organised_deadlines": self.organised_deadlines.data.strip(),
            "bold_idea": self.bold_idea.data.strip(),
            "skills": list(self.skills.data or []),
            "leadership": (self.leadership.data or "").strip(),
            "links": [
                link.data.strip() for link in (self.link_1, self.link_2, self.link_3) if (link.data or "").strip()
            ],
            "heard_about": (self.heard_about.data or "").strip(),
            "accommodations": (self.accommodations.data or "").strip(),
        }

    def self_identification(self) -> dict:
        answers = {name.removeprefix("sid_"): getattr(self, name).data for name in self.SELF_ID_FIELDS}
        if answers.get("gender") != "self_describe":
            answers["gender_self"] = ""
        return answers


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
