"""What an applicant sees on the public pages: the list of internships, a posting, the error pages."""

from __future__ import annotations

from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from factories import ProgramFactory, StipendTierFactory
from flask import abort, flash, render_template_string
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from wtforms import Form, RadioField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from portal import create_app
from portal.extensions import db
from portal.models import ProgramState

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
FOCUSABLE_TAGS = {"a", "button", "input", "select", "textarea"}


class Page(HTMLParser):
    """A parsed response: the text of each element, and the attributes of every element in order."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self._open: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.elements.append(element)
        if tag not in VOID_TAGS:
            self._open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.elements.append({"tag": tag, "attrs": dict(attrs), "text": ""})

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index]["tag"] == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data

    def find_all(self, tag: str, **attrs) -> list[dict]:
        return [
            element
            for element in self.elements
            if element["tag"] == tag and all(element["attrs"].get(name) == value for name, value in attrs.items())
        ]

    def texts(self, tag: str, **attrs) -> list[str]:
        return [" ".join(element["text"].split()) for element in self.find_all(tag, **attrs)]

    def text_of(self, tag: str, **attrs) -> str:
        (text,) = self.texts(tag, **attrs)
        return text

    @property
    def main_text(self) -> str:
        return self.text_of("main")

    def first_focusable(self) -> dict:
        return next(element for element in self.elements if element["tag"] in FOCUSABLE_TAGS)


def get_page(client, url: str, status: int = 200) -> Page:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return Page(response.get_data(as_text=True))


def long_date(day: date) -> str:
    months = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")
    return f"{day.day} {months[day.month - 1]} {day.year}"


def closed_program(today: date, **fields):
    return ProgramFactory(
        applications_open=today - timedelta(days=60), applications_close=today - timedelta(days=1), **fields
    )


def upcoming_program(today: date, **fields):
    return ProgramFactory(
        applications_open=today + timedelta(days=10), applications_close=today + timedelta(days=40), **fields
    )


# ---- home ---------------------------------------------------------------------------------------


def test_home_lists_open_programs_with_their_details_and_not_closed_ones(client, today):
    ProgramFactory(
        title="Fall Organizing Internship",
        organisation="Organizing 2.0",
        location="New York, NY",
        summary="Learn digital organizing with a volunteer-run team.",
        applications_close=today + timedelta(days=5),
    )
    closed_program(today, title="Last Spring Internship")

    page = get_page(client, "/")

    open_section = page.text_of("section", **{"aria-labelledby": "open-heading"})
    assert "Fall Organizing Internship" in open_section
    assert "Organizing 2.0 · New York, NY" in open_section
    assert "Learn digital organizing with a volunteer-run team." in open_section
    assert f"Apply by {long_date(today + timedelta(days=5))}" in open_section
    assert "Last Spring Internship" not in page.main_text
    assert any(link["attrs"].get("href", "").startswith("/programs/program-") for link in page.find_all("a"))


def test_home_shows_an_upcoming_program_with_its_opening_date_apart_from_the_open_ones(client, today):
    ProgramFactory(title="Open Now Internship")
    upcoming_program(today, title="Next Season Internship")

    page = get_page(client, "/")

    open_section = page.text_of("section", **{"aria-labelledby": "open-heading"})
    upcoming_section = page.text_of("section", **{"aria-labelledby": "upcoming-heading"})
    assert "Open Now Internship" in open_section and "Next Season Internship" not in open_section
    assert upcoming_section.startswith("Opening soon")
    assert "Next Season Internship" in upcoming_section
    assert f"Applications open {long_date(today + timedelta(days=10))}" in upcoming_section


def test_home_says_so_when_nothing_is_open(client, today):
    closed_program(today, title="Old Internship")

    page = get_page(client, "/")

    assert "No internships are open for applications right now." in page.main_text
    assert "Old Internship" not in page.main_text
    assert page.find_all("section", **{"aria-labelledby": "upcoming-heading"}) == []


def test_home_lists_only_published_programs(client, today):
    ProgramFactory(title="Published Internship")
    ProgramFactory(title="Draft Internship", state=ProgramState.DRAFT, published_at=None)
    ProgramFactory(title="Closed Early Internship", state=ProgramState.CLOSED)
    ProgramFactory(title="Archived Internship", state=ProgramState.ARCHIVED)
    upcoming_program(today, title="Upcoming Draft", state=ProgramState.DRAFT, published_at=None)

    page = get_page(client, "/")

    assert page.texts("h3") == ["Published Internship"]
    assert page.find_all("section", **{"aria-labelledby": "upcoming-heading"}) == []


def test_home_pages_through_many_programs(client, today):
    for number in range(21):
        ProgramFactory(title=f"Internship number {number:02d}", applications_open=today - timedelta(days=21 - number))

    first = get_page(client, "/")
    second = get_page(client, "/?page=2")

    assert len(first.texts("h3")) == 20 and first.texts("h3")[0] == "Internship number 00"
    assert "Page 1 of 2" in first.main_text
    assert [link["attrs"]["href"] for link in first.find_all("a", rel="next")] == ["/?page=2"]
    assert second.texts("h3") == ["Internship number 20"]
    get_page(client, "/?page=3", status=404)


# ---- posting ------------------------------------------------------------------------------------


BODY = """## About Organizing 2.0

A New York-based organization building power for workers.

## What you will learn

You will learn a lot.

- How to plan events
- Online marketing

And then some more.
On two lines.

## How to apply

Write to [the team](mailto:jobs@example.org) or read [our site](https://example.org/about).
"""


def test_posting_shows_the_title_summary_and_the_body_rendered_from_markdown(client):
    program = ProgramFactory(title="Organizing 2.0 Fall Internship", summary="Do you support social justice?",
                             body=BODY)

    page = get_page(client, f"/programs/{program.slug}")

    assert page.texts("h1") == ["Organizing 2.0 Fall Internship"]
    assert "Do you support social justice?" in page.main_text
    headings = page.texts("h2")
    body_headings = [h for h in headings if h in ("About Organizing 2.0", "What you will learn", "How to apply")]
    assert body_headings == ["About Organizing 2.0", "What you will learn", "How to apply"]  # in the body's order
    assert headings.index("Key facts") < headings.index("About Organizing 2.0")
    assert [h["attrs"]["id"] for h in page.find_all("h2") if h["text"] == "How to apply"] == ["section-how-to-apply"]
    assert "How to plan events" in page.texts("li") and "Online marketing" in page.texts("li")
    assert "You will learn a lot." in page.texts("p")
    assert "And then some more. On two lines." in page.texts("p")
    assert "- How to plan events" not in page.main_text
    links = {link["text"]: link["attrs"]["href"] for link in page.find_all("a")}
    assert links["the team"] == "mailto:jobs@example.org" and links["our site"] == "https://example.org/about"


def test_an_upcoming_posting_has_no_apply_button_but_keeps_its_how_to_apply_section(client, today):
    program = upcoming_program(today, body=BODY)

    page = get_page(client, f"/programs/{program.slug}")

    assert "Apply for this internship" not in page.main_text
    assert page.texts("h2").count("How to apply") == 1


def test_html_in_program_text_is_shown_as_text_not_run(client):
    program = ProgramFactory(
        title="Intern <b>now</b>",
        summary='<script>alert("x")</script>',
        body="- <img src=x onerror=alert(1)>\n\nTom & Jerry's <i>collective</i> [click](javascript:alert(1))",
    )

    response = client.get(f"/programs/{program.slug}")
    html = response.get_data(as_text=True)
    page = Page(html)

    assert page.texts("h1") == ["Intern <b>now</b>"]
    assert '<script>alert("x")</script>' in page.main_text
    assert "<img src=x onerror=alert(1)>" in page.texts("li")
    assert "Tom & Jerry's <i>collective</i>" in page.main_text
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert page.find_all("img") == [] and page.find_all("b") == [] and page.find_all("i") == []
    assert not [link for link in page.find_all("a") if "javascript" in link["attrs"].get("href", "")]


def test_key_facts_show_the_program_settings(client):
    program = ProgramFactory()

    facts = get_page(client, f"/programs/{program.slug}").text_of("section", **{"aria-labelledby": "key-facts-heading"})

    assert "At least 15 h a week, up to 40 h" in facts
    assert "At least 12 weeks" in facts
    assert "For interns who commit to 25 h a week or more" in facts
    assert "Under 25 h a week on average: no stipend" in facts
    assert "25 h to under 30 h a week on average: $500.00 a month" in facts
    assert "30 h to under 35 h a week on average: $750.00 a month" in facts
    assert "35 h or more a week on average: $1,000.00 a month" in facts
    assert f"Between {long_date(program.start_window_start)} and {long_date(program.start_window_end)}" in facts


def test_key_facts_change_when_the_settings_change(client):
    program = ProgramFactory(min_week_minutes=20 * 60, max_week_minutes=30 * 60, min_weeks=10,
                             stipend_min_week_minutes=22 * 60 + 30)
    StipendTierFactory(program=program, min_average_minutes=0, monthly_cents=0)
    StipendTierFactory(program=program, min_average_minutes=22 * 60 + 30, monthly_cents=60_050)

    facts = get_page(client, f"/programs/{program.slug}").text_of("section", **{"aria-labelledby": "key-facts-heading"})

    assert "At least 20 h a week, up to 30 h" in facts
    assert "At least 10 weeks" in facts
    assert "For interns who commit to 22 h 30 min a week or more" in facts
    assert "Under 22 h 30 min a week on average: no stipend" in facts
    assert "22 h 30 min or more a week on average: $600.50 a month" in facts
    assert "$500.00" not in facts and "15 h" not in facts and "12 weeks" not in facts


def test_a_program_without_paid_tiers_says_there_is_no_stipend(client):
    program = ProgramFactory()
    StipendTierFactory(program=program, min_average_minutes=0, monthly_cents=0)

    facts = get_page(client, f"/programs/{program.slug}").text_of("section", **{"aria-labelledby": "key-facts-heading"})

    assert "Stipend No stipend" in facts and "$" not in facts


@pytest.mark.parametrize(
    ("opens", "closes", "expected"),
    [
        (-30, 30, "Applications are open until {close}"),
        (10, 40, "Applications open on {open}"),
        (-60, -1, "Applications closed on {close}"),
    ],
    ids=["open", "not-yet-open", "closed"],
)
def test_posting_says_whether_applications_are_open(client, opens, closes, expected, today):
    program = ProgramFactory(
        applications_open=today + timedelta(days=opens), applications_close=today + timedelta(days=closes)
    )

    page = get_page(client, f"/programs/{program.slug}")

    sentence = expected.format(open=long_date(program.applications_open), close=long_date(program.applications_close))
    assert sentence in page.text_of("section", **{"aria-labelledby": "key-facts-heading"})
    if opens > 0 or closes < 0:
        assert "Apply for this internship" not in page.main_text


def test_posting_links_to_the_application_form_while_applications_are_open(app, client):
    if "public.apply" not in app.view_functions:
        app.add_url_rule("/programs/<slug>/apply", endpoint="public.apply", view_func=lambda slug: "the form")
    open_program = ProgramFactory()

    page = get_page(client, f"/programs/{open_program.slug}")

    apply_links = [link for link in page.find_all("a") if link["text"] == "Apply for this internship"]
    assert apply_links and {link["attrs"]["href"] for link in apply_links} == {f"/programs/{open_program.slug}/apply"}


def test_unknown_program_gets_the_friendly_not_found_page(client):
    page = get_page(client, "/programs/no-such-internship", status=404)

    assert page.texts("h1") == ["Page not found"]
    assert "We could not find the page you asked for." in page.main_text
    assert any(link["attrs"]["href"] == "/" for link in page.find_all("a") if link["text"].startswith("See all"))


def test_a_posting_page_issues_the_same_number_of_queries_however_many_tiers(app, client):
    few = ProgramFactory()
    StipendTierFactory(program=few, min_average_minutes=25 * 60, monthly_cents=50_000)
    many = ProgramFactory()
    for hours in range(20, 40):
        StipendTierFactory(program=many, min_average_minutes=hours * 60, monthly_cents=hours * 1000)
    client.get("/")  # warm the connection pool so connecting does not count

    with count_queries() as few_queries:
        get_page(client, f"/programs/{few.slug}")
    with count_queries() as many_queries:
        page = get_page(client, f"/programs/{many.slug}")

    assert "39 h or more a week on average: $390.00 a month" in page.main_text
    assert len(many_queries) == len(few_queries) <= 3


def test_the_home_page_issues_the_same_number_of_queries_however_many_programs(app, client):
    ProgramFactory()
    client.get("/")
    with count_queries() as one_program:
        get_page(client, "/")
    for _ in range(10):
        ProgramFactory()
    with count_queries() as eleven_programs:
        page = get_page(client, "/")

    assert len(page.texts("h3")) == 11
    assert len(eleven_programs) == len(one_program) <= 3


class count_queries:  # noqa: N801 - reads as a statement: with count_queries() as queries
    def __enter__(self) -> list[str]:
        self.statements: list[str] = []
        event.listen(db.engine, "before_cursor_execute", self._record)
        return self.statements

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    def __exit__(self, *exc_info) -> None:
        event.remove(db.engine, "before_cursor_execute", self._record)


# ---- every page ---------------------------------------------------------------------------------


@pytest.fixture
def page_urls(client):
    program = ProgramFactory()
    return {"home": ("/", 200), "posting": (f"/programs/{program.slug}", 200), "not found": ("/nowhere", 404)}


def test_every_page_has_one_h1_a_skip_link_first_and_landmarks(client, page_urls):
    for name, (url, status) in page_urls.items():
        page = get_page(client, url, status=status)

        assert len(page.find_all("h1")) == 1, name
        first = page.first_focusable()
        assert first["tag"] == "a" and first["attrs"]["href"] == "#main" and first["text"] == "Skip to main content"
        assert len(page.find_all("main", id="main")) == 1, name
        assert page.find_all("header") and page.find_all("footer") and page.find_all("nav"), name
        assert page.find_all("html", lang="en"), name
        assert page.find_all("meta", name="viewport"), name
        assert page.texts("title")[0].endswith("– Organizing 2.0"), name


def test_every_page_is_sent_with_a_strict_content_security_policy_and_needs_no_inline_code(client, page_urls):
    for name, (url, status) in page_urls.items():
        response = client.get(url)
        assert response.status_code == status
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, name
        page = Page(response.get_data(as_text=True))
        # The CSP would block these, so the page would look or work broken if it used them.
        assert not [element for element in page.elements if "style" in element["attrs"]], name
        assert page.find_all("style") == [], name
        assert all(element["attrs"].get("src") for element in page.find_all("script")), name
        stylesheets = page.find_all("link", rel="stylesheet")
        assert [sheet["attrs"]["href"] for sheet in stylesheets] == ["/static/css/portal.css"]
        assert client.get("/static/css/portal.css").status_code == 200


def test_flashed_messages_are_announced_errors_as_alerts(app, client):
    @app.get("/flash-test")
    def flash_test():
        flash("Your application was sent.", "success")
        flash("We could not send the email.", "error")
        return render_template_string('{% extends "base.html" %}{% block content %}<h1>Done</h1>{% endblock %}')

    page = get_page(client, "/flash-test")

    assert page.texts("p", role="status") == ["Your application was sent."]
    assert page.texts("p", role="alert") == ["We could not send the email."]


# ---- error pages --------------------------------------------------------------------------------


@pytest.mark.app_config(PROPAGATE_EXCEPTIONS=False)
def test_an_unexpected_error_shows_the_friendly_500_page(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    page = get_page(client, "/boom", status=500)

    assert page.texts("h1") == ["Sorry, something went wrong on our side"]
    assert "Please try again in a few minutes." in page.main_text
    assert "secret internal detail" not in page.main_text and "Traceback" not in page.main_text
    assert [link["attrs"]["href"] for link in page.find_all("a") if link["text"] == "Go to the home page"] == ["/"]


def test_the_retry_page_shows_when_the_database_is_down(tmp_path):
    app = create_app({
        "TESTING": True,
        "PROPAGATE_EXCEPTIONS": False,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-123",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'missing-directory' / 'portal.db'}",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "RATELIMIT_ENABLED": False,
    })

    response = app.test_client().get("/")

    assert response.status_code == 503 and response.headers["Retry-After"] == "60"  # not a 500: nothing is broken
    assert Page(response.get_data(as_text=True)).texts("h1") == ["The portal cannot reach its database right now"]


@pytest.mark.parametrize(
    ("status", "heading", "advice"),
    [
        (403, "You do not have access to this page", "ask the person who runs the internship program"),
        (429, "Too many attempts", "Please wait a few minutes, then try again."),
    ],
)
def test_forbidden_and_too_many_requests_pages_say_what_to_do(app, client, status, heading, advice):
    app.add_url_rule("/refused", endpoint="refused", view_func=lambda: abort(status))

    page = get_page(client, "/refused", status=status)

    assert page.texts("h1") == [heading]
    assert advice in page.main_text
    assert "/" in [link["attrs"]["href"] for link in page.find_all("a") if link["text"] == "Go to the home page"]


def test_a_refused_form_shows_the_reason_and_what_to_do(app, client):
    def refuse():
        raise CSRFError("The CSRF session token has expired.")

    app.add_url_rule("/stale-form", endpoint="stale_form", view_func=refuse, methods=["POST"])

    response = client.post("/stale-form")
    page = Page(response.get_data(as_text=True))

    assert response.status_code == 400
    assert page.texts("h1") == ["We could not accept that request"]
    assert "What went wrong: The CSRF session token has expired." in page.main_text
    assert "reload the page, then send the form again" in page.main_text


# ---- form macros (used by the application form and every later form) -----------------------------


class ContactForm(Form):
    email = StringField(
        "Email address",
        validators=[DataRequired(), Regexp(".+@.+", message="Enter an email address like name@example.org")],
    )
    nickname = StringField("Nickname", description="What we should call you.")
    stipend = RadioField(
        "Do you want a stipend?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        validators=[DataRequired()],
    )
    skills = SelectMultipleField(
        "Skills",
        choices=[SelectChoice("design", "Design"), SelectChoice("video", "Video")],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(message="Choose at least one skill")],
    )


FORM_TEMPLATE = """
{% from "_macros/forms.html" import error_summary, field, radio_field %}
<form method="post" novalidate>{{ error_summary(form) }}{{ field(form.email, autocomplete="email") }}
{{ field(form.nickname) }}{{ radio_field(form.stipend) }}{{ radio_field(form.skills) }}</form>
"""


def test_form_macros_put_each_error_beside_its_field_and_link_to_it_from_a_summary(app):
    from werkzeug.datastructures import MultiDict

    form = ContactForm(MultiDict({"email": "not-an-email", "nickname": "Sam"}))
    assert not form.validate()
    with app.test_request_context():
        page = Page(render_template_string(FORM_TEMPLATE, form=form))

    summary = page.find_all("div", role="alert")
    assert len(summary) == 1 and "There is a problem" in summary[0]["text"]
    links = {link["attrs"]["href"]: " ".join(link["text"].split()) for link in page.find_all("a")}
    assert links["#email"] == "Enter an email address like name@example.org"
    assert "#stipend-0" in links and page.find_all("input", id="stipend-0", type="radio")

    (email,) = page.find_all("input", id="email")
    assert email["attrs"]["aria-invalid"] == "true" and email["attrs"]["value"] == "not-an-email"
    assert email["attrs"]["autocomplete"] == "email"
    described = email["attrs"]["aria-describedby"].split()
    assert page.texts("p", id=described[0]) == ["Error: Enter an email address like name@example.org"]
    assert page.texts("label", **{"for": "email"}) == ["Email address"]

    (nickname,) = page.find_all("input", id="nickname")
    assert "aria-invalid" not in nickname["attrs"] and nickname["attrs"]["value"] == "Sam"
    assert page.texts("p", id=nickname["attrs"]["aria-describedby"]) == ["What we should call you."]
    assert page.texts("label", **{"for": "nickname"}) == ["Nickname (optional)"]

    stipend, skills = page.find_all("fieldset")
    assert page.texts("legend") == ["Do you want a stipend?", "Skills"]
    assert page.find_all("p", id=stipend["attrs"]["aria-describedby"])
    assert page.texts("p", id=skills["attrs"]["aria-describedby"]) == ["Error: Choose at least one skill"]
    assert links["#skills-0"] == "Choose at least one skill"
    assert page.find_all("input", id="skills-0", type="checkbox")
