"""The filter every report shares: a program (of those the person may see) and a date range (GET, bookmarkable)."""

from __future__ import annotations

from wtforms import Form, SelectChoice
from wtforms.validators import Optional, ValidationError

from portal.admin.program_posting import NamedDateField
from portal.models import Program
from portal.review.forms import ChoiceField
from portal.services.report_filters import ReportFilters


def _optional_int(value: str | int | None) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, int):
        return value
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        raise ValueError(value)
    return int(value)


class ReportFilterForm(Form):
    """Program and dates; a bad value is shown beside its field and not applied (the report still shows)."""

    program = ChoiceField("Program", coerce=_optional_int, default=None)
    date_from = NamedDateField("From", validators=[Optional()], description="The first day to count.")
    date_to = NamedDateField("To", validators=[Optional()], description="The last day to count.")

    def __init__(self, formdata, programs: list[Program], *, all_label: str = "All programs") -> None:
        super().__init__(formdata)
        self._program_ids = tuple(program.id for program in programs)
        self.program.choices = [SelectChoice("", all_label), *(SelectChoice(p.id, p.title) for p in programs)]

    def validate_date_to(self, field) -> None:
        start, end = self.date_from.data, field.data
        if start is not None and end is not None and not self.date_from.errors and end < start:
            raise ValidationError("Enter an end date on or after the start date")

    @property
    def asks_for_another_program(self) -> bool:
        """A program id that exists for nobody here or that this person may not see: the view answers 404."""
        return not self.program.process_errors and self.program.data not in (None, *self._program_ids)

    def _valid(self, name: str):
        return None if self[name].errors else self[name].data

    def filters(self) -> ReportFilters:
        """The filters to apply: call after ``validate()``; invalid values are left out."""
        chosen = self._valid("program")
        chosen = chosen if chosen in self._program_ids else None
        return ReportFilters(
            program_ids=(chosen,) if chosen is not None else self._program_ids,
            program_id=chosen,
            date_from=self._valid("date_from"),
            date_to=self._valid("date_to"),
        )
