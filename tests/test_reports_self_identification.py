"""The self-identification report (/reports/self-identification): who may open it, the counts and their
suppression on known data, no names anywhere, one audit event per view, and a fixed number of queries."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from factories import AdminFactory, ApplicationFactory, ProgramFactory
from session_support import sign_in
from sqlalchemy import func, insert, select
from test_progress import count_queries, parse

from portal.extensions import db
from portal.models import Application, AuditEvent, Role, SelfIdentification, User
from portal.rules.pipeline import ApplicationStatus
from portal.services import staff
from portal.services.demo import seed_demo
from portal.services.self_identification import encrypt_answers, save_self_identification

PAGE = "/reports/self-identification"
CSV = "/reports/self-identification.csv"
ACCEPTED = ApplicationStatus.ACCEPTED


def table(html: str, key: str) -> list[list[str]]:
    """A question's table, row by row, as cell texts."""
    return [
        [" ".join("".join(cell.etree_element.itertext()).split()) for cell in row.query_all("th, td")]
        for row in parse(html).query_all(f"#question-{key}-table tr")
    ]


@pytest.fixture
def granted(app):
    return AdminFactory(full_name="Gita Granted", email="gita@example.org", can_view_self_identification=True)


@pytest.fixture
def viewer(client, granted):
    sign_in(client, granted)
    return client


def applicant(program, answers: dict | None, *, status=ApplicationStatus.SUBMITTED, name="Applicant", **fields):
    application = ApplicationFactory(program=program, status=status, full_name=name, **fields)
    if answers:
        save_self_identification(application, answers)
    return application


@pytest.fixture
def known(program):
    """20 applicants, 7 accepted: gender 8 women (6 accepted), 6 men, 2 non-binary (1 accepted), 1 prefer
    not to say, 3 who skipped the section; race: 5 Black, 3 chose two, 6 Asian, 2 White, 1 prefer not."""
    people = (
        [("woman", ["black"], ACCEPTED)] * 5
        + [("woman", ["latine", "white"], ACCEPTED)]
        + [("woman", ["latine", "white"], ApplicationStatus.DECLINED)] * 2
        + [("man", ["asian"], ApplicationStatus.DECLINED)] * 6
        + [("non_binary", ["white"], ACCEPTED), ("non_binary", ["white"], ApplicationStatus.WAITLISTED)]
        + [("prefer_not_to_say", ["prefer_not_to_say"], ApplicationStatus.IN_REVIEW)]
    )
    for number, (gender, race, status) in enumerate(people):
        applicant(program, {"gender": gender, "race": race, "lgbtq": "no"}, status=status,
                  name=f"Person Canary{number}", email=f"canary{number}@example.org")
    for number in range(3):
        applicant(program, None, name=f"Skipper Canary{number}", email=f"skip{number}@example.org")
    db.session.commit()
    return program


def gender_table(html: str) -> list[list[str]]:
    return table(html, "gender")


# ---- who may open it ---------------------------------------------------------------------------------


def test_only_an_admin_granted_the_permission_opens_it(app, client, admin, supervisor, granted, known):
    assert client.get(PAGE).status_code == 302 and "/auth/sign-in" in client.get(PAGE).headers["Location"]
    for refused in (admin, supervisor):
        sign_in(client, refused)
        assert client.get(PAGE).status_code == 403
        assert client.get(CSV).status_code == 403
    supervisor.can_view_self_identification = True  # a flag set behind the admin's back gives nothing
    db.session.commit()
    sign_in(client, supervisor)
    assert client.get(PAGE).status_code == 403
    sign_in(client, granted)
    response = client.get(PAGE)
    assert response.status_code == 200 and "Self-identification report" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_an_admin_grants_and_removes_it_on_the_person_page_audited(app, client, admin):
    other = AdminFactory(full_name="Olu Other", email="olu@example.org")
    db.session.commit()
    sign_in(client, admin)
    page = client.get(f"/admin/people/{other.id}").get_data(as_text=True)
    assert "Let Olu Other see the self-identification report" in page
    response = client.post(f"/admin/people/{other.id}/self-id-report/grant", follow_redirects=True)
    assert "Olu Other can now see the self-identification report" in response.get_data(as_text=True)
    db.session.expire_all()
    assert other.can_view_self_identification is True
    sign_in(client, other)
    assert client.get(PAGE).status_code == 200

    sign_in(client, admin)
    response = client.post(f"/admin/people/{other.id}/self-id-report/revoke", follow_redirects=True)
    assert "Remove" not in response.get_data(as_text=True).split("self-id-report-heading")[1].split("</section>")[0]
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_id == other.id, AuditEvent.action.like("staff.self_id%"))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["staff.self_id_report_granted", "staff.self_id_report_revoked"]
    sign_in(client, other)
    assert client.get(PAGE).status_code == 403


def test_only_admins_hold_it_a_supervisor_is_refused_and_demotion_removes_it(app, client, admin, supervisor):
    sign_in(client, admin)
    response = client.post(f"/admin/people/{supervisor.id}/self-id-report/grant")
    assert response.status_code == 422
    assert "Only admins can see the self-identification report" in response.get_data(as_text=True)
    db.session.expire_all()
    assert supervisor.can_view_self_identification is False

    other = AdminFactory(can_view_self_identification=True)
    staff.change_role(other, Role.SUPERVISOR, actor=admin)
    db.session.commit()
    assert other.can_view_self_identification is False
    revoked = AuditEvent.action == "staff.self_id_report_revoked"
    assert db.session.scalar(select(func.count()).where(revoked, AuditEvent.target_id == other.id)) == 1


# ---- the counts ----------------------------------------------------------------------------------------


def test_counts_per_answer_with_small_groups_suppressed(viewer, known):
    html = viewer.get(PAGE).get_data(as_text=True)
    assert "20 applicants" in html and "7 accepted" in html
    # Accepted: 6 women and 1 non-binary of 7: the "<5" alone would be 7 − 6, so the 6 is withheld.
    assert gender_table(html) == [
        ["Answer", "Applicants", "Accepted applicants"],
        ["Woman", "8", "withheld"],
        ["Man", "6", "0"],
        ["Non-binary", "<5", "<5"],
        ["I describe myself as…", "0", "0"],
        ["Prefer not to say", "<5", "0"],
        ["No answer", "<5", "0"],
        ["Total", "20", "7"],
    ]
    # Accepted by race: 5 Black, 1 White, 1 who chose two of 7: the two "<5" could only be 1 and 1, and
    # withholding the 5 would not help (7 − 2 leaves it 5), so the accepted column is not shown at all.
    race = {row[0]: row[1:] for row in table(html, "race")}
    assert race["Black or African American"] == ["5", "not shown"]
    assert race["Two or more (chose several)"] == ["<5", "not shown"]
    assert race["Asian or Asian American"] == ["6", "not shown"]
    assert "Accepted applicants: not shown" in " ".join(html.split())
    assert "Why some counts are hidden" in html


def test_the_filters_narrow_the_counts(viewer, known):
    other = ProgramFactory(title="Spring Organizing", slug="spring")
    long_ago = datetime.now(UTC) - timedelta(days=400)
    for _ in range(5):
        applicant(other, {"gender": "man"}, submitted_at=long_ago)
    db.session.commit()
    everything = viewer.get(PAGE).get_data(as_text=True)
    assert "25 applicants" in everything and ["Man", "11", "0"] in gender_table(everything)
    only_fall = viewer.get(f"{PAGE}?program={known.id}").get_data(as_text=True)
    assert "20 applicants" in only_fall and ["Man", "6", "0"] in gender_table(only_fall)
    since = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    recent = viewer.get(f"{PAGE}?date_from={since}").get_data(as_text=True)
    assert "20 applicants" in recent and ["Man", "6", "0"] in gender_table(recent)
    assert viewer.get(f"{PAGE}?program=99999").status_code == 404


def test_no_name_email_or_free_text_leaves_the_report(viewer, known):
    applicant(known, {"gender": "self_describe", "gender_self": "Canary-words"}, name="Zed Canary")
    db.session.commit()
    page = viewer.get(PAGE).get_data(as_text=True)
    export = viewer.get(CSV).get_data(as_text=True)
    for text in (page, export):
        assert "Canary" not in text and "canary" not in text and "@example.org" not in text.replace("gita@", "")
    assert "/review/applications/" not in page  # no drill-down to any application


def test_the_csv_has_the_same_suppressed_cells_and_is_formula_safe(viewer, known):
    known.title = "=HYPERLINK(1)"
    db.session.commit()
    response = viewer.get(f"{CSV}?program={known.id}")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][1] == "'=HYPERLINK(1)"
    gender = [row[1:] for row in rows if row and row[0] == "Gender"]
    assert gender == [
        ["Woman", "8", "withheld"], ["Man", "6", "0"], ["Non-binary", "<5", "<5"], ["I describe myself as…", "0", "0"],
        ["Prefer not to say", "<5", "0"], ["No answer", "<5", "0"],
    ]


# ---- auditing and queries ----------------------------------------------------------------------------------


def _events(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_each_view_is_one_audit_event_with_the_filters_and_no_answers(viewer, known, granted):
    viewer.get(f"{PAGE}?program={known.id}")
    viewer.get(CSV)
    viewed, exported = _events("self_identification.report_viewed"), _events("self_identification.report_exported")
    assert len(viewed) == 1 and len(exported) == 1
    assert viewed[0].actor_id == granted.id
    assert viewed[0].details["program_ids"] == [known.id] and viewed[0].details["rows"] == 17
    assert exported[0].details["program_ids"] == "all"
    assert _events("self_identification.read") == []  # not one event per row
    assert "woman" not in str(viewed[0].details) and viewed[0].target_id is None


def add_bulk(program, count: int, start: int) -> None:
    """``count`` applications with encrypted answers, inserted in bulk (every fifth accepted)."""
    genders = ("woman", "man", "non_binary", "prefer_not_to_say")
    now = datetime.now(UTC)
    rows = [
        {
            "program_id": program.id, "full_name": f"Bulk {n}", "email": f"bulk{n}@example.org",
            "status": ACCEPTED if n % 5 == 0 else ApplicationStatus.SUBMITTED, "status_token_hash": f"{n:064x}",
            "submitted_at": now, "updated_at": now, "version": 1,
        }
        for n in range(start, start + count)
    ]
    db.session.execute(insert(Application), rows)
    ids = db.session.scalars(select(Application.id).where(Application.email.like("bulk%")).order_by(Application.id))
    existing = set(db.session.scalars(select(SelfIdentification.application_id)))
    db.session.execute(
        insert(SelfIdentification),
        [
            {"application_id": i, "program_id": program.id, "created_at": now,
             "ciphertext": encrypt_answers({"gender": genders[i % 4], "race": ["asian"]}, application_id=i)}
            for i in ids if i not in existing
        ],
    )
    db.session.commit()


def queries_of(client, path: str) -> tuple[int, str]:
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def test_the_page_runs_the_same_queries_at_10_200_and_10000_applications(viewer, program, backend):
    add_bulk(program, 10, 0)
    at_10, html_10 = queries_of(viewer, PAGE)
    add_bulk(program, 190, 10)
    at_200, html_200 = queries_of(viewer, PAGE)
    add_bulk(program, 9800, 200)
    at_10000, html_10000 = queries_of(viewer, PAGE)
    print(f"\n[{backend}] self-identification report queries: {at_10} at 10, {at_200} at 200, "
          f"{at_10000} at 10,000 applications")
    assert "10 applicants" in html_10 and "200 applicants" in html_200 and "10000 applicants" in html_10000
    assert ["Woman", "50", "10"] in gender_table(html_200)
    assert ["Woman", "2500", "500"] in gender_table(html_10000)
    assert at_10 == at_200 == at_10000 <= 8


def test_the_demo_seeds_encrypted_answers_its_admin_may_report_on(app, client):
    seed_demo(date.today())
    db.session.commit()
    rows = db.session.scalars(select(SelfIdentification)).all()
    assert len(rows) == 11 and not any(b"woman" in bytes(row.ciphertext) for row in rows)
    demo_admin = db.session.scalar(select(User).where(User.role == Role.ADMIN))
    sign_in(client, demo_admin)
    html = client.get(PAGE).get_data(as_text=True)
    assert ["Woman", "6", "not shown"] in gender_table(html) and ["Man", "<5", "not shown"] in gender_table(html)
