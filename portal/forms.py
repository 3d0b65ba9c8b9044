"""Form pieces and request arguments shared by several blueprints."""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.services.concerns import MAX_ANSWER_LENGTH

#: Longest page number read from ``?page=`` (a million pages is more than any list has).
_MAX_PAGE_DIGITS = 6


def page_number(name: str = "page") -> int:
    """``?page=N`` as a page number from 1; anything else (missing, 0, "abc", huge) is page 1."""
    value = request.args.get(name, "1")
    if not (value.isascii() and value.isdigit()) or len(value) > _MAX_PAGE_DIGITS:
        return 1
    return max(1, int(value))


def strip(value: str | None) -> str | None:
    """A field filter: what was typed, without the spaces around it."""
    return value.strip() if isinstance(value, str) else value


class AnswerForm(FlaskForm):
    """An admin's written answer to something an intern raised (the concerns page, one form per item)."""

    answer = TextAreaField(
        "Answer to the intern",
        filters=[strip],
        validators=[
            InputRequired(message="Write an answer for the intern"),
            Length(max=MAX_ANSWER_LENGTH, message=f"Keep the answer under {MAX_ANSWER_LENGTH:,} characters"),
        ],
        description="The intern sees it on their concerns page and is emailed that you answered.",
    )


class WholeNumberField(IntegerField):
    """An integer field whose parse error says what to type."""

    def __init__(self, *args, parse_message: str = "Enter a whole number, like 20", **kwargs):
        super().__init__(*args, **kwargs)
        self.parse_message = parse_message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.parse_message) from None
