"""The self-identification report: how applicants and accepted applicants answered, in aggregate only.

Two queries whatever the number of applications: the totals, and the encrypted rows (decrypted here in
one pass, ``read_answers_for_counting``, which writes one audit event per view). What leaves this module
is counts per question and answer after small-cell suppression (portal.rules.suppression): never a
name, an id or one person's answers. Every question is a partition of the applicants (each person in
exactly one row, "No answer" included), so each column sums to the shown total: the several-choices
race question counts someone who chose more than one as "Two or more" (as EEO reports do), and the
free text of "I describe myself as…" is never read. Applicants who deleted their data count as "No
answer" (their row stays for the totals, their answers are gone).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import case, func, select

from portal.extensions import db
from portal.models import Application, SelfIdentification, User
from portal.public.forms import ApplicationForm
from portal.rules.pipeline import ApplicationStatus
from portal.rules.suppression import ACCEPTED, APPLICANTS, Cell, SuppressedTable, suppress
from portal.services.report_filters import ReportFilters
from portal.services.self_identification import PREFER_NOT, read_answers_for_counting
from portal.services.spreadsheets import neutralise_cell

NO_ANSWER = "No answer"
TWO_OR_MORE = "two_or_more"
VIEWED = "self_identification.report_viewed"
EXPORTED = "self_identification.report_exported"


@dataclass(frozen=True)
class Question:
    """One question of the form's voluntary section: its stored key, wording and answers in form order."""

    key: str
    label: str
    answers: tuple[tuple[str, str], ...]
    several: bool = False


def _question(key: str, *, several: bool = False) -> Question:
    """The question as the application form asks it (its field ``sid_<key>``), so the wording is one."""
    field = getattr(ApplicationForm, f"sid_{key}")
    options = tuple((choice.value, choice.label) for choice in field.kwargs["choices"])
    if several:  # "Two or more" sits before "Prefer not to say"
        options = (*options[:-1], (TWO_OR_MORE, "Two or more (chose several)"), options[-1])
    label = field.args[0].replace(" (choose all that apply)", "")
    return Question(key=key, label=label, answers=options, several=several)


def questions() -> tuple[Question, ...]:
    return (
        _question("gender"),
        _question("race", several=True),
        _question("lgbtq"),
        _question("disability"),
        _question("first_generation"),
    )


@dataclass(frozen=True)
class AnswerRow:
    label: str
    applicants: Cell
    accepted: Cell


@dataclass(frozen=True)
class QuestionTable:
    question: Question
    rows: tuple[AnswerRow, ...]
    applicants_hidden: bool
    accepted_hidden: bool


@dataclass(frozen=True)
class SelfIdentificationReport:
    applicants: int
    accepted: int
    tables: tuple[QuestionTable, ...]

    @property
    def suppressed(self) -> bool:
        """Whether any cell is "<5", withheld or hidden (the page then explains why)."""
        return any(row.applicants.value is None or row.accepted.value is None for t in self.tables for row in t.rows)


def category(question: Question, answers: dict[str, object]) -> str:
    """The one row a person's answer to ``question`` counts in (a value not on offer counts as no answer)."""
    value = answers.get(question.key)
    offered = {code for code, _ in question.answers}
    if question.several:
        chosen = [code for code in (value if isinstance(value, list) else []) if code in offered]
        real = [code for code in chosen if code != PREFER_NOT]
        if len(real) > 1:
            return TWO_OR_MORE
        if real:
            return real[0]
        return PREFER_NOT if chosen else NO_ANSWER
    return value if isinstance(value, str) and value in offered else NO_ANSWER


def self_identification_report(
    filters: ReportFilters, *, actor: User, action: str = VIEWED
) -> SelfIdentificationReport:
    """The counts for the filtered programs and dates, suppressed; audited once (``action``)."""
    conditions = [Application.program_id.in_(filters.program_ids)]
    if filters.start is not None:
        conditions.append(Application.submitted_at >= filters.start)
    if filters.end is not None:
        conditions.append(Application.submitted_at < filters.end)
    is_accepted = Application.status == ApplicationStatus.ACCEPTED
    applicants, accepted = db.session.execute(
        select(func.count(Application.id), func.coalesce(func.sum(case((is_accepted, 1), else_=0)), 0)).where(
            *conditions
        )
    ).one()
    rows = db.session.execute(
        select(SelfIdentification.application_id, SelfIdentification.ciphertext, is_accepted)
        .join(Application, Application.id == SelfIdentification.application_id)
        .where(*conditions)
    )
    details = {
        "program_ids": list(filters.program_ids) if filters.program_id is not None else "all",
        "date_from": filters.date_from.isoformat() if filters.date_from else "",
        "date_to": filters.date_to.isoformat() if filters.date_to else "",
    }
    answered = read_answers_for_counting(
        ((row[0], bytes(row[1]), bool(row[2])) for row in rows), purpose=action, actor=actor, details=details
    )
    tables = tuple(_table(question, answered, int(applicants), int(accepted)) for question in questions())
    return SelfIdentificationReport(applicants=int(applicants), accepted=int(accepted), tables=tables)


def _table(
    question: Question, answered: Iterable[tuple[dict[str, object], bool]], applicants: int, accepted: int
) -> QuestionTable:
    counts: Counter[tuple[str, bool]] = Counter((category(question, answers), tag) for answers, tag in answered)
    codes = [code for code, _ in question.answers]
    labels = [label for _, label in question.answers]
    pairs = [(counts[(code, True)] + counts[(code, False)], counts[(code, True)]) for code in codes]
    # Everyone without a (readable) answer to this question: the rest of the totals.
    pairs.append((applicants - sum(a for a, _ in pairs), accepted - sum(c for _, c in pairs)))
    table: SuppressedTable = suppress(pairs)
    return QuestionTable(
        question=question,
        rows=tuple(
            AnswerRow(label=label, applicants=cells[APPLICANTS], accepted=cells[ACCEPTED])
            for label, cells in zip([*labels, NO_ANSWER], table.rows, strict=True)
        ),
        applicants_hidden=table.column_hidden(APPLICANTS),
        accepted_hidden=table.column_hidden(ACCEPTED),
    )


def csv_rows(report: SelfIdentificationReport, programs: str, period: str) -> list[list[str]]:
    """The CSV: the same suppressed cells as the page ("<5", "withheld", "not shown"), one line per answer."""
    lines = [
        ["Self-identification report", programs, period],
        ["Applicants", str(report.applicants), "Accepted applicants", str(report.accepted)],
        [],
        ["Question", "Answer", "Applicants", "Accepted applicants"],
    ]
    for table in report.tables:
        for row in table.rows:
            lines.append([table.question.label, row.label, row.applicants.text, row.accepted.text])
    return [[neutralise_cell(cell) for cell in line] for line in lines]  # a program title may start with "="
