"""The application form says which fields are required and which are "(optional)", as the server checks them.

The fixed part has fixed ids; the program's own questions (here the demo's) are named by their key and
found on the page under their field's id, ``q_<question id>``.
"""

from __future__ import annotations

import re

import pytest
from factories import ProgramFactory, add_demo_questions

# Every field the server refuses when empty, by its id (or question key); the label text is what the person reads.
REQUIRED = {
    "full_name": "Full name",
    "email": "Email address",
    "city": "City where you live",
    "hours_per_week": "Hours a week you can commit",
    "earliest_start": "Earliest start date",
    "weeks_available": "Number of weeks you are available",
    "why_this_internship": "Why do you want this internship?",
    "current_events": "How do you follow current events and use social media?",
    "organised_deadlines": "Tell us about a time you organised yourself around deadlines.",
    "bold_idea": "Tell us about a time you were bold or thought outside the box.",
    "resume": "Resume",
}
REQUIRED_QUESTIONS = {  # radios: a fieldset with a legend
    "student": "Are you a student?",
    "wants_credit": "Would you like school credit for this internship?",
    "seeks_stipend": "Are you seeking a stipend?",
}
OPTIONAL = {
    "preferred_name": "Preferred name",
    "pronouns": "Pronouns",
    "phone": "Phone number",
    "major": "Major or field of study",
    "leadership": "Leadership experience",
    "link_1": "Link 1",
    "heard_about": "How did you hear about us?",
    "accommodations": "Accommodations you would like",
    "sid_gender_self": "My gender, in my words",
}
OPTIONAL_QUESTIONS = {
    "skills": "Skills you have",
    "sid_gender": "Gender",
    "sid_race": "Race or ethnicity (choose all that apply)",
    "sid_lgbtq": "Do you identify as LGBTQ+?",
}


@pytest.fixture
def field_ids(app) -> dict[str, str]:
    """The demo's questions on the program "fall": each question key → its field's id on the form."""
    questions = add_demo_questions(ProgramFactory(slug="fall", title="Fall Internship"))
    return {key: f"q_{question.id}" for key, question in questions.items()}


@pytest.fixture
def form_page(client, field_ids):
    response = client.get("/programs/fall/apply")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def visible_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def label_of(html: str, field_id: str) -> str:
    match = re.search(rf'<label for="{field_id}">(.*?)</label>', html, re.S)
    assert match, f"no label for {field_id}"
    return visible_text(match.group(1))


def legend_of(html: str, field_id: str) -> str:
    """The legend of the fieldset holding the options <id>-0, <id>-1, ..."""
    before_first_option = html[: html.index(f'id="{field_id}-0"')]
    legend = before_first_option[before_first_option.rindex("<legend>") :]
    return visible_text(legend[: legend.index("</legend>")])


def control_of(html: str, field_id: str) -> str:
    match = re.search(rf'<(?:input|textarea|select)\b[^>]*\bid="{field_id}"[^>]*>', html)
    assert match, f"no control with id {field_id}"
    return match.group(0)


@pytest.mark.parametrize("name", REQUIRED)
def test_required_fields_are_labelled_required(form_page, field_ids, name):
    field_id = field_ids.get(name, name)
    assert label_of(form_page, field_id) == REQUIRED[name]  # no "(optional)" beside it
    control = control_of(form_page, field_id)
    assert re.search(r"\srequired[\s>]", control), control  # the browser and screen readers know it too


@pytest.mark.parametrize("field_id", REQUIRED_QUESTIONS)
def test_required_questions_are_not_marked_optional(form_page, field_id):
    assert legend_of(form_page, field_id) == REQUIRED_QUESTIONS[field_id]


@pytest.mark.parametrize("name", OPTIONAL)
def test_optional_fields_say_optional(form_page, field_ids, name):
    field_id = field_ids.get(name, name)
    assert label_of(form_page, field_id) == f"{OPTIONAL[name]} (optional)"
    control = control_of(form_page, field_id)
    assert not re.search(r"\srequired[\s>]", control), control


@pytest.mark.parametrize("name", OPTIONAL_QUESTIONS)
def test_optional_questions_say_optional(form_page, field_ids, name):
    assert legend_of(form_page, field_ids.get(name, name)) == f"{OPTIONAL_QUESTIONS[name]} (optional)"


def test_school_is_not_called_optional_since_students_must_give_it(client, form_page):
    assert label_of(form_page, "school") == "School"
    assert "Needed if you are a student" in visible_text(form_page[form_page.index('id="school-hint"') :])[:80]
    assert not re.search(r"\srequired[\s>]", control_of(form_page, "school"))  # not for non-students
    errors = posted_errors(client, student="student", school="")
    assert errors["school"] == "Enter your school, or choose “No, I am not a student”"


def posted_errors(client, **data) -> dict[str, str]:
    html = client.post("/programs/fall/apply", data=data, content_type="multipart/form-data").get_data(as_text=True)
    return {
        field_id: visible_text(message).replace("Error: ", "")
        for field_id, message in re.findall(r'<p class="field-error" id="(\w+)-error">(.*?)</p>', html, re.S)
    }


def test_the_availability_fields_keep_the_rules_messages(client, field_ids):
    """Marking them required changes no message: empty or mistyped values get the same words as before."""
    empty = posted_errors(client, hours_per_week="", earliest_start="", weeks_available="")
    assert empty["hours_per_week"] == "Enter how many hours a week you can commit"
    assert empty["earliest_start"] == "Enter the earliest date you can start"
    assert empty["weeks_available"] == "Enter how many weeks you are available"
    mistyped = posted_errors(client, hours_per_week="twenty", earliest_start="soon", weeks_available="a few")
    assert mistyped["hours_per_week"] == "Enter a whole number of hours, like 20"
    assert mistyped["earliest_start"] == "Enter a date as year-month-day, for example 2026-09-15"
    assert mistyped["weeks_available"] == "Enter a whole number of weeks, like 12"
