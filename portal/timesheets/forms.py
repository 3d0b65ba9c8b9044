"""Forms of the hours pages: an entry, submitting and deciding a week, reopening it, and concerns.

Fields only read what was typed into plain values; the rules (caps, dates inside the placement and
not in the future) are checked by ``portal.services.timesheets``, whose refusals the views put
beside the right field. Selects accept any value here and say in words what is wrong, so a
hand-edited form never gets "Not a valid choice".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.formatting import day_label
from portal.forms import strip
from portal.models import ActivityCategory, ConcernKind
from portal.rules.hours import DURATION_HELP, parse_duration
from portal.services.concerns import MAX_DETAILS_LENGTH
from portal.services.reflections import MAX_REFLECTION_LENGTH
from portal.services.timesheets import MAX_NOTE_LENGTH


class EntryForm(FlaskForm):
    """One entry: a day of the week, hours as people type them, an activity and a short note."""

    work_date = SelectField(
        "Day", validate_choice=False, validators=[InputRequired(message="Choose a day of this week")]
    )
    hours = StringField(
        "Hours",
        filters=[strip],
        validators=[InputRequired(message=DURATION_HELP)],
        description="Like 2:30, 2.5 or 2h30",
    )
    category = SelectField(
        "Activity", validate_choice=False, validators=[InputRequired(message="Choose an activity from the list")]
    )
    note = StringField(
        "Note",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=MAX_NOTE_LENGTH, message=f"Keep the note under {MAX_NOTE_LENGTH} characters"),
        ],
        description="A few words on what you did.",
    )

    minutes: int | None = None
    day: date | None = None
    chosen_category: ActivityCategory | None = None

    def set_choices(self, days: Iterable[date], categories: Iterable[ActivityCategory], today: date) -> None:
        """Offer the days that can be logged (today first chosen, else the week's first) and the activities."""
        days = list(days)
        self.work_date.choices = [SelectChoice(d.isoformat(), day_label(d)) for d in days]
        self._categories = {str(c.id): c for c in categories}
        self.category.choices = [SelectChoice("", "Choose an activity")] + [
            SelectChoice(key, f"{c.name} (retired)" if c.retired_at else c.name) for key, c in self._categories.items()
        ]
        if not self.work_date.data and days:
            self.work_date.data = (today if today in days else days[0]).isoformat()

    def validate_work_date(self, field: SelectField) -> None:
        try:
            self.day = date.fromisoformat(field.data or "")
        except ValueError:
            raise ValidationError("Choose a day of this week") from None

    def validate_hours(self, field: StringField) -> None:
        try:
            self.minutes = parse_duration(field.data or "")
        except ValueError as problem:
            raise ValidationError(str(problem)) from None

    def validate_category(self, field: SelectField) -> None:
        self.chosen_category = self._categories.get(field.data or "")
        if self.chosen_category is None:
            raise ValidationError("Choose an activity from the list")


class ReflectionForm(FlaskForm):
    """The intern's optional answer to "What did you learn this week?" (empty removes it)."""

    reflection = TextAreaField(
        "Your reflection",
        filters=[strip],
        validators=[
            Optional(),
            Length(
                max=MAX_REFLECTION_LENGTH,
                message=f"Keep the reflection under {MAX_REFLECTION_LENGTH:,} characters",
            ),
        ],
        description="A few sentences for you and your supervisor (and your school, if you seek credit).",
    )


class VersionForm(FlaskForm):
    """A button that changes a week: the version the page showed, for optimistic locking."""

    version = IntegerField(validators=[Optional()])


class DecisionForm(VersionForm):
    """The supervisor's decision on one week, on the week page."""

    action = HiddenField()
    note = TextAreaField(
        "Note to the intern",
        filters=[strip],
        validators=[Optional(), Length(max=2000, message="Keep the note under 2,000 characters")],
        description="Required when you return the week: say what to change. The intern is emailed it.",
    )


class BulkDecisionForm(FlaskForm):
    """The approvals page: the ticked weeks (read from the request), a note, approve or return."""

    note = TextAreaField(
        "Note to the interns",
        filters=[strip],
        validators=[Optional(), Length(max=2000, message="Keep the note under 2,000 characters")],
        description="Required to return weeks: say what to change. Each intern is emailed it.",
    )


class ReopenForm(VersionForm):
    reason = TextAreaField(
        "Why reopen this week?",
        filters=[strip],
        validators=[
            InputRequired(message="Say why the week is reopened"),
            Length(max=2000, message="Keep the reason under 2,000 characters"),
        ],
        description="Kept in the audit log. The week goes back to draft for the intern to correct and submit.",
    )


class ConcernForm(FlaskForm):
    kind = RadioField(
        "What is your concern about?",
        choices=[SelectChoice(kind.value, kind.label) for kind in ConcernKind],
        validators=[InputRequired(message="Choose what your concern is about")],
    )
    details = TextAreaField(
        "Tell us more",
        filters=[strip],
        # No Optional(): it would stop the chain before validate_details when nothing was typed.
        validators=[Length(max=MAX_DETAILS_LENGTH, message=f"Keep it under {MAX_DETAILS_LENGTH:,} characters")],
        description="Only admins read this; your supervisor never sees it. Needed when you choose "
        "“Something else”.",
    )

    def validate_details(self, field: TextAreaField) -> None:
        if self.kind.data == ConcernKind.OTHER.value and not field.data:
            raise ValidationError("Tell us what is wrong, so an admin can answer")
