"""No input gives a 500: the cases the security audit reproduced, each with the answer a person gets
instead, then property-based tests (hypothesis) that post random values to every form field and send
random values in every query-string argument the pages read, and assert the status is below 500.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from documents import MINIMAL_PDF
from factories import ApplicationFactory, RubricCriterionFactory, add_demo_questions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from routes_support import build_world
from session_support import sign_in
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from test_access_table import OK, POLICY
from test_access_table import ROUTES as ALL_ROUTES

from portal import create_app
from portal.database import utcnow
from portal.extensions import db
from portal.models import Application, Review
from portal.services import reviews

# --- the application form --------------------------------------------------------------------------


def application_form(program, **overrides) -> dict:
    questions = add_demo_questions(program)
    db.session.commit()
    answers = {
        "why_this_internship": "I organise tenants in my building.",
        "current_events": "Local news every morning.",
        "organised_deadlines": "A teach-in in two weeks.",
        "bold_idea": "A text-message phone bank.",
        "skills": ["Writing"],
        "link_1": "https://ana.example.org",
    }
    data = {
        "full_name": "Ana Reyes",
        "email": "ana.reyes@example.org",
        "city": "Queens",
        "student": "not_student",
        "wants_credit": "no",
        "hours_per_week": "20",
        "earliest_start": (date.today() + timedelta(days=7)).isoformat(),
        "weeks_available": "12",
        "seeks_stipend": "no",
        "submission_key": "key-1",
        "resume": (io.BytesIO(MINIMAL_PDF), "Ana Reyes CV.pdf"),
        **{f"q_{questions[key].id}": value for key, value in answers.items() if key in questions},
    }
    data.update(overrides)
    return data


def apply(client, program, **overrides):
    data = application_form(program, **overrides)
    return client.post(f"/programs/{program.slug}/apply", data=data, content_type="multipart/form-data")


def applications() -> int:
    return db.session.scalar(select(func.count()).select_from(Application))


def test_a_nul_in_the_resume_file_name_is_refused_beside_the_field(client, program):
    response = apply(client, program, resume=(io.BytesIO(MINIMAL_PDF), "cv\x00.pdf"))
    assert response.status_code == 422
    assert "file name" in response.get_data(as_text=True)
    assert applications() == 0


@pytest.mark.parametrize("key", ["", "k" * 65], ids=["empty", "65 characters"])
def test_an_empty_or_overlong_submission_key_still_applies_once(client, program, key):
    response = apply(client, program, submission_key=key)
    assert response.status_code == 302 and response.headers["Location"].endswith("/apply/submitted")
    assert applications() == 1
    stored = db.session.scalar(select(Application.submission_key))
    assert stored and len(stored) <= 64


def test_a_long_email_is_refused_for_its_length_alone_beside_the_field(client, program):
    response = apply(client, program, email="a" * (3 * 1024 * 1024) + "@example.org")  # under the form memory limit
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Keep the email address under 254 characters" in html
    assert "Enter an email address like name@example.org" not in html  # the slow validator never ran
    assert applications() == 0


def test_a_15_mb_email_gets_the_form_back_at_once(client, program):
    response = apply(client, program, email="a" * (15 * 1024 * 1024) + "@example.org")
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert 'id="email"' in html and "One of the answers was far too long to read" in html
    assert "This file is larger than 5 MB" not in html  # no file was sent
    assert applications() == 0


def test_a_file_sent_as_a_text_field_is_refused_not_a_500(client, program):
    response = apply(client, program, full_name=(io.BytesIO(b"Ana"), "name.txt"))
    assert response.status_code == 400
    assert "a file where text was expected" in response.get_data(as_text=True)
    assert applications() == 0


# --- the home page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["99999999999999999999", "-1", "0", "abc", "1e9", "²"])
def test_any_page_number_on_the_home_page_shows_a_page(client, program, page):
    response = client.get(f"/?page={page}")
    assert response.status_code == 200
    assert "Fall Organizing" in response.get_data(as_text=True)


@pytest.mark.app_config(ENV="development")  # "Sent mail" exists only in development
@pytest.mark.parametrize("path", ["/admin/mail", "/admin/concerns", "/hours/approvals"])
def test_a_huge_page_number_on_a_staff_list_shows_the_first_page(client, admin, path):
    sign_in(client, admin)
    assert client.get(f"{path}?page=99999999999999999999").status_code == 200
    assert client.get(f"{path}?page=0").status_code == 200


# --- two first scores at the same moment -----------------------------------------------------------


def test_two_first_scores_by_the_same_reviewer_at_once_are_a_409_not_a_500(client, program, supervisor, monkeypatch):
    criterion = RubricCriterionFactory(program=program, name="Organised")
    application = ApplicationFactory(program=program)
    db.session.commit()
    sign_in(client, supervisor)
    # The other tab's review lands between this request reading "no review yet" and saving its own.
    real_own_review = reviews.own_review

    def own_review_then_the_other_tab_saves(application, reviewer):
        found = real_own_review(application, reviewer)
        db.session.execute(
            insert(Review).values(
                application_id=application.id, reviewer_id=reviewer.id, comment="", created_at=utcnow()
            )
        )
        return found

    monkeypatch.setattr(reviews, "own_review", own_review_then_the_other_tab_saves)
    response = client.post(
        f"/review/applications/{application.id}/score", data={f"score_{criterion.id}": "4", "comment": "Good"}
    )
    assert response.status_code == 409
    assert "at the same moment" in response.get_data(as_text=True)


# --- the database going away -----------------------------------------------------------------------


DATABASE_GONE = "The portal cannot reach its database right now. Try again in a minute."


def _gone(*args, **kwargs):
    raise OperationalError("SELECT …", {}, Exception("server closed the connection unexpectedly"))


def the_database_goes_away(patch: pytest.MonkeyPatch) -> None:
    """From now on every query fails as when the database server goes away."""
    for name in ("execute", "scalar", "scalars", "get"):
        patch.setattr(Session, name, _gone)


@pytest.fixture
def database_gone(monkeypatch):
    the_database_goes_away(monkeypatch)


def test_the_database_going_away_mid_request_is_a_503_retry_page(client, program, database_gone):
    response = client.get("/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert DATABASE_GONE in response.get_data(as_text=True)


def test_a_signed_in_person_gets_the_retry_page_too(client, program, supervisor):
    sign_in(client, supervisor)
    assert client.get("/review/").status_code == 200
    with pytest.MonkeyPatch.context() as patch:
        the_database_goes_away(patch)
        response = client.get("/review/")
    assert response.status_code == 503 and DATABASE_GONE in response.get_data(as_text=True)


def test_a_database_that_cannot_be_reached_at_all_is_a_503(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "ENV": "testing",
            "DATABASE_URL": "postgresql://portal@127.0.0.1:9/gone?connect_timeout=2",  # nothing listens on port 9
            "SECRET_KEY": "test-secret-key-that-is-long-enough-123",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        }
    )
    response = app.test_client().get("/")
    assert response.status_code == 503 and DATABASE_GONE in response.get_data(as_text=True)


def test_a_constraint_error_is_still_a_bug_not_an_outage(app, client, program, monkeypatch):
    def broken(*args, **kwargs):
        raise IntegrityError("INSERT …", {}, Exception("duplicate key"))

    monkeypatch.setattr(Session, "execute", broken)
    with pytest.raises(IntegrityError):  # TESTING propagates it: in production it is the 500 page and the log
        client.get("/")


# --- property-based: random values in every form field and every query-string argument -------------

#: Query-string arguments the pages read with ``request.args`` (the filter forms' own fields are read off
#: each page's GET forms as well).
QUERY_ARGUMENTS = ("page", "edit", "archived", "show", "placement", "month", "next", "sort", "status", "program", "q")

_NASTY = [
    "", " ", "0", "-1", "1.5", "99999999999999999999", "1e309", "nan", "²", "١٢", "2026-02-30", "0001-01-01",
    "9999-12-31", "\x00", "\ufeff", "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "%00", "\r\n",
    "x" * 4000,  # gunicorn refuses a request line over 4094 bytes: longer query values never reach the app
]
text_values = st.one_of(
    st.sampled_from(_NASTY),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40),
    st.integers().map(str),
)
field_values = st.one_of(
    text_values,
    st.sampled_from(["x" * 100_000, "é" * 300_000]),  # far over any field's limit, under the form memory limit
    st.lists(text_values, min_size=2, max_size=3),  # a field sent twice (several choices, or tampering)
)
file_values = st.binary(max_size=64).map(lambda data: (io.BytesIO(data), "file.pdf"))
PROPERTY_SETTINGS = settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ROUTES = [route for route in ALL_ROUTES if route.endpoint != "static"]
#: The forms found on the pages, per database backend: the same world gives the same pages, so crawl once.
_FORMS: dict[str, dict[tuple[str, str], set[str]]] = {}


class _Forms(HTMLParser):
    """Each ``<form>`` on a page: its method, action and the names of its fields."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url, self.forms, self._current = page_url, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urlsplit(attrs.get("action") or self.page_url).path or self.page_url
            self._current = ((attrs.get("method") or "get").upper(), action, set())
            self.forms.append(self._current)
        elif tag in ("input", "select", "textarea", "button") and self._current and attrs.get("name"):
            self._current[2].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _visitor(route) -> str:
    """Someone the table lets through this route's door (its forms only show to them)."""
    policy = POLICY[route.endpoint]
    allowed = [role for role in ("admin", "supervisor", "intern", "anonymous") if getattr(policy, role) == OK]
    return (allowed or ["anonymous"])[0]


def _forms_on_every_page(app, world) -> dict[tuple[str, str], set[str]]:
    """(method, path) → the field names of the forms that send there, from every page each visitor sees."""
    found: dict[tuple[str, str], set[str]] = {}
    pages = [world.url(route) for route in ROUTES if route.method == "GET"]
    edit = {
        "admin.program_categories": world.by_endpoint["admin.program_category_save"]["item_id"],
        "admin.program_review": world.by_endpoint["admin.program_criterion_save"]["item_id"],
        "admin.program_questions": world.values["question_id"],
    }
    pages += [f"{world.url(route)}?edit={edit[route.endpoint]}" for route in ROUTES if route.endpoint in edit]
    for url in pages:
        for role in ("admin", "supervisor", "intern", "anonymous"):
            response = world.client(app, role).get(url)
            if response.status_code != 200 or not response.mimetype == "text/html":
                continue
            parser = _Forms(url)
            parser.feed(response.get_data(as_text=True))
            for method, action, names in parser.forms:
                found.setdefault((method, action), set()).update(names)
    return found


@pytest.mark.app_config(ENV="development")
@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_random_values_in_any_form_or_query_never_give_a_5xx(app, program, supervisor, intern, admin, placement, route):
    world = build_world(program, supervisor, intern, admin, placement)
    url = world.url(route)
    backend = db.engine.dialect.name
    if backend not in _FORMS:
        _FORMS[backend] = _forms_on_every_page(app, world)
    forms = _FORMS[backend]
    names = sorted(forms.get((route.method, url), set()) - {"csrf_token"})
    if route.method == "POST" and not names:  # a form only some states show (or buttons alone): any field seen
        names = sorted(set().union(*forms.values()) - {"csrf_token"})
    if route.method == "GET":
        names = sorted(set(names) | set(QUERY_ARGUMENTS))
    client = world.client(app, _visitor(route))

    @PROPERTY_SETTINGS
    @given(
        values=st.fixed_dictionaries({}, optional={name: field_values for name in names}),
        file_in=st.one_of(st.none(), st.sampled_from(names)),  # now and then, a file in one of the fields
    )
    def send(values, file_in):
        if file_in is not None and route.method == "POST":
            values = {**values, file_in: (io.BytesIO(b"%PDF-1.4 not really"), "file.pdf")}
        if route.method == "GET":
            query = {name: value for name, value in values.items() if isinstance(value, str | list)}
            query = {name: value for name, value in query.items() if len(value) < 5000}
            response = client.get(url, query_string=query)
        else:
            response = client.post(url, data=values, content_type="multipart/form-data")
        assert response.status_code < 500, (route.name, response.status_code)

    send()
