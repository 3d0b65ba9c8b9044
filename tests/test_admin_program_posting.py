"""The Posting tab: what applicants read and when they can apply; saved, previewed, audited, never a 500."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from factories import ApplicationFactory, ProgramFactory
from session_support import sign_in
from sqlalchemy import select
from test_progress import parse, texts

from portal.extensions import db
from portal.models import ApplicationStatus, AuditEvent, Program, ProgramState


def url(program) -> str:
    return f"/admin/programs/{program.id}/posting"


def form_of(program, **changes) -> dict:
    data = {
        "title": program.title,
        "slug": program.slug,
        "organisation": program.organisation,
        "location": program.location,
        "summary": program.summary,
        "body": program.body,
        "applications_open": program.applications_open.isoformat(),
        "applications_close": program.applications_close.isoformat(),
        "start_window_start": program.start_window_start.isoformat(),
        "start_window_end": program.start_window_end.isoformat(),
        "places": str(program.places),
        "action": "save",
    }
    if program.rolling:
        data["rolling"] = "y"
    return {**data, **changes}


def events(action="program.posting_changed") -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def draft(app) -> Program:
    return ProgramFactory(slug="spring-draft", title="Spring Organizing", state=ProgramState.DRAFT, published_at=None)


def test_the_tab_shows_the_posting_and_its_preview(app, client, admin, program):
    sign_in(client, admin)
    response = client.get(url(program))
    assert response.status_code == 200
    page = parse(response.data)
    assert page.query("#title").etree_element.get("value") == "Fall Organizing"
    assert page.query("#slug").etree_element.get("readonly") is not None  # published: the address is fixed
    assert texts(page, ".posting-preview h2#section-what-you-will-learn") == ["What you will learn"]


def test_saving_changes_the_posting_and_audits_what_changed(app, client, admin, program):
    sign_in(client, admin)
    body = "## How to apply\n\nWrite to [us](mailto:jobs@example.org)."
    response = client.post(url(program), data=form_of(program, title="Fall Organizing 2027", body=body, rolling="y"))
    assert response.status_code == 302
    db.session.refresh(program)
    assert program.title == "Fall Organizing 2027" and program.body == body and program.rolling
    [event] = events()
    assert event.actor_label == admin.email
    assert event.details["before"]["title"] == "Fall Organizing"
    assert event.details["after"]["title"] == "Fall Organizing 2027"
    assert event.details["after"]["body"] == f"changed, {len(body)} characters"
    assert event.details["after"]["rolling"] is True
    assert "slug" not in event.details["after"]
    page = parse(client.get(url(program)).data)
    assert "Posting saved." in " ".join(texts(page, "main"))
    public = parse(client.get("/programs/fall").data)
    assert "Applications are reviewed as they arrive" in " ".join(texts(public, "#apply"))
    assert [a.etree_element.get("href") for a in public.query_all(".prose a")] == ["mailto:jobs@example.org"]


def test_preview_renders_the_text_without_saving(app, client, admin, program):
    sign_in(client, admin)
    response = client.post(url(program), data=form_of(program, body="## New heading\n\n**Bold**", action="preview"))
    assert response.status_code == 200
    page = parse(response.data)
    assert texts(page, ".posting-preview h2#section-new-heading") == ["New heading"]
    assert texts(page, ".posting-preview strong") == ["Bold"]
    assert page.query("#body").etree_element.text == "## New heading\n\n**Bold**"
    db.session.refresh(program)
    assert program.body.startswith("## What you will learn")
    assert events() == []


def test_a_draft_can_change_its_address(app, client, admin, draft):
    sign_in(client, admin)
    response = client.post(url(draft), data=form_of(draft, slug="spring-2027"))
    assert response.status_code == 302
    db.session.refresh(draft)
    assert draft.slug == "spring-2027"
    assert events()[0].details["after"]["slug"] == "spring-2027"


def test_a_published_address_cannot_change(app, client, admin, program):
    sign_in(client, admin)
    response = client.post(url(program), data=form_of(program, slug="somewhere-else", title="Changed title"))
    assert response.status_code == 422
    page = parse(response.data)
    assert "cannot change once the program has been published" in " ".join(texts(page, "#slug-error"))
    assert page.query("#title").etree_element.get("value") == "Changed title"
    db.session.refresh(program)
    assert program.slug == "fall" and program.title == "Fall Organizing"


def test_an_address_in_use_is_refused(app, client, admin, program, draft):
    sign_in(client, admin)
    response = client.post(url(draft), data=form_of(draft, slug="fall"))
    assert response.status_code == 422
    assert texts(parse(response.data), "#slug-error")
    db.session.refresh(draft)
    assert draft.slug == "spring-draft"


def test_an_address_taken_by_another_request_at_the_same_moment_is_refused_not_a_500(
    app, client, admin, program, draft, monkeypatch
):
    """The check passed because the other request had not committed yet: the database's unique index decides."""
    monkeypatch.setattr("portal.services.program_settings.ensure_slug_available", lambda slug, program=None: None)
    sign_in(client, admin)
    response = client.post(url(draft), data=form_of(draft, slug="fall", summary="Typed summary"))
    assert response.status_code == 422
    page = parse(response.data)
    assert "That address is taken" in " ".join(texts(page, "#slug-error"))
    assert page.query("#summary").etree_element.text == "Typed summary"
    db.session.refresh(draft)
    assert draft.slug == "spring-draft"


def test_a_2_mb_posting_is_refused_beside_the_field(app, client, admin, program):
    sign_in(client, admin)
    huge = "a" * (2 * 1024 * 1024)
    response = client.post(url(program), data=form_of(program, body=huge))
    assert response.status_code == 422
    page = parse(response.data)
    assert "limited to 100,000 characters" in " ".join(texts(page, "#body-error"))
    assert page.query(".posting-preview") is None
    db.session.refresh(program)
    assert len(program.body) < 1000


def test_a_request_far_too_big_gets_a_page_not_a_500(app, client, admin, program):
    sign_in(client, admin)
    response = client.post(url(program), data=form_of(program, body="a" * (17 * 1024 * 1024)))
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"applications_close": "2026-01-01", "applications_open": "2026-02-01"},
            "applications_close",
            "Applications cannot close before they open",
        ),
        (
            {"start_window_start": "2026-09-10", "start_window_end": "2026-09-01"},
            "start_window_end",
            "The start window cannot end before it starts",
        ),
        ({"places": "-1"}, "places", "Places cannot be negative"),
        ({"places": "many"}, "places", "Enter a whole number"),
        ({"places": "3000000000"}, "places", "Places: at most 10,000"),  # beyond PostgreSQL's integer
        ({"places": "1" + "0" * 30}, "places", "Places: at most 10,000"),
        ({"applications_open": "tomorrow"}, "applications_open", "Enter a date"),
        ({"title": ""}, "title", "Give the program a title"),
        ({"slug": "Not A Slug!"}, "slug", "lower-case letters"),
    ],
)
def test_bad_input_is_refused_beside_the_field_and_kept(app, client, admin, program, changes, field, message):
    sign_in(client, admin)
    response = client.post(url(program), data=form_of(program, summary="Typed summary", **changes))
    assert response.status_code == 422
    page = parse(response.data)
    assert message in " ".join(texts(page, f"#{field}-error"))
    assert page.query(f'.error-summary a[href="#{field}"]') is not None
    assert page.query("#summary").etree_element.text == "Typed summary"
    assert events() == []


def test_places_cannot_drop_below_those_taken(app, client, admin, program):
    for _ in range(2):
        ApplicationFactory(program=program, status=ApplicationStatus.ACCEPTED)
    sign_in(client, admin)
    response = client.post(url(program), data=form_of(program, places="1"))
    assert response.status_code == 422
    assert "2 places already taken" in " ".join(texts(parse(response.data), "#places-error"))


def test_script_and_javascript_links_stored_through_the_editor_are_inert_on_the_posting(app, client, admin, program):
    sign_in(client, admin)
    body = (
        "## About\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n"
        "[data](data:text/html;base64,PHNjcmlwdD4=) [ok](https://example.org)"
    )
    assert client.post(url(program), data=form_of(program, body=body)).status_code == 302
    db.session.refresh(program)
    assert program.body == body  # stored as typed
    html = client.get("/programs/fall").get_data(as_text=True)
    start = html.index('class="posting-section prose"')
    prose = html[start : html.index("</div>", start)]
    assert "<script" not in prose and "<img" not in prose  # no element, no handler: only text
    assert 'href="javascript:' not in prose and 'href="data:' not in prose
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in prose  # shown as text, not run
    links = parse(html).query_all(".prose a")
    assert [a.etree_element.get("href") for a in links] == ["https://example.org"]


def test_only_admins_reach_the_tab(app, client, supervisor, program):
    sign_in(client, supervisor)
    assert client.get(url(program)).status_code in (403, 404)
    assert client.post(url(program), data=form_of(program, title="Hijacked")).status_code in (403, 404)
    db.session.refresh(program)
    assert program.title == "Fall Organizing"


def test_dates_are_validated_only_when_both_are_given(app):
    from portal.rules.program_settings import check_windows

    today = date.today()
    assert (
        check_windows(
            applications_open=today,
            applications_close=None,
            start_window_start=None,
            start_window_end=None,
            places=None,
            places_taken=0,
        )
        == {}
    )
    assert check_windows(
        applications_open=today,
        applications_close=today - timedelta(days=1),
        start_window_start=None,
        start_window_end=None,
        places=3,
        places_taken=3,
    ) == {"applications_close": "Applications cannot close before they open"}
