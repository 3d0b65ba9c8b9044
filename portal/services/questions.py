"""A program's own application questions (the admin's form builder) and the applicant's answers to them.

Definitions are checked by ``portal.rules.questions``; a question that has answers keeps its kind and
is retired rather than deleted, so every answer keeps its question. Every change is audited
("question.added", "question.changed", …) with before → after; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.database import utcnow
from portal.extensions import db
from portal.models import Application, ApplicationAnswer, ApplicationQuestion, Program, QuestionKind, User
from portal.rules.ordered_items import DOWN, UP, moved
from portal.rules.questions import Answer, Definition, check_answer, check_definition, question_key
from portal.services.audit import record_event
from portal.services.errors import Refused

#: The standard "How did you hear about us?" question; the reports read its answers by this key.
HEARD_ABOUT_KEY = "heard_about"
HEARD_ABOUT = {
    "key": HEARD_ABOUT_KEY,
    "kind": QuestionKind.ONE_CHOICE,
    "label": "How did you hear about us?",
    "options": ("Friend or colleague", "Social media", "School or career office", "Email list", "Other"),
}


def field_name(question: ApplicationQuestion) -> str:
    """The question's field on the application form and the id its messages are shown beside."""
    return f"q_{question.id}"


def question_or_404(program: Program, question_id: int) -> ApplicationQuestion:
    """One of this program's questions, or 404 (another program's question is not found either)."""
    question = next((question for question in program.questions if question.id == question_id), None)
    if question is None:
        abort(404)
    return question


def answer_counts(program: Program) -> dict[int, int]:
    """How many applications answered each question of the program (one query); unanswered ones are absent."""
    rows = db.session.execute(
        select(ApplicationAnswer.question_id, func.count())
        .join(ApplicationQuestion, ApplicationQuestion.id == ApplicationAnswer.question_id)
        .where(ApplicationQuestion.program_id == program.id)
        .group_by(ApplicationAnswer.question_id)
    )
    return {question_id: count for question_id, count in rows}


def _answers_to(question: ApplicationQuestion) -> int:
    if question.id is None:
        return 0
    return db.session.scalar(
        select(func.count()).select_from(ApplicationAnswer).where(ApplicationAnswer.question_id == question.id)
    )


def snapshot(question: ApplicationQuestion) -> dict[str, Any]:
    """The question's definition for the audit's before → after."""
    return {
        "key": question.key,
        "kind": QuestionKind(question.kind).value,
        "label": question.label,
        "help_text": question.help_text,
        "required": question.required,
        "options": list(question.options or []),
        "max_chars": question.max_chars,
        "max_words": question.max_words,
    }


def _audit(action: str, question: ApplicationQuestion, actor: User | None, **details: Any) -> None:
    record_event(
        action,
        target_type="application_question",
        target_id=question.id,
        actor=actor,
        details={"program_id": question.program_id, "key": question.key, **details},
    )


def _checked(values: dict[str, Any]) -> Definition:
    definition, errors = check_definition(**{**values, "kind": str(values.get("kind", ""))})
    if definition is None:
        field, message = next(iter(errors.items()))
        raise Refused(message, field=field)
    return definition


def _apply(question: ApplicationQuestion, definition: Definition) -> None:
    question.kind = QuestionKind(definition.kind)
    question.label = definition.label
    question.help_text = definition.help_text
    question.required = definition.required
    question.options = list(definition.options)
    question.max_chars = definition.max_chars
    question.max_words = definition.max_words


def add_question(
    program: Program,
    *,
    kind: QuestionKind | str,
    label: str,
    help_text: str = "",
    required: bool = False,
    options: Sequence[str] = (),
    max_chars: int | None = None,
    max_words: int | None = None,
    key: str | None = None,
    actor: User | None,
) -> ApplicationQuestion:
    """Add a question at the end of the form; its key is ``key`` or made from the label, unique in the program."""
    definition = _checked(
        dict(kind=kind, label=label, help_text=help_text, required=required, options=options)
        | dict(max_chars=max_chars, max_words=max_words)
    )
    taken = {question.key for question in program.questions}
    if key is not None and key in taken:
        raise Refused(f"The program already has a question with the key “{key}”.", field="label")
    reserved = taken | {HEARD_ABOUT_KEY}  # a custom question never takes the standard one's key (the reports read it)
    question = ApplicationQuestion(key=key or question_key(definition.label, reserved))
    _apply(question, definition)
    question.position = max((other.position for other in program.questions), default=-1) + 1
    program.questions.append(question)
    try:
        db.session.flush()
    except IntegrityError:  # the same question sent twice at the same moment (a double click); the caller rolls back
        raise Refused("This question was added a moment ago: check the list first.", field="label") from None
    _audit("question.added", question, actor, after=snapshot(question))
    return question


def update_question(question: ApplicationQuestion, *, actor: User | None, **values: Any) -> bool:
    """Change a question's definition (``add_question``'s keywords but the key, which stays); its kind only while
    nobody has answered it. Audited before → after; returns whether anything changed."""
    definition = _checked(values)
    if definition.kind != QuestionKind(question.kind).value and (answers := _answers_to(question)):
        raise Refused(
            f"The kind cannot change: {answers} application{'s' if answers != 1 else ''} answered this question "
            "as it is. Retire it and add a new question instead.",
            field="kind",
        )
    before = snapshot(question)
    _apply(question, definition)
    after = snapshot(question)
    if before == after:
        return False
    db.session.flush()
    _audit("question.changed", question, actor, before=before, after=after)
    return True


def _active(program: Program) -> list[ApplicationQuestion]:
    return sorted(program.active_questions(), key=lambda question: (question.position, question.id))


def move_question(question: ApplicationQuestion, step: int, *, actor: User | None) -> bool:
    """Move an active question one place up (``UP``) or down (``DOWN``) on the form; False at either end."""
    if question.retired_at is not None or step not in (UP, DOWN):
        raise Refused("Only a question on the form can be moved.")
    program = question.program
    current = _active(program)
    order = moved([other.id for other in current], question.id, step)
    if order == [other.id for other in current]:
        return False
    by_id = {other.id: other for other in current}
    before = current.index(question) + 1
    for position, question_id in enumerate(order):
        by_id[question_id].position = position
    for position, retired in enumerate(q for q in program.questions if q.retired_at is not None):
        retired.position = len(order) + position
    program.questions.sort(key=lambda other: (other.position, other.id))
    db.session.flush()
    after = order.index(question.id) + 1
    _audit("question.moved", question, actor, before={"position": before}, after={"position": after})
    return True


def retire_question(question: ApplicationQuestion, *, actor: User | None, now: datetime | None = None) -> None:
    """Take a question off the form; its answers stay on the applications and reviewers still see them."""
    if question.retired_at is not None:
        return
    question.retired_at = now or utcnow()
    db.session.flush()
    _audit("question.retired", question, actor, before={"retired": False}, after={"retired": True})


def restore_question(question: ApplicationQuestion, *, actor: User | None) -> None:
    """Put a retired question back on the form, at the end."""
    if question.retired_at is None:
        return
    program = question.program
    question.retired_at = None
    question.position = max((other.position for other in program.questions), default=-1) + 1
    program.questions.sort(key=lambda other: (other.position, other.id))
    db.session.flush()
    _audit("question.restored", question, actor, before={"retired": True}, after={"retired": False})


def delete_question(question: ApplicationQuestion, *, actor: User | None) -> None:
    """Delete a question nobody has answered; an answered one is refused (retire it: its answers stay)."""
    answers = _answers_to(question)
    if answers:
        raise Refused(
            f"“{question.label}” has {answers} answer{'s' if answers != 1 else ''} and cannot be deleted: "
            "retire it instead, and its answers stay on the applications."
        )
    _audit("question.deleted", question, actor, before=snapshot(question))
    question.program.questions.remove(question)
    db.session.flush()


def add_standard_question(program: Program, *, actor: User | None) -> ApplicationQuestion:
    """Add "How did you hear about us?" (key ``heard_about``, read by the reports), or restore it if retired."""
    existing = next((question for question in program.questions if question.key == HEARD_ABOUT_KEY), None)
    if existing is not None and existing.retired_at is None:
        raise Refused(f"The form already asks “{existing.label}”.")
    if existing is not None:
        restore_question(existing, actor=actor)
        return existing
    return add_question(program, **HEARD_ABOUT, actor=actor)


def check_answers(
    questions: Sequence[ApplicationQuestion], values: Mapping[str, Answer | None]
) -> tuple[dict[str, Answer], dict[str, str]]:
    """Each question's answer (``values`` by question key) cleaned, and ``{key: message}`` for the refused ones."""
    cleaned: dict[str, Answer] = {}
    errors: dict[str, str] = {}
    for question in questions:
        cleaned[question.key], problem = check_answer(question, values.get(question.key))
        if problem:
            errors[question.key] = problem
    return cleaned, errors


def save_answers(
    application: Application, questions: Sequence[ApplicationQuestion], values: Mapping[str, Answer | None]
) -> list[ApplicationAnswer]:
    """Store the applicant's answers (``values`` by question key), checked again; empty answers store no row.

    The rows are written with the rest of the transaction (its next flush or the commit), not at once: an
    application's submission then writes everything in one flush."""
    cleaned, errors = check_answers(questions, values)
    if errors:
        key, message = next(iter(errors.items()))
        question = next(question for question in questions if question.key == key)
        raise Refused(message, field=field_name(question))
    saved = []
    for question in questions:
        value = cleaned[question.key]
        if not value:
            continue
        answer = ApplicationAnswer(
            question=question,
            text=value if isinstance(value, str) else "",
            choices=list(value) if isinstance(value, list) else [],
        )
        application.answers.append(answer)
        saved.append(answer)
    return saved
