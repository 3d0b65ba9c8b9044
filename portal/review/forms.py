"""Forms of the application page: the rubric scoring form (built per program) and decisions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.models import Program

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
    """A form with one 1–5 choice and an optional note per rubric criterion of this program."""

    class ScoreForm(ScoreFormBase):
        pass

    for criterion in program.rubric:
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
    form._rubric = list(program.rubric)
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
