"""The recruitment report on known data: the funnel and its conversions, times to first review and to a
decision (median and nearest-rank p90), applications per week, how applicants heard, reviewers' mean and
spread; who sees which programs; filters; the CSV; and the same number of queries at 100 and 10,000."""

from __future__ import annotations

import csv
import html as html_module
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from factories import (
    ApplicationAnswerFactory,
    ApplicationFactory,
    ApplicationQuestionFactory,
    AuditEventFactory,
    ProgramFactory,
    ReviewFactory,
    RubricCriterionFactory,
    ScoreFactory,
    UserFactory,
)
from session_support import sign_in
from sqlalchemy import insert
from test_review_queue import count_queries

from portal.extensions import db
from portal.models import Application, ApplicationAnswer, QuestionKind
from portal.rules.pipeline import ApplicationStatus as S
from portal.services.applications import erase_personal_data

MONDAY = datetime(2025, 8, 4, 12, 0, tzinfo=UTC)  # week 1 of the program's window (4 Aug – 7 Sep 2025)
RECRUITMENT = "/reports/recruitment"


def _day(offset: float) -> datetime:
    return MONDAY + timedelta(days=offset)


# Reference, days after MONDAY it was submitted, status now, the statuses it passed through (audited),
# days to a decision (accepted, declined, withdrawn), "heard about" answer.
APPLICATIONS = [
    ("A1", 0, S.ACCEPTED, (S.IN_REVIEW, S.INTERVIEW), 10, "Social media"),
    ("A2", 1, S.ACCEPTED, (S.INTERVIEW,), 20, "social media "),
    ("A3", 7, S.DECLINED, (S.IN_REVIEW,), 4, "Friend"),
    ("A4", 8, S.WAITLISTED, (S.IN_REVIEW, S.INTERVIEW), None, "Friend"),
    ("A5", 9, S.WITHDRAWN, (S.IN_REVIEW,), 2, "Friend"),
    ("A6", 6.48, S.WITHDRAWN, (), 1, "School"),  # Sunday 10 Aug, 23:31: still week 1
    ("A7", 14, S.IN_REVIEW, (), None, ""),
    ("A8", 15, S.SUBMITTED, (), None, None),
    ("A9", 21, S.SUBMITTED, (), None, None),
    ("A10", 16, S.DECLINED, (), 1, None),  # declined straight from submitted: counts as reviewed
]
# Reviewer, application, days after its submission the review was submitted (None: a draft), two criterion scores.
REVIEWS = [
    ("sam", "A1", 1, (5, 5)),
    ("lee", "A1", 3, (3, 3)),
    ("sam", "A2", 2, (5, 4)),
    ("lee", "A2", 5, (3, 4)),
    ("sam", "A3", 3, (4, 5)),
    ("kim", "A4", 4, (2, 1)),
    ("kim", "A5", 5, (2, 2)),
    ("kim", "A7", 6, (1, 2)),
    ("lee", "A8", None, (1, 1)),  # not submitted: counts nowhere
]


@pytest.fixture
def known(app, program, supervisor):
    """``program`` (window 4 Aug – 7 Sep 2025) with the applications and reviews above, and another program."""
    program.applications_open, program.applications_close = date(2025, 8, 4), date(2025, 9, 7)
    db.session.commit()
    reviewers = {
        "sam": supervisor,
        "lee": UserFactory(full_name="Lee Lenient-Enough"),
        "kim": UserFactory(full_name="Kim Strict"),
    }
    heard = ApplicationQuestionFactory(
        program=program, key="heard_about", kind=QuestionKind.SHORT_TEXT, label="How did you hear about us?"
    )
    criteria = [RubricCriterionFactory(program=program), RubricCriterionFactory(program=program)]
    applications = {}
    for reference, offset, status, passed, decided, answer in APPLICATIONS:
        application = ApplicationFactory(
            program=program,
            status=status,
            submitted_at=_day(offset),
            decided_at=_day(offset + decided) if decided is not None else None,
        )
        applications[reference] = application
        previous = S.SUBMITTED
        for state in (*passed, status):
            if state != S.SUBMITTED:
                AuditEventFactory(target_id=application.id, from_state=previous.value, to_state=state.value)
                previous = state
        if answer is not None:
            ApplicationAnswerFactory(application=application, question=heard, text=answer)
    for name, reference, after, values in REVIEWS:
        application = applications[reference]
        submitted = application.submitted_at + timedelta(days=after) if after is not None else None
        review = ReviewFactory(application=application, reviewer=reviewers[name], submitted_at=submitted)
        for criterion, value in zip(criteria, values, strict=True):
            ScoreFactory(review=review, criterion=criterion, value=value)
    other = ProgramFactory(title="Spring Organizing", slug="spring")
    ApplicationFactory(program=other, submitted_at=_day(2))
    return {"applications": applications, "other": other, "reviewers": reviewers}


def page(client, path: str = RECRUITMENT, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[-1500:]
    return response.get_data(as_text=True)


def table(html: str, key: str) -> list[list[str]]:
    """The rows of the table ``{key}-table`` as text, header cells first in each row."""
    body = re.search(rf'<table[^>]*id="{key}-table".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [
        [
            html_module.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


@pytest.fixture
def as_supervisor(client, supervisor):
    sign_in(client, supervisor)
    return client


def test_the_funnel_counts_each_step_reached_and_its_conversion(as_supervisor, known, program):
    html = page(as_supervisor, f"{RECRUITMENT}?program={program.id}")

    assert table(html, "funnel") == [
        ["Submitted", "10", "–"],
        ["In review", "7", "70% of submitted"],
        ["Invited to interview", "3", "43% of in review"],
        ["Accepted", "2", "29% of in review"],
        ["Waitlisted", "1", "14% of in review"],
        ["Declined", "2", "29% of in review"],
        ["Withdrawn", "2", "20% of submitted"],
        ["Not decided yet", "3", "30% of submitted"],
    ]
    chart = re.search(r'<svg[^>]*id="funnel-chart".*?</svg>', html, re.S).group(0)
    assert 'role="img"' in chart and "<title" in chart
    assert re.findall(r'data-label="([^"]+)" data-value="(\d+)"', chart)[:4] == [
        ("Submitted", "10"),
        ("In review", "7"),
        ("Invited to interview", "3"),
        ("Accepted", "2"),
    ]


def test_times_to_first_review_and_decision_are_median_and_nearest_rank_p90(as_supervisor, known, program):
    html = page(as_supervisor, f"{RECRUITMENT}?program={program.id}")

    # First reviews after 1, 2, 3, 4, 5, 6 days (a draft review counts not); decisions after 10, 20, 4, 1
    # days (the waitlist and withdrawals are not decisions).
    assert table(html, "times") == [
        ["The first review", "6", "3.5 days", "6 days"],
        ["A decision (accepted or declined)", "4", "7 days", "20 days"],
    ]


def test_applications_per_week_fill_the_program_window_with_empty_weeks_as_zero(as_supervisor, known, program):
    html = page(as_supervisor, f"{RECRUITMENT}?program={program.id}")

    assert table(html, "weeks") == [
        ["4 August 2025", "3"],  # A1, A2 and A6 (Sunday night)
        ["11 August 2025", "3"],
        ["18 August 2025", "3"],
        ["25 August 2025", "1"],
        ["1 September 2025", "0"],
    ]
    assert (
        len(re.findall(r'<rect class="report-chart__bar"', html.split('id="weeks-chart"')[1].split("</svg>")[0])) == 5
    )


def test_heard_about_counts_each_answer_once_however_it_was_typed(as_supervisor, known, program):
    html = page(as_supervisor, f"{RECRUITMENT}?program={program.id}")

    assert table(html, "heard") == [
        ["Friend", "3", "50%"],
        ["Social media", "2", "33%"],
        ["School", "1", "17%"],
    ]
    assert "(6 answered)" in html


def test_reviewers_mean_and_spread_show_who_is_lenient_and_who_strict(as_supervisor, known, program):
    rows = {row[0]: row for row in table(page(as_supervisor, f"{RECRUITMENT}?program={program.id}"), "reviewers")}

    # Everyone: 51 points over 16 scores = 3.19. Sam gave 5,5,5,4,4,5; Kim 2,1,2,2,1,2; Lee 3,3,3,4 (a draft not).
    assert rows["Sam Supervisor"] == [
        "Sam Supervisor",
        "3",
        "6",
        "4.67",
        "0.47",
        "Lenient: 1.48 above everyone's mean (3.19)",
    ]
    assert rows["Kim Strict"] == ["Kim Strict", "3", "6", "1.67", "0.47", "Strict: 1.52 below everyone's mean (3.19)"]
    assert rows["Lee Lenient-Enough"] == [
        "Lee Lenient-Enough",
        "2",
        "4",
        "3.25",
        "0.43",
        "0.06 above everyone's mean (3.19)",
    ]


def test_a_supervisor_sees_only_their_programs_and_another_programs_id_is_a_404(as_supervisor, known, program):
    html = page(as_supervisor)

    assert table(html, "funnel")[0] == ["Submitted", "10", "–"]  # not the other program's application
    assert "Spring Organizing" not in html
    assert "All your programs" in html
    page(as_supervisor, f"{RECRUITMENT}?program={known['other'].id}", status=404)
    page(as_supervisor, f"{RECRUITMENT}.csv?program={known['other'].id}", status=404)
    page(as_supervisor, f"{RECRUITMENT}?program=99999999", status=404)


def test_a_supervisor_of_the_program_who_does_not_review_it_sees_it_too(client, known, program):
    supervising = UserFactory(full_name="Pat Placements")
    program.supervisors.append(supervising)
    db.session.commit()
    sign_in(client, supervising)

    assert table(page(client, f"{RECRUITMENT}?program={program.id}"), "funnel")[0][1] == "10"


def test_an_admin_sees_every_program_and_can_narrow_to_one(client, admin, known, program):
    sign_in(client, admin)

    assert table(page(client), "funnel")[0][1] == "11"
    html = page(client, f"{RECRUITMENT}?program={known['other'].id}")
    assert table(html, "funnel")[0][1] == "1"
    assert "Spring Organizing" in html and "All programs" in html


def test_staff_of_no_program_see_an_empty_report(client, known):
    sign_in(client, UserFactory())
    html = page(client)

    assert table(html, "funnel")[0] == ["Submitted", "0", "–"]
    assert "No submitted reviews for these applications." in html


def test_the_date_range_counts_applications_submitted_in_it(as_supervisor, known, program):
    html = page(as_supervisor, f"{RECRUITMENT}?program={program.id}&date_from=2025-08-11&date_to=2025-08-17")

    assert table(html, "funnel")[0] == ["Submitted", "3", "–"]  # A3, A4, A5
    assert table(html, "weeks") == [["11 August 2025", "3"]]
    assert table(html, "heard") == [["Friend", "3", "100%"]]
    assert "from 11 August 2025 to 17 August 2025" in html


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("date_from=2025-13-01", "date_from", "Enter a date, like 2026-08-01"),
        ("date_to=yesterday", "date_to", "Enter a date, like 2026-08-01"),
        ("date_from=2025-09-01&date_to=2025-08-01", "date_to", "Enter an end date on or after the start date"),
        ("program=fall", "program", "Choose one of the options in the list"),
        ("program=%C2%B2", "program", "Choose one of the options in the list"),
    ],
)
def test_a_bad_filter_is_shown_beside_its_field_and_the_report_still_shows(as_supervisor, known, query, field, message):
    html = page(as_supervisor, f"{RECRUITMENT}?{query}", status=422)

    assert re.search(rf'id="{field}-error"[^>]*>.*?{re.escape(message)}', html, re.S)
    assert 'aria-invalid="true"' in html
    assert table(html, "funnel")[0][0] == "Submitted"


def test_the_far_ends_of_the_calendar_are_a_range_not_an_error(as_supervisor, known):
    html = page(as_supervisor, f"{RECRUITMENT}?date_from=0001-01-01&date_to=9999-12-31")

    assert table(html, "funnel")[0][1] == "10"


def csv_rows(client, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"{RECRUITMENT}.csv?{query}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_csv_holds_the_pages_figures_with_the_same_filters(as_supervisor, known, program):
    rows = csv_rows(as_supervisor, f"program={program.id}")
    by_section: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_section.setdefault(row["section"], []).append(row)

    funnel = {row["item"]: (row["count"], row["percent"], row["percent_of"]) for row in by_section["funnel"]}
    assert funnel["In review"] == ("7", "70", "submitted") and funnel["Accepted"] == ("2", "29", "in review")
    times = {row["item"]: (row["median_days"], row["p90_days"]) for row in by_section["time to"]}
    assert times == {"first review": ("3.5", "6.0"), "decision": ("7.0", "20.0")}
    assert [(row["item"], row["count"]) for row in by_section["applications per week"]][-2:] == [
        ("2025-08-25", "1"),
        ("2025-09-01", "0"),
    ]
    reviewers = {
        row["item"]: (row["mean_score"], row["score_spread"], row["leaning"]) for row in by_section["reviewer scores"]
    }
    assert reviewers["Kim Strict"] == ("1.67", "0.47", "strict")
    assert csv_rows(as_supervisor, "date_from=2025-08-11&date_to=2025-08-17")[1]["count"] == "3"


def test_csv_cells_typed_by_applicants_or_staff_cannot_run_as_formulas(as_supervisor, known, program):
    heard = next(question for question in program.questions if question.key == "heard_about")
    ApplicationAnswerFactory(
        application=ApplicationFactory(program=program, submitted_at=_day(3)),
        question=heard,
        text='=HYPERLINK("http://evil.example","Friend")',
    )
    known["reviewers"]["kim"].full_name = "@SUM(1+1)"
    db.session.commit()
    rows = csv_rows(as_supervisor, f"program={program.id}")
    items = {row["item"] for row in rows}

    assert '\'=HYPERLINK("http://evil.example","Friend")' in items
    assert "'@SUM(1+1)" in items
    assert not any(row["item"].startswith(("=", "@", "+")) for row in rows)


def test_a_bad_filter_on_the_csv_gets_the_page_with_the_message(as_supervisor, known):
    response = as_supervisor.get(f"{RECRUITMENT}.csv?date_from=soon")

    assert response.status_code == 422 and response.mimetype == "text/html"
    assert "Enter a date, like 2026-08-01" in response.get_data(as_text=True)


def test_the_reports_index_lists_what_the_person_may_open(as_supervisor, known):
    html = page(as_supervisor, "/reports/")

    assert 'href="/reports/recruitment"' in html
    assert "self-identification" not in html.lower()  # a flag only some admins hold
    assert 'href="/reports/"' in html  # the Reports link in the navigation


# ---- a fixed number of queries ---------------------------------------------------------------------


def bulk_applications(program, question, count: int, start: int) -> None:
    """``count`` applications (and a heard-about answer each) by Core bulk inserts, not one ORM object each."""
    statuses = list(S)
    rows = [
        {
            "program_id": program.id,
            "status": statuses[index % len(statuses)],
            "email": f"bulk{index}@example.org",
            "full_name": f"Bulk Applicant {index}",
            "submitted_at": _day(index % 35),
        }
        for index in range(start, start + count)
    ]
    ids = db.session.scalars(insert(Application).returning(Application.id), rows).all()
    answers = [
        {"application_id": application_id, "question_id": question.id, "text": ("Friend", "Social media")[i % 2]}
        for i, application_id in enumerate(ids)
    ]
    db.session.execute(insert(ApplicationAnswer), answers)
    db.session.commit()


def test_the_report_runs_the_same_number_of_queries_at_100_and_10000_applications(
    as_supervisor, known, program, backend
):
    heard = next(question for question in program.questions if question.key == "heard_about")
    path = f"{RECRUITMENT}?program={program.id}"
    bulk_applications(program, heard, 90, 0)  # with the ten known ones: 100
    at_100, html_100 = count_queries(as_supervisor, path)
    bulk_applications(program, heard, 9_900, 90)
    at_10000, html_10000 = count_queries(as_supervisor, path)
    all_programs, _ = count_queries(as_supervisor, RECRUITMENT)
    csv_queries, _ = count_queries(as_supervisor, f"{RECRUITMENT}.csv?program={program.id}")

    print(f"\n[{backend}] recruitment report queries: {at_100} at 100 applications, {at_10000} at 10,000")
    assert table(html_100, "funnel")[0] == ["Submitted", "100", "–"]
    assert table(html_10000, "funnel")[0] == ["Submitted", "10000", "–"]
    assert at_100 == at_10000 == all_programs == csv_queries
    assert at_10000 <= 10


def test_the_index_offers_the_self_identification_report_only_to_admins_granted_it(client, admin):
    sign_in(client, admin)
    assert "/reports/self-identification" not in page(client, "/reports/")

    admin.can_view_self_identification = True
    db.session.commit()
    html = page(client, "/reports/")
    assert 'href="/reports/self-identification"' in html and 'href="/reports/recruitment"' in html


def test_an_applicant_who_deleted_their_data_still_counts_but_their_answer_is_gone(as_supervisor, known, program):
    erase_personal_data(known["applications"]["A3"])
    db.session.commit()
    html = page(as_supervisor, f"{RECRUITMENT}?program={program.id}")

    assert table(html, "funnel")[5] == ["Declined", "2", "29% of in review"]
    assert table(html, "times")[1][1] == "4"
    assert table(html, "heard")[0] == ["Friend", "2", "40%"]
