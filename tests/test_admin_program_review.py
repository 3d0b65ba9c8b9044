"""The Review and privacy tab: the rubric (add, change, move, retire, restore, delete), blind review and
retention; and what reviewers and the queue make of a retired criterion."""

from __future__ import annotations

import pytest
from factories import ApplicationFactory, ReviewFactory, ScoreFactory
from session_support import sign_in
from sqlalchemy import select
from test_progress import parse, texts

from portal.database import utcnow
from portal.extensions import db
from portal.models import ApplicationStatus, AuditEvent, RubricCriterion
from portal.rules.ordered_items import DOWN, UP, moved, name_problem
from portal.rules.scores import review_score
from portal.services import ordered_items
from portal.services.errors import Refused
from portal.services.rubric import RUBRIC

pytestmark = pytest.mark.program_settings(rubric=("Knows current events", "Organised", "Writes well"))


def tab(program) -> str:
    return f"/admin/programs/{program.id}/review"


def names_of(model, program, *, active_only=True) -> list[str]:
    """The names of a program's criteria or categories (``model``), in their order."""
    db.session.expire_all()
    rows = db.session.scalars(select(model).where(model.program_id == program.id).order_by(model.position))
    return [row.name for row in rows if not active_only or row.retired_at is None]


def named(model, program, name):
    return db.session.scalar(select(model).where(model.program_id == program.id, model.name == name))


def criteria(program, *, active_only=True) -> list[str]:
    return names_of(RubricCriterion, program, active_only=active_only)


def criterion(program, name) -> RubricCriterion:
    return named(RubricCriterion, program, name)


def act(client, program, name, action):
    return client.post(f"{tab(program)}/criteria/{criterion(program, name).id}/{action}")


def events(prefix) -> list[AuditEvent]:
    db.session.expire_all()
    statement = select(AuditEvent).where(AuditEvent.action.startswith(prefix)).order_by(AuditEvent.id)
    return list(db.session.scalars(statement))


def scored(program, name, value=4):
    """A submitted review of a new application in ``program`` with one score on criterion ``name``."""
    review = ReviewFactory(application__program=program, submitted_at=utcnow())
    return ScoreFactory(review=review, criterion=criterion(program, name), value=value)


# ------------------------------------------------------------------------------------------------
# Who sees the tab


@pytest.mark.parametrize("role", ["supervisor", "intern"])
def test_only_admins_reach_the_tab_and_its_forms(app, client, program, role, request):
    sign_in(client, request.getfixturevalue(role))
    assert client.get(tab(program)).status_code == 403
    assert client.post(f"{tab(program)}/criteria", data={"name": "Sneaky"}).status_code == 403
    assert client.post(f"{tab(program)}/settings", data={"retention_months": "1"}).status_code == 403
    assert client.post(f"{tab(program)}/criteria/{criterion(program, 'Organised').id}/delete").status_code == 403
    assert criteria(program) == ["Knows current events", "Organised", "Writes well"]


def test_a_criterion_of_another_program_is_not_found(app, client, admin, program):
    other = ApplicationFactory().program
    stranger = RubricCriterion(program=other, name="Elsewhere")
    db.session.add(stranger)
    db.session.commit()
    sign_in(client, admin)
    assert client.post(f"{tab(program)}/criteria/{stranger.id}/retire").status_code == 404
    assert client.get(f"{tab(program)}?edit={stranger.id}").status_code == 404
    assert client.post(f"{tab(program)}/criteria/{criterion(program, 'Organised').id}/explode").status_code == 404


# ------------------------------------------------------------------------------------------------
# The rubric


def test_the_tab_lists_the_rubric_in_order_with_its_buttons(app, client, admin, program):
    sign_in(client, admin)
    response = client.get(tab(program))
    assert response.status_code == 200
    page = parse(response.data)
    assert texts(page, "#rubric .item-list .item__name") == ["Knows current events", "Organised", "Writes well"]
    first, _, last = page.query_all("#rubric ol.item-list > li")
    assert "Move up" not in " ".join(texts(first, "button")) and "Move down" in " ".join(texts(first, "button"))
    assert "Move down" not in " ".join(texts(last, "button"))
    assert texts(page, "#rubric-reviews-note") == []  # nobody has reviewed yet


def test_adding_a_criterion_puts_it_last_and_audits_it(app, client, admin, program):
    sign_in(client, admin)
    response = client.post(
        f"{tab(program)}/criteria", data={"name": "  Cares about workers  ", "description": "Knows why unions matter"}
    )
    assert response.status_code == 302
    assert criteria(program)[-1] == "Cares about workers"
    assert criterion(program, "Cares about workers").description == "Knows why unions matter"
    [event] = events("rubric.criterion_added")
    assert event.actor_label == admin.email
    assert event.details["after"] == {"name": "Cares about workers", "description": "Knows why unions matter"}
    page = parse(client.get(response.headers["Location"]).data)
    assert "Added the criterion “Cares about workers”." in " ".join(texts(page, "main"))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give the criterion a name"),
        ("x" * 121, "Keep the name under 120 characters"),
        ("organised", "There is already a criterion called “Organised”"),
    ],
)
def test_a_bad_name_is_refused_beside_the_field_keeping_what_was_typed(app, client, admin, program, name, message):
    sign_in(client, admin)
    response = client.post(f"{tab(program)}/criteria", data={"name": name, "description": "Kept as typed"})
    assert response.status_code == 422
    page = parse(response.data)
    assert message in " ".join(texts(page, "#name-error"))
    assert page.query("#name").etree_element.get("aria-invalid") == "true"
    assert texts(page, "#description") == ["Kept as typed"]
    assert texts(page, ".error-summary a") and not events("rubric.")
    assert criteria(program) == ["Knows current events", "Organised", "Writes well"]


def test_a_retired_criterion_keeps_its_name(app, client, admin, program):
    sign_in(client, admin)
    assert act(client, program, "Writes well", "retire").status_code == 302
    response = client.post(f"{tab(program)}/criteria", data={"name": "Writes Well"})
    assert response.status_code == 422
    message = "A retired criterion is called “Writes well”: restore it"
    assert message in " ".join(texts(parse(response.data), "#name-error"))


def test_changing_a_criterion_audits_before_and_after(app, client, admin, program):
    sign_in(client, admin)
    organised = criterion(program, "Organised")
    page = parse(client.get(f"{tab(program)}?edit={organised.id}").data)
    assert page.query("#name").etree_element.get("value") == "Organised"
    assert texts(page, "#item-form-heading") == ["Change “Organised”"]
    changed = {"name": "Well organised", "description": "Plans ahead"}
    response = client.post(f"{tab(program)}/criteria/{organised.id}", data=changed)
    assert response.status_code == 302
    assert criteria(program) == ["Knows current events", "Well organised", "Writes well"]
    [event] = events("rubric.criterion_changed")
    assert event.details["before"] == {"name": "Organised", "description": ""}
    assert event.details["after"] == {"name": "Well organised", "description": "Plans ahead"}
    # Its own name is not a duplicate of itself; saving it unchanged says so and audits nothing.
    client.post(f"{tab(program)}/criteria/{organised.id}", data=changed)
    assert len(events("rubric.criterion_changed")) == 1
    refused = client.post(f"{tab(program)}/criteria/{organised.id}", data={"name": "Writes well"})
    assert refused.status_code == 422
    assert texts(parse(refused.data), "#item-form-heading") == ["Change “Well organised”"]


def test_moving_criteria_up_and_down(app, client, admin, program):
    sign_in(client, admin)
    assert act(client, program, "Writes well", "up").status_code == 302
    assert criteria(program) == ["Knows current events", "Writes well", "Organised"]
    act(client, program, "Knows current events", "down")
    assert criteria(program) == ["Writes well", "Knows current events", "Organised"]
    response = act(client, program, "Writes well", "up")  # already first: nothing moves
    assert response.status_code == 302
    assert criteria(program) == ["Writes well", "Knows current events", "Organised"]
    assert [event.details["to_position"] for event in events("rubric.criterion_moved")] == [2, 2]
    page = parse(client.get(tab(program)).data)
    assert texts(page, "#rubric .item-list .item__name") == ["Writes well", "Knows current events", "Organised"]


def test_retiring_and_restoring_a_criterion(app, client, admin, program):
    sign_in(client, admin)
    assert act(client, program, "Knows current events", "retire").status_code == 302
    assert criteria(program) == ["Organised", "Writes well"]
    page = parse(client.get(tab(program)).data)
    assert texts(page, ".item-list--retired .item__name") == ["Knows current events Retired"]
    assert "Retired “Knows current events”: new reviews no longer ask it" in " ".join(texts(page, ".flash"))
    assert act(client, program, "Knows current events", "restore").status_code == 302
    assert criteria(program) == ["Organised", "Writes well", "Knows current events"]  # back at the end
    assert [e.action for e in events("rubric.")] == ["rubric.criterion_retired", "rubric.criterion_restored"]


def test_a_criterion_with_scores_is_retired_not_deleted(app, client, admin, program):
    scored(program, "Organised")
    sign_in(client, admin)
    page = parse(client.get(tab(program)).data)
    organised = page.query(f"#item-{criterion(program, 'Organised').id}")
    assert "Delete" not in " ".join(texts(organised, "button"))
    assert texts(organised, ".item__uses") == ["1 score"]
    assert texts(page, "#rubric-reviews-note")[0].startswith("1 review has been submitted for this program.")
    response = act(client, program, "Organised", "delete")
    assert response.status_code == 422
    page = parse(response.data)
    message = "This criterion has scores; retire it instead so old scores keep their meaning"
    assert texts(page, f"#item-{criterion(program, 'Organised').id}-error") == [f"Error: {message}"]
    assert texts(page, ".error-summary a") == [message]
    assert "Organised" in criteria(program) and not events("rubric.criterion_deleted")


def test_an_unused_criterion_is_deleted(app, client, admin, program):
    sign_in(client, admin)
    assert act(client, program, "Organised", "delete").status_code == 302
    assert criteria(program, active_only=False) == ["Knows current events", "Writes well"]
    [event] = events("rubric.criterion_deleted")
    assert event.details["before"] == {"name": "Organised", "description": ""}


@pytest.mark.program_settings(rubric=("Only one",))
@pytest.mark.parametrize("action", ["retire", "delete"])
def test_the_last_active_criterion_stays(app, client, admin, program, action):
    sign_in(client, admin)
    response = act(client, program, "Only one", action)
    assert response.status_code == 422
    assert "The rubric needs at least one criterion" in " ".join(texts(parse(response.data), ".error-summary"))
    assert criteria(program) == ["Only one"]


# ------------------------------------------------------------------------------------------------
# What reviewers see: only active criteria are asked; old scores keep counting


def test_the_score_form_asks_only_active_criteria(app, client, admin, supervisor, program):
    application = ApplicationFactory(program=program)
    sign_in(client, admin)
    act(client, program, "Organised", "retire")
    sign_in(client, supervisor)
    page = parse(client.get(f"/review/applications/{application.id}").data)
    assert texts(page, ".score-form legend") == ["Knows current events", "Writes well"]
    ids = {name: criterion(program, name).id for name in ("Knows current events", "Writes well")}
    response = client.post(
        f"/review/applications/{application.id}/score",
        data={f"score_{ids['Knows current events']}": "4", f"score_{ids['Writes well']}": "2"},
    )
    assert response.status_code == 302


def test_scores_on_a_retired_criterion_stay_in_their_review_and_its_overall_score(app, client, admin, supervisor,
                                                                                 program):
    """An old review's overall score is the mean of the criteria its reviewer scored, retired ones included;
    revising it keeps the retired criterion's score and asks only the active ones."""
    application = ApplicationFactory(program=program, status=ApplicationStatus.IN_REVIEW)
    review = ReviewFactory(application=application, reviewer=supervisor, submitted_at=utcnow())
    for name, value in (("Knows current events", 5), ("Organised", 1), ("Writes well", 3)):
        ScoreFactory(review=review, criterion=criterion(program, name), value=value)
    sign_in(client, admin)
    act(client, program, "Organised", "retire")
    queue = parse(client.get("/review/").data)
    assert "3.00" in " ".join(texts(queue, "main"))  # (5 + 1 + 3) / 3, as before retiring
    others = parse(client.get(f"/review/applications/{application.id}").data)
    rows = ["Knows current events", "Organised (retired)", "Writes well", "Comment"]
    assert texts(others, "#reviews tbody th") == rows
    sign_in(client, supervisor)
    ids = {name: criterion(program, name).id for name in ("Knows current events", "Writes well")}
    response = client.post(
        f"/review/applications/{application.id}/score",
        data={f"score_{ids['Knows current events']}": "4", f"score_{ids['Writes well']}": "4"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    values = sorted(score.value for score in review.scores)
    assert values == [1, 4, 4]  # the retired criterion's 1 is kept
    assert review_score(values) == pytest.approx(3.0)


# ------------------------------------------------------------------------------------------------
# Blind review and retention


def test_saving_blind_review_and_retention_is_audited(app, client, admin, program):
    ApplicationFactory(program=program, status=ApplicationStatus.IN_REVIEW)
    sign_in(client, admin)
    page = parse(client.get(tab(program)).data)
    assert page.query("#retention_months").etree_element.get("value") == "12"
    assert "1 application is under review now." in " ".join(texts(page, "#blind-review-warning"))
    response = client.post(f"{tab(program)}/settings", data={"blind_review": "y", "retention_months": "18"})
    assert response.status_code == 302
    db.session.refresh(program)
    assert program.blind_review and program.retention_months == 18
    [event] = events("program.review_settings_changed")
    assert event.details["before"] == {"blind_review": False, "retention_months": 12}
    assert event.details["after"] == {"blind_review": True, "retention_months": 18}
    assert event.details["under_review"] == 1
    page = parse(client.get(response.headers["Location"]).data)
    flash = " ".join(texts(page, ".flash"))
    assert "Blind review is on: reviewers of the 1 application under review no longer see names" in flash
    assert page.query("#blind_review").etree_element.get("checked") is not None
    assert "Turning blind review off shows their reviewers the names" in " ".join(texts(page, "#blind-review-warning"))


def test_saving_the_same_settings_changes_nothing(app, client, admin, program):
    sign_in(client, admin)
    response = client.post(f"{tab(program)}/settings", data={"retention_months": "12"})
    assert response.status_code == 302
    assert "Nothing changed." in " ".join(texts(parse(client.get(tab(program)).data), ".flash"))
    assert not events("program.review_settings_changed")


@pytest.mark.parametrize("months", ["0", "121", "twelve", "6.5", "", "-3"])
def test_retention_outside_1_to_120_months_is_refused_beside_the_field(app, client, admin, program, months):
    sign_in(client, admin)
    response = client.post(f"{tab(program)}/settings", data={"blind_review": "y", "retention_months": months})
    assert response.status_code == 422
    page = parse(response.data)
    assert texts(page, "#retention_months-error") == ["Error: Enter a whole number of months from 1 to 120"]
    assert page.query("#retention_months").etree_element.get("value", "") == months
    assert page.query("#blind_review").etree_element.get("checked") is not None  # what was ticked is kept
    db.session.refresh(program)
    assert program.retention_months == 12 and not program.blind_review



def test_the_same_name_added_at_the_same_moment_is_refused_not_a_500(app, admin, program, monkeypatch):
    """A double click: both requests pass the name check before either is saved; the database says no."""
    monkeypatch.setattr(ordered_items, "check_name", lambda *args, **kwargs: None)
    with pytest.raises(Refused) as refused:
        ordered_items.add(RUBRIC, program, {"name": "Organised", "description": ""}, actor=admin)
    db.session.rollback()
    assert refused.value.field == "name" and "already a criterion called “Organised”" in refused.value.message
    assert criteria(program) == ["Knows current events", "Organised", "Writes well"]


# ------------------------------------------------------------------------------------------------
# The pure rules both lists follow (no app)


@pytest.mark.parametrize(
    ("order", "item", "step", "after"),
    [
        ([1, 2, 3], 3, UP, [1, 3, 2]),
        ([1, 2, 3], 1, DOWN, [2, 1, 3]),
        ([1, 2, 3], 1, UP, [1, 2, 3]),  # already first
        ([1, 2, 3], 3, DOWN, [1, 2, 3]),  # already last
        ([1, 2, 3], 2, 5, [1, 2, 3]),  # only one place at a time
    ],
)
def test_moving_one_place(order, item, step, after):
    assert moved(order, item, step) == after


def test_names_are_compared_ignoring_case_and_repeated_spaces():
    others = [("Event planning", False), ("Office support", True)]
    assert "already a category called “Event planning”" in name_problem(" event   PLANNING", others, noun="category")
    assert "A retired category is called “Office support”" in name_problem("office support", others, noun="category")
    assert name_problem("Phone banking", others, noun="category") is None
    assert name_problem("   ", others, noun="category") == "Give the category a name"
