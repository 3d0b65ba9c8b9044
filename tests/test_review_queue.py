"""The supervisors' review queue and its CSV export, on both database backends."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from factories import (
    AdminFactory,
    ApplicationAnswerFactory,
    ApplicationFactory,
    ApplicationQuestionFactory,
    InternFactory,
    ProgramFactory,
    ReviewFactory,
    RubricCriterionFactory,
    ScoreFactory,
    SelfIdentificationFactory,
    UserFactory,
    add_demo_questions,
)
from flask import url_for
from session_support import sign_in
from sqlalchemy import event, func, select

from portal.database import utcnow
from portal.extensions import db
from portal.models import Application, ApplicationStatus, AuditEvent, Review, Score
from portal.services.queue import QueuePage
from portal.services.review_statistics import recompute_all

# ---- helpers --------------------------------------------------------------------------------------


class _TableParser(HTMLParser):
    """The queue table's body rows as lists of cell texts, and its header texts."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self._section = ""
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("thead", "tbody"):
            self._section = tag
        elif tag == "tr" and self._section == "tbody":
            self.rows.append([])
        elif tag in ("th", "td") and self._section:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            (self.headers if self._section == "thead" else self.rows[-1]).append(text)
            self._cell = None
        elif tag in ("thead", "tbody"):
            self._section = ""

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def queue_rows(html: str) -> list[dict[str, str]]:
    parser = _TableParser()
    parser.feed(html)
    headers = [header.replace("▼", "").strip() for header in parser.headers]
    return [dict(zip(headers, row, strict=True)) for row in parser.rows]


def references(html: str) -> list[str]:
    return [row["Reference"] for row in queue_rows(html)]


def get_queue(client, **params):
    response = client.get("/review/", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def export(client, **params) -> list[dict[str, str]]:
    response = client.get("/review/export.csv", query_string=params)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def submitted_review(application, reviewer, *values: int, criteria=None):
    """A submitted review by ``reviewer`` with one score per value (criteria of the application's program)."""
    review = ReviewFactory(application=application, reviewer=reviewer, submitted_at=utcnow())
    criteria = criteria or [RubricCriterionFactory(program=application.program) for _ in values]
    for criterion, value in zip(criteria, values, strict=False):
        ScoreFactory(review=review, criterion=criterion, value=value)
    return review


@pytest.fixture
def signed_in(client, supervisor):
    sign_in(client, supervisor)
    return client


# ---- who sees what ----------------------------------------------------------------------------------


def test_a_supervisor_sees_only_the_programs_they_review(signed_in, program):
    mine = ApplicationFactory(program=program, full_name="Ana Reyes")
    other_program = ProgramFactory(title="Spring Comms")
    ApplicationFactory(program=other_program, full_name="Bo Other")

    html = get_queue(signed_in)
    rows = queue_rows(html)
    assert [row["Applicant"] for row in rows] == ["Ana Reyes"]
    assert rows[0]["Reference"] == mine.reference and rows[0]["Program"] == "Fall Organizing"
    assert "Bo Other" not in html and "Spring Comms" not in html  # not even in the program filter
    assert "Showing 1–1 of 1 application" in html


def test_an_admin_sees_every_program(client, program):
    ApplicationFactory(program=program, full_name="Ana Reyes")
    ApplicationFactory(program=ProgramFactory(), full_name="Bo Other")
    sign_in(client, AdminFactory())
    names = {row["Applicant"] for row in queue_rows(get_queue(client))}
    assert names == {"Ana Reyes", "Bo Other"}


def test_a_supervisor_of_no_program_is_told_so(client, program):
    ApplicationFactory(program=program)
    sign_in(client, UserFactory())
    html = get_queue(client)
    assert queue_rows(html) == []
    assert "You are not a reviewer of any program yet." in html


def test_anonymous_visitors_are_sent_to_sign_in(client, program):
    for path in ("/review/", "/review/export.csv"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/auth/sign-in" in response.headers["Location"]


def test_interns_are_refused(client, program):
    ApplicationFactory(program=program, full_name="Ana Reyes")
    sign_in(client, InternFactory())
    for path in ("/review/", "/review/export.csv"):
        response = client.get(path)
        assert response.status_code == 403
        assert "Ana Reyes" not in response.get_data(as_text=True)


def test_applications_whose_data_was_deleted_are_left_out(signed_in, program):
    ApplicationFactory(program=program, full_name="Ana Reyes")
    ApplicationFactory(program=program, full_name="", email="", data_deleted_at=utcnow())
    assert len(queue_rows(get_queue(signed_in))) == 1
    assert len(export(signed_in)) == 1


def test_the_queue_is_never_cached(signed_in, program):
    assert signed_in.get("/review/").headers["Cache-Control"] == "no-store"
    assert signed_in.get("/review/export.csv").headers["Cache-Control"] == "no-store"


# ---- filters and search -----------------------------------------------------------------------------


@pytest.fixture
def varied(program, supervisor):
    """Applications that differ in one way each from a plain one, keyed by what sets them apart."""
    other_program = ProgramFactory(title="Spring Comms", reviewers=[supervisor])
    apps = {
        "plain": ApplicationFactory(program=program, full_name="Plain Person", hours_per_week=20),
        "interview": ApplicationFactory(program=program, status=ApplicationStatus.INTERVIEW),
        "credit": ApplicationFactory(program=program, wants_credit=True),
        "stipend": ApplicationFactory(program=program, seeks_stipend=True),
        "few_hours": ApplicationFactory(program=program, hours_per_week=15),
        "many_hours": ApplicationFactory(program=program, hours_per_week=35),
        "other_program": ApplicationFactory(program=other_program),
        "scored_by_me": ApplicationFactory(program=program),
    }
    submitted_review(apps["scored_by_me"], supervisor, 4)
    # A draft (not submitted) review does not count as scored.
    ReviewFactory(application=apps["plain"], reviewer=supervisor, submitted_at=None)
    return apps


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "interview"}, {"interview"}),
        ({"credit": "yes"}, {"credit"}),
        ({"stipend": "yes"}, {"stipend"}),
        ({"hours_min": "30"}, {"many_hours"}),
        ({"hours_max": "16"}, {"few_hours"}),
        ({"hours_min": "16", "hours_max": "30", "program": "OTHER"}, {"other_program"}),
        ({"mine": "yes"}, "all but scored_by_me"),
        ({"program": "FIRST"}, "all but other_program"),
    ],
)
def test_each_filter_narrows_the_list(signed_in, varied, program, params, expected):
    other_program_id = varied["other_program"].program_id
    params = {
        key: {"FIRST": str(program.id), "OTHER": str(other_program_id)}.get(value, value)
        for key, value in params.items()
    }
    if isinstance(expected, str):
        expected = set(varied) - {expected.removeprefix("all but ")}
    shown = set(references(get_queue(signed_in, **params)))
    assert shown == {varied[key].reference for key in expected}
    assert len(references(get_queue(signed_in))) == len(varied)  # unfiltered, every one is listed


def test_filters_are_kept_in_the_form_and_in_the_sort_and_csv_links(signed_in, varied):
    html = get_queue(signed_in, credit="yes", hours_min="10")
    assert re.search(r'<input(?=[^>]*\bid="credit")(?=[^>]*\bchecked)[^>]*>', html)
    assert 'value="10"' in html
    assert 'href="/review/export.csv?credit=yes&amp;hours_min=10"' in html
    assert 'href="/review/?credit=yes&amp;hours_min=10&amp;sort=normalised"' in html


def test_a_bad_filter_is_explained_and_the_others_still_apply(signed_in, varied):
    response = signed_in.get("/review/", query_string={"hours_min": "lots", "credit": "yes", "program": "999"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a whole number, like 20" in html
    assert "Choose one of the options in the list" in html
    assert set(references(html)) == {varied["credit"].reference}


def test_a_maximum_below_the_minimum_is_explained(signed_in, varied):
    html = get_queue(signed_in, hours_min="30", hours_max="20")
    assert "Enter a maximum no lower than the minimum" in html
    assert set(references(html)) == {varied["many_hours"].reference}


def test_search_by_name_and_by_email_ignores_case(signed_in, program):
    ana = ApplicationFactory(program=program, full_name="Ana Reyes", email="ana.r@example.org")
    ApplicationFactory(program=program, full_name="Bo Chen", email="bo@example.org")
    assert references(get_queue(signed_in, q="reyes")) == [ana.reference]
    assert references(get_queue(signed_in, q="ANA")) == [ana.reference]
    assert references(get_queue(signed_in, q="Ana.R@EXAMPLE")) == [ana.reference]
    assert references(get_queue(signed_in, q="nobody")) == []
    assert "No applications match these filters." in get_queue(signed_in, q="nobody")
    # LIKE wildcards typed into the box are taken literally.
    assert references(get_queue(signed_in, q="%")) == []


def test_search_by_reference(signed_in, program):
    ApplicationFactory(program=program)
    wanted = ApplicationFactory(program=program)
    assert references(get_queue(signed_in, q=wanted.reference.lower())) == [wanted.reference]


# ---- blind review ----------------------------------------------------------------------------------


@pytest.fixture
def blind_program(app, supervisor):
    return ProgramFactory(title="Blind Fellowship", blind_review=True, reviewers=[supervisor])


def test_blind_programs_show_a_reference_instead_of_the_name(signed_in, program, blind_program):
    hidden = ApplicationFactory(
        program=blind_program, full_name="Rosa Hidden", email="rosa@example.org", school="Secret College"
    )
    ApplicationFactory(program=program, full_name="Ana Visible")
    html = get_queue(signed_in)
    names = {row["Applicant"] for row in queue_rows(html)}
    assert names == {f"Applicant {hidden.reference} Blind review", "Ana Visible"}
    for identity in ("Rosa Hidden", "rosa@example.org", "Secret College"):
        assert identity not in html
    assert "Blind-review programs are not searched by name or email" in html

    assert references(get_queue(signed_in, q="Rosa")) == []
    assert references(get_queue(signed_in, q="rosa@example.org")) == []
    assert references(get_queue(signed_in, q=hidden.reference)) == [hidden.reference]


# ---- scores and sorting ----------------------------------------------------------------------------


@pytest.fixture
def scored(program):
    """A lenient and a strict reviewer, three applications each, so raw and fair orders differ.

    Lenient gives A 5, B 5, C 4; strict gives D 3, E 1, F 2. Raw best-first: A, B, C, D, F, E.
    In each reviewer's own terms D is the strict reviewer's favourite and C the lenient one's
    least favourite: normalised best-first is D, A, B, F, E, C. G has no score and comes last.
    """
    lenient, strict = UserFactory(full_name="Lenient"), UserFactory(full_name="Strict")
    criterion = RubricCriterionFactory(program=program)
    apps = {}
    base = utcnow() - timedelta(days=10)
    for day, key in enumerate("ABCDEFG"):
        apps[key] = ApplicationFactory(
            program=program, full_name=f"Applicant {key}", submitted_at=base + timedelta(days=day)
        )
    for key, value in {"A": 5, "B": 5, "C": 4}.items():
        submitted_review(apps[key], lenient, value, criteria=[criterion])
    for key, value in {"D": 3, "E": 1, "F": 2}.items():
        submitted_review(apps[key], strict, value, criteria=[criterion])
    return apps


def order(html: str, apps) -> str:
    by_reference = {application.reference: key for key, application in apps.items()}
    return "".join(by_reference[reference] for reference in references(html))


def test_sort_by_submitted_date_is_newest_first_by_default(signed_in, scored):
    html = get_queue(signed_in)
    assert order(html, scored) == "GFEDCBA"
    assert re.search(r'<th scope="col" aria-sort="descending">\s*<a[^>]*>Submitted', html)


def test_sort_by_raw_mean_best_first_unscored_last(signed_in, scored):
    html = get_queue(signed_in, sort="raw")
    assert order(html, scored) == "ABCDFEG"
    assert re.search(r'<th scope="col" aria-sort="descending">\s*<a[^>]*>Raw mean', html)


def test_sort_by_normalised_score_evens_out_lenient_and_strict_reviewers(signed_in, scored):
    html = get_queue(signed_in, sort="normalised")
    assert order(html, scored) == "DABFECG"
    assert re.search(r'<th scope="col" aria-sort="descending">\s*<a[^>]*>Normalised', html)
    assert html.count('aria-sort="descending"') == 1


def test_rows_show_reviews_raw_and_normalised_scores(signed_in, scored, program, supervisor):
    criteria = [RubricCriterionFactory(program=program) for _ in range(2)]
    submitted_review(scored["A"], supervisor, 3, 4, criteria=criteria)  # a second review of A: mean 3.5
    rows = {row["Reference"]: row for row in queue_rows(get_queue(signed_in))}
    a_row = rows[scored["A"].reference]
    assert (a_row["Reviews"], a_row["Raw mean"], a_row["My score"]) == ("2", "4.25", "Scored")
    assert re.fullmatch(r"\d\.\d\d", a_row["Normalised"])
    g_row = rows[scored["G"].reference]
    assert (g_row["Reviews"], g_row["Raw mean"], g_row["Normalised"], g_row["My score"]) == (
        "0",
        "–none yet",
        "–none yet",
        "Not yet",
    )


def test_draft_reviews_do_not_count(signed_in, program, supervisor):
    application = ApplicationFactory(program=program)
    review = ReviewFactory(application=application, reviewer=supervisor, submitted_at=None)
    ScoreFactory(review=review, value=5)
    [row] = queue_rows(get_queue(signed_in))
    assert (row["Reviews"], row["My score"]) == ("0", "Not yet")
    assert references(get_queue(signed_in, mine="yes")) == [application.reference]


# ---- counts and pages ------------------------------------------------------------------------------


def test_counts_per_status_show_every_status_with_the_other_filters(signed_in, program):
    for _ in range(3):
        ApplicationFactory(program=program, status=ApplicationStatus.SUBMITTED)
    ApplicationFactory(program=program, status=ApplicationStatus.INTERVIEW, wants_credit=True)
    ApplicationFactory(program=program, status=ApplicationStatus.SUBMITTED, wants_credit=True)

    def counts(html: str) -> dict[str, int]:
        section = html.split('id="counts-heading"')[1].split("</section>")[0]
        return {
            label.strip(): int(number)
            for label, number in re.findall(r">\s*([^<>]+?)\s+<span class=\"status-counts__n\">(\d+)</span>", section)
        }

    assert counts(get_queue(signed_in)) == {
        "Any status": 5,
        "Submitted": 4,
        "In review": 0,
        "Invited to interview": 1,
        "Accepted": 0,
        "On the waitlist": 0,
        "Not selected": 0,
        "Withdrawn": 0,
    }
    narrowed = counts(get_queue(signed_in, credit="yes", status="interview"))
    assert (narrowed["Any status"], narrowed["Submitted"], narrowed["Invited to interview"]) == (2, 1, 1)


def test_the_queue_shows_25_a_page(signed_in, program):
    db.session.add_all(
        Application(program_id=program.id, email=f"a{n}@example.org", full_name=f"P {n}") for n in range(30)
    )
    db.session.commit()
    first = get_queue(signed_in)
    assert len(queue_rows(first)) == 25
    assert "Showing 1–25 of 30 applications" in first
    assert re.search(r'<nav class="pagination" aria-label="Pages">', first)
    assert 'href="/review/?page=2" rel="next"' in first

    second = get_queue(signed_in, page="2")
    assert len(queue_rows(second)) == 5
    assert "Showing 26–30 of 30 applications" in second
    assert set(references(first)).isdisjoint(references(second))
    # A page past the end shows the last page; nonsense shows the first.
    assert "Showing 26–30 of 30" in get_queue(signed_in, page="99")
    assert "Showing 1–25 of 30" in get_queue(signed_in, page="x")


@pytest.mark.parametrize(
    ("page", "pages", "links"),
    [
        (1, 1, [1]),
        (1, 4000, [1, 2, 3, None, 4000]),
        (5, 4000, [1, 2, 3, 4, 5, 6, 7, None, 4000]),
        (2000, 4000, [1, None, 1998, 1999, 2000, 2001, 2002, None, 4000]),
        (4000, 4000, [1, None, 3998, 3999, 4000]),
    ],
)
def test_page_links_show_the_ends_and_two_either_side_with_gaps_marked(page, pages, links):
    """With 100,000 applications the links stay a handful (they were worked out by walking all 4,000 pages)."""
    result = QueuePage(rows=[], total=pages * 25, page=page, per_page=25, status_counts={})
    assert result.page_links == links


def test_an_empty_queue_says_so(signed_in, program):
    html = get_queue(signed_in)
    assert "No applications to show" in html
    assert "Applications appear here as soon as they are submitted." in html
    assert "Download CSV" not in html


# ---- a bounded number of queries -----------------------------------------------------------------


def add_applications(program, blind_program, reviewers, criteria, count: int, start: int) -> None:
    """``count`` applications over two programs (one blind), most scored by one to three reviewers."""
    applications = [
        Application(
            program_id=(blind_program if n % 4 == 0 else program).id,
            full_name=f"Applicant {n}",
            email=f"applicant{n}@example.org",
            hours_per_week=15 + n % 20,
            wants_credit=n % 2 == 0,
            status=list(ApplicationStatus)[n % 5],
        )
        for n in range(start, start + count)
    ]
    db.session.add_all(applications)
    db.session.flush()
    reviews = [
        (Review(application_id=application.id, reviewer_id=reviewer.id, submitted_at=utcnow()), n, index, application)
        for n, application in enumerate(applications, start=start)
        for index, reviewer in enumerate(reviewers)
        if (n + index) % 3
    ]
    db.session.add_all(review for review, *_ in reviews)
    db.session.flush()
    db.session.add_all(
        Score(
            review_id=review.id,
            criterion_id=criteria[0 if application.program_id == program.id else 1].id,
            value=1 + (n * (index + 2)) % 5,
        )
        for review, n, index, application in reviews
    )
    db.session.commit()
    recompute_all()  # rows inserted in bulk, outside the review service
    db.session.commit()


def count_queries(client, path: str) -> tuple[int, str]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


QUEUE_PATHS = [
    "/review/",  # newest first
    "/review/?sort=raw",
    "/review/?sort=normalised",
    "/review/?sort=normalised&status=submitted&credit=yes&page=2",
    "/review/?q=applicant&mine=yes&page=3",
]


def test_the_queue_runs_the_same_number_of_queries_for_100_and_2000_applications(
    signed_in, program, supervisor, backend
):
    """Each sort, filtered and searched: the page loads its 25 rows whatever the number of applications."""
    blind_program = ProgramFactory(blind_review=True, reviewers=[supervisor])
    reviewers = [supervisor, UserFactory(), UserFactory()]
    criteria = [RubricCriterionFactory(program=program), RubricCriterionFactory(program=blind_program)]

    add_applications(program, blind_program, reviewers, criteria, 100, start=0)
    small = {path: count_queries(signed_in, path) for path in QUEUE_PATHS}
    add_applications(program, blind_program, reviewers, criteria, 1900, start=100)
    large = {path: count_queries(signed_in, path) for path in QUEUE_PATHS}

    print(f"\n[{backend}] queue queries at 100 / 2,000 applications:", {p: (small[p][0], large[p][0]) for p in small})
    assert "Showing 1–25 of 100" in small["/review/"][1] and "Showing 1–25 of 2000" in large["/review/"][1]
    for path in QUEUE_PATHS:
        assert len(queue_rows(large[path][1])) == 25, path
        assert small[path][0] == large[path][0] <= 6, path
    # The score sorts put the best first at any size: the first row's raw mean is the highest there is.
    top = db.session.scalar(select(func.max(Application.raw_mean)))
    assert queue_rows(large["/review/?sort=raw"][1])[0]["Raw mean"] == f"{top:.2f}"


# ---- CSV export ------------------------------------------------------------------------------------


def test_the_export_applies_the_filters_and_sort_of_every_page(signed_in, scored):
    rows = export(signed_in, sort="normalised")
    by_reference = {application.reference: key for key, application in scored.items()}
    assert "".join(by_reference[row["reference"]] for row in rows) == "DABFECG"
    assert rows[0]["name"] == "Applicant D" and rows[0]["reviews"] == "1"
    assert rows[-1]["raw_mean"] == rows[-1]["normalised"] == ""

    only_a = export(signed_in, q="Applicant A")
    assert [row["reference"] for row in only_a] == [scored["A"].reference]
    assert only_a[0]["raw_mean"] == "5.00"


FIXED_COLUMNS = [
    "reference", "name", "email", "phone", "city", "school", "major", "status", "submitted_at",
    "hours_per_week", "weeks_available", "earliest_start", "wants_credit", "seeks_stipend",
    "reviews", "raw_mean", "normalised",
]  # fmt: skip


def answer(application, questions, **answers) -> None:
    """The application's answers to the program's questions, by key: text, or a list of choices."""
    for key, value in answers.items():
        kind = {"choices": value} if isinstance(value, list) else {"text": value}
        ApplicationAnswerFactory(application=application, question=questions[key], **kind)


def test_the_export_has_every_column_and_a_dated_file_name(signed_in, program):
    questions = add_demo_questions(program)
    application = ApplicationFactory(program=program, full_name="Ana Reyes", phone="212 555 0100", wants_credit=True)
    answer(application, questions, skills=["Writing", "Data"], link_1="https://ana.example.org",
           current_events="Local news.")  # fmt: skip
    response = signed_in.get("/review/export.csv")
    assert response.mimetype == "text/csv"
    assert re.fullmatch(
        r'attachment; filename="applications-\d{4}-\d{2}-\d{2}\.csv"', response.headers["Content-Disposition"]
    )
    [row] = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    assert list(row) == FIXED_COLUMNS + [question.label for question in questions.values()]  # one per question
    assert (row["name"], row["phone"], row["Skills you have"], row["Link 1"]) == (
        "Ana Reyes",
        "212 555 0100",
        "Writing; Data",
        "https://ana.example.org",
    )
    assert (row["status"], row["wants_credit"]) == ("Submitted", "yes")
    assert row["How do you follow current events and use social media?"] == "Local news."
    assert row["Why do you want this internship?"] == ""  # not answered


def test_retired_questions_are_columns_only_while_they_have_answers(signed_in, program):
    questions = add_demo_questions(program)
    questions["link_3"].retired_at = questions["bold_idea"].retired_at = utcnow()
    db.session.commit()
    answer(ApplicationFactory(program=program), questions, bold_idea="An old answer to a retired question.")
    [row] = export(signed_in)
    bold = "Tell us about a time you were bold or thought outside the box."
    assert "Link 3" not in row
    assert row[bold] == "An old answer to a retired question."
    assert list(row)[-1] == bold  # after the questions the form asks


def test_the_export_neutralises_spreadsheet_formulas(signed_in, program):
    questions = add_demo_questions(program)
    application = ApplicationFactory(
        program=program, full_name='=HYPERLINK("http://evil.example","Click")', phone="+1 212 555 0100"
    )
    answer(application, questions, current_events="+1", bold_idea="@SUM(A1:A9)", leadership="-2+3",
           why_this_internship="\tTabbed", organised_deadlines="Plain answer")  # fmt: skip
    ApplicationQuestionFactory(program=program, label="=1+1", key="formula_label")
    [row] = export(signed_in)
    assert row["name"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert row["phone"] == "'+1 212 555 0100"
    assert row["How do you follow current events and use social media?"] == "'+1"
    assert row["Tell us about a time you were bold or thought outside the box."] == "'@SUM(A1:A9)"
    assert row["Leadership experience"] == "'-2+3"
    assert row["Why do you want this internship?"] == "'\tTabbed"
    assert row["Tell us about a time you organised yourself around deadlines."] == "Plain answer"
    assert "'=1+1" in row  # an admin's question label is a header, neutralised too


def test_the_export_leaves_blind_programs_identity_empty(signed_in, program, blind_program):
    questions = add_demo_questions(blind_program)
    hidden = ApplicationFactory(
        program=blind_program,
        full_name="Rosa Hidden",
        email="rosa@example.org",
        phone="718 555 0199",
        school="Secret College",
        major="History",
    )
    answer(hidden, questions, why_this_internship="I organise my block.", link_1="https://work.example.org")
    ApplicationFactory(program=program, full_name="Ana Visible")
    response = signed_in.get("/review/export.csv")
    text = response.get_data(as_text=True)
    for identity in ("Rosa Hidden", "rosa@example.org", "718 555 0199", "Secret College"):
        assert identity not in text
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(text))}
    blind_row = rows[hidden.reference]
    assert [blind_row[column] for column in ("name", "email", "phone", "school")] == [""] * 4
    assert blind_row["major"] == "History"  # the answers are still there to review
    # As on the review page, blind review hides no answer: the admin was warned not to ask identifying questions.
    assert blind_row["Why do you want this internship?"] == "I organise my block."
    assert blind_row["Link 1"] == "https://work.example.org"


def test_programs_asking_the_same_question_share_its_column(signed_in, program, blind_program):
    ApplicationQuestionFactory(program=program, key="why", label="Why us?")
    ApplicationQuestionFactory(program=program, key="why_again", label="Why us?")
    other = ApplicationQuestionFactory(program=blind_program, key="why", label="Why us?")
    answer(ApplicationFactory(program=blind_program), {"why": other}, why="Because.")
    ApplicationFactory(program=program)
    rows = export(signed_in)
    assert [column for column in rows[0] if column.startswith("Why us?")] == ["Why us?", "Why us? (why_again)"]
    assert sorted(row["Why us?"] for row in rows) == ["", "Because."]


def test_the_queue_search_does_not_search_answers(signed_in, program):
    questions = add_demo_questions(program)
    answer(ApplicationFactory(program=program, full_name="Ana Reyes"), questions, current_events="Zanzibar daily")
    assert export(signed_in, q="Zanzibar") == []
    assert "Ana Reyes" not in get_queue(signed_in, q="Zanzibar")


def test_the_export_never_contains_self_identification(signed_in, program):
    application = ApplicationFactory(program=program, full_name="Ana Reyes")
    SelfIdentificationFactory(application=application, ciphertext=b"SELF-ID-MARKER")
    text = signed_in.get("/review/export.csv").get_data(as_text=True)
    assert "Ana Reyes" in text
    assert "SELF-ID-MARKER" not in text
    assert "U0VMRi1JRC1NQVJLRVI" not in text  # nor base64 of it
    page = get_queue(signed_in)
    assert "SELF-ID-MARKER" not in page


def test_the_export_is_limited_to_the_programs_one_reviews(signed_in, program):
    ApplicationFactory(program=program, full_name="Ana Reyes")
    ApplicationFactory(program=ProgramFactory(), full_name="Bo Other")
    assert [row["name"] for row in export(signed_in)] == ["Ana Reyes"]


def test_the_applicant_links_to_the_application_page(app, signed_in, program):
    application = ApplicationFactory(program=program, full_name="Ana Reyes")
    with app.test_request_context():
        url = url_for("review.application", application_id=application.id)
    assert f'<a href="{url}">Ana Reyes</a>' in get_queue(signed_in)


def test_each_export_is_recorded_in_the_audit_log(signed_in, program, supervisor):
    ApplicationFactory(program=program)
    ApplicationFactory(program=program, wants_credit=True)
    export(signed_in, credit="yes")
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "applications.exported")).all()
    assert event.actor_id == supervisor.id
    assert event.details == {"filters": {"credit": "yes"}, "rows": 1}
