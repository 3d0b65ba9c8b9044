"""Forms of the review pages: the queue's filters, the rubric scoring form (built per program) and decisions."""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Form,
    HiddenField,
    IntegerField,
    RadioField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.forms import WholeNumberField
from portal.models import Program
from portal.rules.pipeline import ApplicationStatus
from portal.services.queue import QueueFilters, QueueSort

SCORE_CHOICES = [
    SelectChoice("1", "1 – not shown"),
    SelectChoice("2", "2"),
    SelectChoice("3", "3 – meets"),
    SelectChoice("4", "4"),
    SelectChoice("5", "5 – outstanding"),
]


class ScoreFormBase(FlaskForm):
    comment = TextAreaField(
        "Overall comment", validators=[Optional(), Length(max=3000, message="Keep this under 3,000 characters")]
    )

    def criterion_fields(self):
        """(criterion, score field, note field) in rubric order, for the template."""
        return [(criterion, self[f"score_{criterion.id}"], self[f"note_{criterion.id}"]) for criterion in self._rubric]


def score_form_for(program: Program, **kwargs) -> ScoreFormBase:
    """A form with one 1–5 choice and an optional note per active rubric criterion (retired ones are not asked)."""

    class ScoreForm(ScoreFormBase):
        pass

    rubric = program.active_rubric()
    for criterion in rubric:
        validators = [InputRequired(message=f"Score “{criterion.name}”")] if criterion.required else [Optional()]
        setattr(
            ScoreForm, f"score_{criterion.id}", RadioField(criterion.name, choices=SCORE_CHOICES, validators=validators)
        )
        setattr(
            ScoreForm,
            f"note_{criterion.id}",
            StringField(f"Note on “{criterion.name}”", validators=[Optional(), Length(max=1000)]),
        )
    form = ScoreForm(**kwargs)
    form._rubric = rubric
    return form


DECISIONS = {
    "in_review": "Move to review",
    "interview": "Invite to interview",
    "accept": "Accept",
    "waitlist": "Waitlist",
    "decline": "Decline",
}


class DecisionForm(FlaskForm):
    action = HiddenField(validators=[InputRequired()])
    version = IntegerField(validators=[InputRequired()])
    reason = TextAreaField(
        "Internal reason",
        validators=[Optional(), Length(max=2000)],
        description="Seen by staff only, in the audit log. Required when declining.",
    )


# ------------------------------------------------------------------------------------------------
# The queue's filter form: GET parameters, so a filtered queue can be bookmarked and shared.

SORT_CHOICES = (
    SelectChoice(QueueSort.SUBMITTED.value, "Newest first"),
    SelectChoice(QueueSort.RAW.value, "Raw mean score, best first"),
    SelectChoice(QueueSort.NORMALISED.value, "Normalised score, best first"),
)
SORT_LABELS = {choice.value: choice.label for choice in SORT_CHOICES}


def _optional_int(value: str | int | None) -> int | None:
    """The program id, None for "All programs"; a ValueError becomes the field's error."""
    if value is None or value == "":
        return None
    return int(value)


class YesField(BooleanField):
    """A checkbox sent as ``name=yes`` (the queue's bookmarkable ``credit=yes``)."""

    def _value(self) -> str:
        return "yes"


class ChoiceField(SelectField):
    """A select whose refusal says what to do (a hand-edited address can carry any value)."""

    message = "Choose one of the options in the list"

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.message) from None

    def pre_validate(self, form) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            if not self.process_errors:
                raise ValidationError(self.message) from None


class QueueFilterForm(Form):
    q = SearchField(
        "Search by name or email",
        validators=[Optional(), Length(max=200, message="Keep it under 200 characters")],
    )
    status = ChoiceField(
        "Status",
        choices=[
            SelectChoice("", "Any status"),
            *(SelectChoice(status.value, status.label) for status in ApplicationStatus),
        ],
        default="",
    )
    program = ChoiceField("Program", coerce=_optional_int, default=None, validate_choice=True)
    mine = YesField("Only applications I have not scored yet")
    credit = YesField("Wants school credit")
    stipend = YesField("Seeks a stipend")
    hours_min = WholeNumberField(
        "Hours a week, at least",
        validators=[Optional(), NumberRange(min=0, max=168, message="Enter a number of hours from 0 to 168")],
    )
    hours_max = WholeNumberField(
        "Hours a week, at most",
        validators=[Optional(), NumberRange(min=0, max=168, message="Enter a number of hours from 0 to 168")],
    )
    sort = ChoiceField("Sort by", choices=list(SORT_CHOICES), default=QueueSort.SUBMITTED.value)

    def __init__(self, formdata, programs: Sequence[Program], **kwargs) -> None:
        super().__init__(formdata, **kwargs)
        self.program.choices = [
            SelectChoice("", "All programs"),
            *(SelectChoice(program.id, program.title) for program in programs),
        ]

    def validate_hours_max(self, field) -> None:
        low, high = self.hours_min.data, field.data
        if low is not None and high is not None and not self.hours_min.errors and high < low:
            raise ValidationError("Enter a maximum no lower than the minimum")

    def _valid(self, name: str):
        """A field's value when it passed validation, else None (a bad filter is shown, not applied)."""
        field = self[name]
        return None if field.errors else field.data

    def filters(self) -> QueueFilters:
        """The filters to apply: call after ``validate()``; invalid values are left out."""
        status = self._valid("status")
        return QueueFilters(
            status=ApplicationStatus(status) if status else None,
            program_id=self._valid("program"),
            needs_my_score=bool(self.mine.data),
            wants_credit=bool(self.credit.data),
            seeks_stipend=bool(self.stipend.data),
            hours_min=self._valid("hours_min"),
            hours_max=self._valid("hours_max"),
            search=(self._valid("q") or "").strip(),
        )

    def sort_order(self) -> QueueSort:
        return QueueSort(self._valid("sort") or QueueSort.SUBMITTED.value)

    def query_args(self) -> dict[str, str]:
        """The applied filters and sort as GET parameters, for sort, page and CSV links."""
        filters = self.filters()
        args = {
            "q": filters.search,
            "status": filters.status.value if filters.status else "",
            "program": str(filters.program_id) if filters.program_id is not None else "",
            "mine": "yes" if filters.needs_my_score else "",
            "credit": "yes" if filters.wants_credit else "",
            "stipend": "yes" if filters.seeks_stipend else "",
            "hours_min": str(filters.hours_min) if filters.hours_min is not None else "",
            "hours_max": str(filters.hours_max) if filters.hours_max is not None else "",
        }
        sort = self.sort_order()
        if sort is not QueueSort.SUBMITTED:
            args["sort"] = sort.value
        return {key: value for key, value in args.items() if value}
