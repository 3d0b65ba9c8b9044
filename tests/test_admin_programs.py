"""Programs list and each program's life: create a draft, publish, close, reopen, archive, preview, clone;
what the public sees of each state; who may do it; audited; a fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from factories import (
    ActivityCategoryFactory,
    AdminFactory,
    ApplicationFactory,
    InternFactory,
    PlacementFactory,
    ProgramFactory,
    RubricCriterionFactory,
    ScoreFactory,
    UserFactory,
)
from session_support import sign_in
from sqlalchemy import func, select
from test_progress import count_queries, known_placement, parse, texts

from portal.database import utcnow
from portal.extensions import db
from portal.formatting import long_date
from portal.models import (
    Application,
    ApplicationQuestion,
    ApplicationStatus,
    AuditEvent,
    Placement,
    Program,
    ProgramState,
    QuestionKind,
)
from portal.rules.program_states import (
    Action,
    ListedStatus,
    actions_from,
    listed_status,
    next_term_dates,
    publish_checklist,
    target_state,
)
from portal.services.program_lifecycle import free_slug, slugify


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def page_text(response) -> str:
    return " ".join(texts(parse(response.data), "main"))


def draft(**fields) -> Program:
    return ProgramFactory(state=ProgramState.DRAFT, published_at=None, **fields)


def act(client, program: Program, action: str):
    return client.post(f"/admin/programs/{program.id}/state", data={"action": action})


def new_form(**changes) -> dict:
    return {"title": "Spring Youth Organizing Fellowship", "slug": "", "organisation": "Organizing 2.0", **changes}


# ---- the list -----------------------------------------------------------------------------------------


def test_the_list_shows_each_program_with_its_state_window_and_counts(app, client, admin, today):
    open_now = ProgramFactory(title="Open Now", slug="open-now", places=3, rolling=True)
    ApplicationFactory.create_batch(2, program=open_now)
    PlacementFactory(program=open_now, application__program=open_now)  # one accepted application, one intern
    ProgramFactory(title="Next Term", slug="next-term",
                   applications_open=today + timedelta(days=5), applications_close=today + timedelta(days=40))
    ProgramFactory(title="Last Term", slug="last-term",
                   applications_open=today - timedelta(days=60), applications_close=today - timedelta(days=1))
    ProgramFactory(title="Stopped Early", slug="stopped", state=ProgramState.CLOSED)
    draft(title="Being Written", slug="being-written")
    ProgramFactory(title="Long Gone", slug="long-gone", state=ProgramState.ARCHIVED)
    sign_in(client, admin)

    page = parse(client.get("/admin/programs").data)

    rows = {row.etree_element.get("data-program"): row for row in page.query_all("tbody tr")}
    assert set(rows) == {"open-now", "next-term", "last-term", "stopped", "being-written"}  # archived apart
    state = {slug: texts(row, ".badge")[0] for slug, row in rows.items()}
    assert state == {"open-now": "Open", "next-term": "Upcoming", "last-term": "Closed", "stopped": "Closed",
                     "being-written": "Draft"}
    cells = texts(rows["open-now"], "td")
    assert cells[1] == f"{long_date(open_now.applications_open)} to {long_date(open_now.applications_close)} (rolling)"
    assert cells[2:] == ["1 / 3", "3", "1"]
    assert texts(rows["being-written"], "td")[2:] == ["0 / 3", "0", "0"]
    assert texts(page, ".list-filter a") == ["Show archived programs (1)"]
    assert [a.etree_element.get("href") for a in page.query_all("main a.button")] == ["/admin/programs/new"]

    archived = parse(client.get("/admin/programs?archived=1").data)
    assert [r.etree_element.get("data-program") for r in archived.query_all("tbody tr")] == ["long-gone"]
    assert texts(archived, "tbody .badge") == ["Archived"]


@pytest.mark.parametrize("page", ["1" + "0" * 30, "abc", "0", "-1", "99"])
def test_any_page_number_gets_a_page_not_an_error(app, client, admin, program, page):
    sign_in(client, admin)
    response = client.get(f"/admin/programs?page={page}")
    assert response.status_code == 200


def test_the_list_runs_the_same_queries_however_many_programs(app, client, admin):
    ApplicationFactory(program=ProgramFactory())
    sign_in(client, admin)
    client.get("/admin/programs")
    with count_queries() as one:
        client.get("/admin/programs")
    for _ in range(8):
        program = ProgramFactory()
        ApplicationFactory.create_batch(2, program=program)
        PlacementFactory(program=program, application__program=program)
    with count_queries() as nine:
        response = client.get("/admin/programs")
    assert len(list(parse(response.data).query_all("tbody tr"))) == 9
    assert len(nine) == len(one) <= 7


def test_listed_status_follows_the_state_and_the_window(today):
    def status(state, opens, closes):
        return listed_status(state, today, today + timedelta(days=opens), today + timedelta(days=closes))

    assert status(ProgramState.PUBLISHED, -1, 1) is ListedStatus.OPEN
    assert status(ProgramState.PUBLISHED, 0, 0) is ListedStatus.OPEN  # both days count
    assert status(ProgramState.PUBLISHED, 1, 9) is ListedStatus.UPCOMING
    assert status(ProgramState.PUBLISHED, -9, -1) is ListedStatus.CLOSED
    assert status(ProgramState.CLOSED, -1, 9) is ListedStatus.CLOSED
    assert status(ProgramState.DRAFT, -1, 9) is ListedStatus.DRAFT
    assert status(ProgramState.ARCHIVED, -1, 9) is ListedStatus.ARCHIVED


def test_the_transition_table(today):
    published_once = {"ever_published": True}
    assert target_state(ProgramState.DRAFT, Action.PUBLISH, **published_once) is ProgramState.PUBLISHED
    assert target_state(ProgramState.PUBLISHED, Action.CLOSE, **published_once) is ProgramState.CLOSED
    assert target_state(ProgramState.CLOSED, Action.REOPEN, **published_once) is ProgramState.PUBLISHED
    assert target_state(ProgramState.CLOSED, Action.ARCHIVE, **published_once) is ProgramState.ARCHIVED
    assert target_state(ProgramState.ARCHIVED, Action.UNARCHIVE, **published_once) is ProgramState.CLOSED
    assert target_state(ProgramState.ARCHIVED, Action.UNARCHIVE, ever_published=False) is ProgramState.DRAFT
    assert target_state(ProgramState.PUBLISHED, Action.ARCHIVE, **published_once) is None  # close it first
    assert target_state(ProgramState.DRAFT, Action.CLOSE, ever_published=False) is None
    assert [t.action for t in actions_from(ProgramState.CLOSED)] == [Action.REOPEN, Action.ARCHIVE]
    assert [t.action for t in actions_from(ProgramState.PUBLISHED)] == [Action.CLOSE]


def test_the_publish_checklist(today):
    assert publish_checklist(body="## Hi", active_criteria=1, closes=today, today=today) == []
    missing = publish_checklist(body="  \n", active_criteria=0, closes=today - timedelta(days=1), today=today)
    assert [(m.key, m.tab) for m in missing] == [("body", "posting"), ("rubric", "review"), ("window", "posting")]


# ---- who may ------------------------------------------------------------------------------------------

ROUTES = [
    ("GET", "/admin/programs"),
    ("GET", "/admin/programs/new"),
    ("POST", "/admin/programs/new"),
    ("GET", "/admin/programs/{id}"),
    ("POST", "/admin/programs/{id}/state"),
    ("GET", "/admin/programs/{id}/preview"),
    ("POST", "/admin/programs/{id}/clone"),
]


@pytest.mark.parametrize(("method", "template"), ROUTES, ids=[f"{m} {t}" for m, t in ROUTES])
def test_only_admins_reach_the_program_pages(app, method, template):
    program = draft(title="Secret Draft")
    path = template.format(id=program.id)
    data = {"action": "archive"} if path.endswith("/state") else new_form() if path.endswith("/new") else {}
    before = db.session.scalar(select(func.count(Program.id)))
    observed = {}
    for name, user in (("anonymous", None), ("intern", InternFactory()), ("supervisor", UserFactory()),
                       ("admin", AdminFactory())):
        client = app.test_client()
        if user is not None:
            sign_in(client, user)
        response = client.open(path, method=method, data=data)
        if name == "anonymous":
            assert "/auth/sign-in" in response.headers["Location"]
        observed[name] = response.status_code
        if name != "admin":
            db.session.expire_all()
            assert db.session.scalar(select(func.count(Program.id))) == before  # nothing created
            assert db.session.get(Program, program.id).state is ProgramState.DRAFT  # nor changed
    assert observed == {"anonymous": 302, "intern": 403, "supervisor": 403,
                        "admin": 302 if method == "POST" else 200}


def test_an_unknown_program_or_action_is_not_a_500(app, client, admin, program):
    sign_in(client, admin)
    assert client.get("/admin/programs/9999").status_code == 404
    assert client.post("/admin/programs/9999/state", data={"action": "publish"}).status_code == 404
    assert act(client, program, "explode").status_code == 400
    assert client.post(f"/admin/programs/{program.id}/state").status_code == 400


# ---- creating a draft ---------------------------------------------------------------------------------


def test_the_new_program_form_offers_default_dates(app, client, admin, today):
    sign_in(client, admin)
    page = parse(client.get("/admin/programs/new").data)
    value = {name: page.query(f"#{name}").etree_element.get("value") for name in
             ("organisation", "applications_open", "applications_close", "start_window_start", "start_window_end")}
    assert value == {
        "organisation": "Organizing 2.0",
        "applications_open": (today + timedelta(days=30)).isoformat(),
        "applications_close": (today + timedelta(days=60)).isoformat(),
        "start_window_start": (today + timedelta(days=60)).isoformat(),
        "start_window_end": (today + timedelta(days=120)).isoformat(),
    }


def test_creating_a_draft_with_the_defaults_and_an_address_from_the_title(app, client, admin, today):
    sign_in(client, admin)
    response = client.post("/admin/programs/new", data=new_form(title="Spring Youth Organizing Fellowship!"))
    assert response.status_code == 302
    created = db.session.scalar(select(Program))
    assert response.headers["Location"] == f"/admin/programs/{created.id}"
    assert (created.slug, created.state, created.published_at) == (
        "spring-youth-organizing-fellowship", ProgramState.DRAFT, None)
    assert (created.applications_open, created.applications_close) == (today + timedelta(30), today + timedelta(60))
    assert created.start_window_start == today + timedelta(60)
    rules = created.rules()
    assert (rules.min_week_minutes, rules.min_weeks, rules.stipend_min_week_minutes) == (15 * 60, 12, 25 * 60)
    assert [(t.min_average_minutes // 60, t.monthly_cents) for t in created.stipend_tiers] == [
        (0, 0), (25, 50_000), (30, 75_000), (35, 100_000)]
    assert created.rubric == [] and len(created.categories) == 7
    [event] = events("program.created")
    assert event.actor_label == admin.email and event.to_state == "draft"
    assert event.details["after"]["slug"] == "spring-youth-organizing-fellowship"
    overview = client.get(response.headers["Location"])
    assert "Draft created at /programs/spring-youth-organizing-fellowship" in page_text(overview)


def test_a_new_program_form_with_errors_keeps_what_was_typed(app, client, admin):
    sign_in(client, admin)
    response = client.post("/admin/programs/new", data=new_form(
        title="", slug="Not A Slug", organisation="Youth Unit",
        applications_open="2027-05-01", applications_close="2027-04-01", start_window_start="someday"))
    assert response.status_code == 422
    page = parse(response.data)
    assert texts(page, "#title-error") == ["Error: Give the program a title"]
    assert "lower-case letters" in texts(page, "#slug-error")[0]
    assert texts(page, "#applications_close-error") == ["Error: Applications cannot close before they open"]
    assert texts(page, "#start_window_start-error") == ["Error: Enter a date, like 2026-08-01"]
    assert page.query("#slug").etree_element.get("value") == "Not A Slug"
    assert page.query("#organisation").etree_element.get("value") == "Youth Unit"
    assert page.query("#applications_open").etree_element.get("value") == "2027-05-01"
    assert page.query(".error-summary") is not None
    assert db.session.scalar(select(Program)) is None


def test_an_address_in_use_is_refused_beside_the_field(app, client, admin, program):
    sign_in(client, admin)
    response = client.post("/admin/programs/new", data=new_form(title="Fall Organizing"))  # slugifies to "fall-…"
    assert response.status_code == 302
    response = client.post("/admin/programs/new", data=new_form(title="Another", slug="fall"))
    assert response.status_code == 422
    page = parse(response.data)
    assert texts(page, "#slug-error") == ["Error: That address is taken by another program; choose another"]
    assert page.query("#title").etree_element.get("value") == "Another"
    assert db.session.scalar(select(Program.slug).where(Program.title == "Another")) is None


def test_slugify_and_free_slug(app):
    assert slugify("Spring Youth Organizing Fellowship") == "spring-youth-organizing-fellowship"
    assert slugify("  Été 2027 — Bronx & Queens!  ") == "ete-2027-bronx-queens"
    assert slugify("!!!") == "program"
    assert len(slugify("word " * 40)) <= 80
    ProgramFactory(slug="fall-copy")
    ProgramFactory(slug="fall-copy-2")
    assert free_slug("fall-copy") == "fall-copy-3"
    assert free_slug("spring") == "spring"


# ---- publishing and the overview ----------------------------------------------------------------------


def test_the_overview_lists_what_is_missing_before_publishing(app, client, admin):
    program = draft(title="Spring", body="")
    sign_in(client, admin)
    page = parse(client.get(f"/admin/programs/{program.id}").data)
    missing = {li.etree_element.get("data-missing"): li for li in page.query_all(".checklist li")}
    assert set(missing) == {"body", "rubric"}
    assert missing["body"].query("a").etree_element.get("href") == f"/admin/programs/{program.id}/posting"
    assert missing["rubric"].query("a").etree_element.get("href") == f"/admin/programs/{program.id}/review"
    buttons = texts(page, ".program-actions button")
    assert buttons == ["Publish", "Archive", "Clone for the next term"]
    assert "/programs/" + program.slug + " (not public)" in " ".join(texts(page, ".program-facts"))


def test_publishing_is_refused_without_a_posting_text_or_a_criterion_then_succeeds(app, client, admin):
    program = draft(title="Spring Fellowship", slug="spring", body="")
    sign_in(client, admin)

    refused = act(client, program, "publish")
    assert refused.status_code == 422
    message = " ".join(texts(parse(refused.data), ".error-summary"))
    assert "Write the posting text" in message and "Add at least one rubric criterion" in message
    RubricCriterionFactory(program=program, name="Retired one", retired_at=utcnow())
    program.body = "## About\n\nWe organise."
    db.session.commit()
    refused = act(client, program, "publish")
    assert refused.status_code == 422  # a retired criterion does not count
    assert "Add at least one rubric criterion" in page_text(refused)
    assert "Write the posting text" not in page_text(refused)
    assert client.get("/programs/spring").status_code == 404
    assert events("program.published") == []

    RubricCriterionFactory(program=program, name="Organised")
    published = act(client, program, "publish")
    assert published.status_code == 302
    db.session.refresh(program)
    assert program.state is ProgramState.PUBLISHED and program.published_at is not None and program.slug_is_fixed
    [event] = events("program.published")
    assert (event.from_state, event.to_state, event.actor_label) == ("draft", "published", admin.email)
    assert "Published: the posting is on the public site." in page_text(client.get(published.headers["Location"]))
    home = parse(app.test_client().get("/").data)
    assert "Spring Fellowship" in texts(home, "h3")
    assert app.test_client().get("/programs/spring").status_code == 200


def test_a_window_that_has_closed_stops_publishing_and_reopening(app, client, admin, today):
    past = {"applications_open": today - timedelta(days=30), "applications_close": today - timedelta(days=1)}
    ready = draft(slug="late", **past)
    RubricCriterionFactory(program=ready)
    stopped = ProgramFactory(slug="stopped", state=ProgramState.CLOSED, **past)
    sign_in(client, admin)

    response = act(client, ready, "publish")
    assert response.status_code == 422
    assert "move the close date first" in page_text(response)

    response = act(client, stopped, "reopen")
    assert response.status_code == 422
    page = parse(response.data)
    assert "which has passed: move the close date first" in " ".join(texts(page, ".error-summary"))
    assert page.query(".error-summary a").etree_element.get("href") == f"/admin/programs/{stopped.id}/posting"
    db.session.refresh(stopped)
    assert stopped.state is ProgramState.CLOSED and events("program.reopened") == []


def test_close_reopen_archive_and_unarchive_are_audited_with_their_states(app, client, admin, program):
    sign_in(client, admin)
    for action, state in (("close", "closed"), ("reopen", "published"), ("close", "closed"),
                          ("archive", "archived"), ("unarchive", "closed")):
        assert act(client, program, action).status_code == 302, action
        db.session.refresh(program)
        assert program.state.value == state
    moves = [(e.action, e.from_state, e.to_state) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("program.%")).order_by(AuditEvent.id))]
    assert moves == [
        ("program.closed", "published", "closed"),
        ("program.reopened", "closed", "published"),
        ("program.closed", "published", "closed"),
        ("program.archived", "closed", "archived"),
        ("program.unarchived", "archived", "closed"),
    ]


def test_a_move_the_table_does_not_allow_is_refused(app, client, admin, program):
    sign_in(client, admin)
    response = act(client, program, "archive")  # published: close it first
    assert response.status_code == 422
    assert "A published program cannot be archived." in page_text(response)
    assert act(client, program, "unarchive").status_code == 422
    db.session.refresh(program)
    assert program.state is ProgramState.PUBLISHED


def test_a_draft_archived_and_unarchived_is_a_draft_again(app, client, admin):
    program = draft()
    sign_in(client, admin)
    assert act(client, program, "archive").status_code == 302
    assert act(client, program, "unarchive").status_code == 302
    db.session.refresh(program)
    assert program.state is ProgramState.DRAFT  # never published: it does not become a public closed posting


def test_publishing_again_keeps_the_first_published_date(app, client, admin, program):
    first = program.published_at
    sign_in(client, admin)
    act(client, program, "close")
    act(client, program, "reopen")
    db.session.refresh(program)
    assert program.published_at == first


# ---- what the public sees -----------------------------------------------------------------------------


def test_drafts_and_archived_programs_are_not_public(app, client, today):
    writing = draft(title="Being Written", slug="writing")
    gone = ProgramFactory(title="Long Gone", slug="gone", state=ProgramState.ARCHIVED)
    home = parse(client.get("/").data)
    assert "Being Written" not in texts(home, "h3") and "Long Gone" not in texts(home, "h3")
    for program in (writing, gone):
        for path in ("", "/apply", "/apply/submitted"):
            assert client.get(f"/programs/{program.slug}{path}").status_code == 404, (program.slug, path)


def test_a_closed_program_shows_its_posting_saying_applications_are_closed(app, client, admin, program):
    sign_in(client, admin)
    act(client, program, "close")
    public = app.test_client()
    assert "Fall Organizing" not in texts(parse(public.get("/").data), "h3")
    posting = parse(public.get("/programs/fall").data)
    assert texts(posting, ".window__state") == ["Applications are closed"]
    assert "Apply for this internship" not in " ".join(texts(posting, "main"))
    late = {"full_name": "Late Applicant"}
    for response in (public.get("/programs/fall/apply"), public.post("/programs/fall/apply", data=late)):
        assert response.status_code == 200
        assert texts(parse(response.data), "h1") == ["Applications are closed"]
        assert "Applications for Fall Organizing are closed." in page_text(response)


def test_an_archived_programs_hours_statement_still_verifies(app, client, admin):
    placement = known_placement()
    sign_in(client, placement.intern)
    [code] = texts(parse(client.get(f"/hours/placements/{placement.id}/statement").data), ".statement-code")
    program = placement.program
    program.state = ProgramState.ARCHIVED
    db.session.commit()
    verified = app.test_client().get(f"/hours/verify/{code}")
    assert verified.status_code == 200
    assert texts(parse(verified.data), ".statement-total") == ["59 h"]
    staff = app.test_client()
    sign_in(staff, placement.supervisor)
    assert staff.get(f"/hours/placements/{placement.id}/statement").status_code == 200


def test_an_archived_programs_applications_and_interns_stay_readable_to_staff(app, client, admin):
    placement = known_placement()
    program = placement.program
    waiting = ApplicationFactory(program=program, full_name="Still Listed", status=ApplicationStatus.WAITLISTED)
    program.state = ProgramState.ARCHIVED
    db.session.commit()
    sign_in(client, admin)
    assert "Still Listed" in page_text(client.get("/review/?status=waitlisted"))
    assert client.get(f"/review/applications/{waiting.id}").status_code == 200
    supervisor = app.test_client()
    sign_in(supervisor, placement.supervisor)
    assert placement.intern.full_name in page_text(supervisor.get("/hours/compliance"))
    intern = app.test_client()
    sign_in(intern, placement.intern)
    assert "59 h" in page_text(intern.get("/hours/"))


# ---- preview ------------------------------------------------------------------------------------------


def test_the_preview_shows_a_draft_as_applicants_will_see_it_with_apply_inert(app, client, admin, today):
    program = draft(title="Spring Draft", slug="spring-draft", applications_open=today - timedelta(days=1),
                    body="## What you will do\n\nOrganise **boldly**.")
    sign_in(client, admin)
    response = client.get(f"/admin/programs/{program.id}/preview")
    assert response.status_code == 200
    page = parse(response.data)
    assert texts(page, ".preview-banner strong") == ["Preview"]
    assert "this program is a draft and not public" in " ".join(texts(page, ".preview-banner"))
    assert texts(page, "h1") == ["Spring Draft"]
    assert texts(page, ".prose h2") == ["What you will do"] and texts(page, ".prose strong") == ["boldly"]
    assert texts(page, ".window__state") == [f"Applications are open until {long_date(program.applications_close)}"]
    assert set(texts(page, "button[disabled]")) == {"Apply for this internship"}
    assert not [a for a in page.query_all("a") if a.etree_element.get("href", "").endswith("/apply")]
    assert app.test_client().get("/programs/spring-draft").status_code == 404


# ---- clone --------------------------------------------------------------------------------------------


def question(program: Program, key: str, position: int, **fields) -> ApplicationQuestion:
    row = ApplicationQuestion(program=program, key=key, kind=fields.pop("kind", QuestionKind.LONG_TEXT),
                              label=f"Tell us about {key}", position=position, **fields)
    db.session.add(row)
    db.session.commit()
    return row


def test_clone_copies_the_active_setup_but_no_applications_or_interns(app, client, admin, program, placement):
    program.body, program.blind_review, program.retention_months, program.min_week_minutes = "## Body", True, 6, 600
    db.session.commit()
    kept = RubricCriterionFactory(program=program, name="Organised", description="Keeps track", position=1)
    ScoreFactory(criterion=kept, review__application__program=program)
    RubricCriterionFactory(program=program, name="Old criterion", retired_at=utcnow())
    ActivityCategoryFactory(program=program, name="Old category", retired_at=utcnow())
    question(program, "why", 0, required=True, max_words=300, help_text="In your words")
    question(program, "heard", 1, kind=QuestionKind.ONE_CHOICE, options=["Friend", "Web"])
    question(program, "old", 2, retired_at=utcnow())
    sign_in(client, admin)

    response = client.post(f"/admin/programs/{program.id}/clone")

    assert response.status_code == 302
    copy = db.session.scalar(select(Program).where(Program.id != program.id))
    assert response.headers["Location"] == f"/admin/programs/{copy.id}/posting"
    assert (copy.title, copy.slug, copy.state, copy.published_at) == (
        "Copy of Fall Organizing", "fall-copy", ProgramState.DRAFT, None)
    assert (copy.body, copy.blind_review, copy.retention_months, copy.min_week_minutes) == ("## Body", True, 6, 600)
    assert (copy.organisation, copy.location, copy.summary, copy.places) == (
        program.organisation, program.location, program.summary, program.places)
    assert copy.rules().stipend_tiers == program.rules().stipend_tiers
    assert [(c.name, c.description) for c in copy.rubric] == [("Organised", "Keeps track")]
    assert [c.name for c in copy.categories] == [c.name for c in program.active_categories()]
    assert "Old category" not in [c.name for c in copy.categories]
    copied = [(q.key, q.kind, q.required, q.max_words, q.help_text, q.options) for q in copy.questions]
    assert copied == [("why", QuestionKind.LONG_TEXT, True, 300, "In your words", []),
                      ("heard", QuestionKind.ONE_CHOICE, False, None, "", ["Friend", "Web"])]
    assert copy.reviewers == []
    assert db.session.scalar(select(Application).where(Application.program_id == copy.id)) is None
    assert db.session.scalar(select(Placement).where(Placement.program_id == copy.id)) is None
    [event] = events("program.cloned")
    assert event.target_id == copy.id and event.details["source_id"] == program.id
    assert "set its dates for the next term" in page_text(client.get(response.headers["Location"]))
    # New dates: the window opens after the original's has closed, every date moved alike.
    shift = copy.applications_open - program.applications_open
    assert copy.applications_open > program.applications_close and shift.days > 0
    assert copy.applications_close - program.applications_close == shift
    assert (copy.start_window_start - program.start_window_start, copy.start_window_end - program.start_window_end) == (
        shift, shift)

    again = client.post(f"/admin/programs/{program.id}/clone")
    assert again.status_code == 302
    assert db.session.scalar(select(Program.slug).order_by(Program.id.desc())) == "fall-copy-2"



def test_a_form_sent_after_the_program_closed_early_is_refused_by_the_service(app, program, today):
    """An applicant who opened the form before an admin pressed "Close applications" cannot send it after."""
    from portal.services.applications import ApplicationsClosed, submit_application

    program.state = ProgramState.CLOSED
    db.session.commit()
    with pytest.raises(ApplicationsClosed):
        submit_application(program, {"email": "late@example.org"}, None, {}, submission_key="k", today=today)
    assert db.session.scalar(select(func.count(Application.id))) == 0


@pytest.mark.parametrize(
    "closes, opens_again",
    [
        (date(2027, 3, 31), date(2027, 4, 1)),  # still open: the copy opens the day after it closes
        (date(2026, 12, 10), date(2027, 1, 2)),  # closes soon: the copy opens in 30 days, as a new draft does
        (date(2025, 6, 30), date(2027, 1, 2)),  # long closed: the same
    ],
)
def test_next_term_dates_move_every_date_alike(closes, opens_again):
    dates = next_term_dates(
        applications_open=closes - timedelta(days=60),
        applications_close=closes,
        start_window_start=closes + timedelta(days=7),
        start_window_end=closes + timedelta(days=37),
        today=date(2026, 12, 3),
    )
    assert dates["applications_open"] == opens_again
    assert dates["applications_close"] - dates["applications_open"] == timedelta(days=60)
    assert dates["start_window_start"] - dates["applications_close"] == timedelta(days=7)
    assert dates["start_window_end"] - dates["start_window_start"] == timedelta(days=30)
