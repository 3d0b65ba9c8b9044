"""The Activity categories tab: add, change, move, retire, restore, delete (only unused ones); and the
intern's week offers only active categories while hours logged in a retired one keep it."""

from __future__ import annotations

import pytest
from factories import TimesheetEntryFactory, TimesheetWeekFactory
from session_support import sign_in
from test_admin_program_review import events, named, names_of
from test_progress import parse, texts
from test_timesheets_week import add, week_path

from portal.extensions import db
from portal.models import ActivityCategory, TimesheetEntry

# The program's categories (shared_fixtures): Event planning, Organizing software and tools (learning),
# Office support (operational).


def tab(program) -> str:
    return f"/admin/programs/{program.id}/categories"


def names(program, *, active_only=True) -> list[str]:
    return names_of(ActivityCategory, program, active_only=active_only)


def category(program, name) -> ActivityCategory:
    return named(ActivityCategory, program, name)


def act(client, program, name, action):
    return client.post(f"{tab(program)}/items/{category(program, name).id}/{action}")


def logged_in(placement, name, **kwargs) -> TimesheetEntry:
    week = TimesheetWeekFactory(placement=placement, **kwargs)
    return TimesheetEntryFactory(week=week, category=category(placement.program, name))


@pytest.mark.parametrize("role", ["supervisor", "intern"])
def test_only_admins_reach_the_tab_and_its_forms(app, client, program, role, request):
    sign_in(client, request.getfixturevalue(role))
    assert client.get(tab(program)).status_code == 403
    assert client.post(f"{tab(program)}/items", data={"name": "X", "is_learning": "learning"}).status_code == 403
    assert act(client, program, "Office support", "delete").status_code == 403
    assert "Office support" in names(program)


def test_the_tab_lists_each_category_with_its_kind(app, client, admin, program):
    sign_in(client, admin)
    page = parse(client.get(tab(program)).data)
    assert texts(page, "#categories .item-list .item__name") == [
        "Event planning",
        "Organizing software and tools",
        "Office support",
    ]
    assert texts(page, "#categories .item-list .tag") == ["Learning", "Learning", "Operational"]
    assert page.query("#is_learning-0").etree_element.get("checked") is not None  # a new one is learning unless said


def test_adding_an_operational_category_is_audited(app, client, admin, program):
    sign_in(client, admin)
    response = client.post(f"{tab(program)}/items", data={"name": "Phone banking", "is_learning": "operational"})
    assert response.status_code == 302
    assert names(program)[-1] == "Phone banking"
    assert category(program, "Phone banking").is_learning is False
    [event] = events("category.")
    assert event.action == "category.added"
    assert event.details["after"] == {"name": "Phone banking", "is_learning": False}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": " ", "is_learning": "learning"}, "name", "Give the category a name"),
        ({"name": "event  PLANNING", "is_learning": "learning"}, "name", "There is already a category called “Event"),
        ({"name": "Canvassing", "is_learning": "maybe"}, "is_learning", "Say whether the category is learning or"),
        ({"name": "Canvassing"}, "is_learning", "Say whether the category is learning or operational"),
    ],
)
def test_bad_input_is_refused_beside_the_field_keeping_what_was_typed(app, client, admin, program, data, field,
                                                                      message):
    sign_in(client, admin)
    response = client.post(f"{tab(program)}/items", data=data)
    assert response.status_code == 422
    page = parse(response.data)
    assert message in " ".join(texts(page, f"#{field}-error"))
    assert page.query("#name").etree_element.get("value") == data["name"].strip()
    assert names(program) == ["Event planning", "Organizing software and tools", "Office support"]
    assert events("category.") == []


def test_changing_a_category_s_kind_and_moving_it(app, client, admin, program):
    sign_in(client, admin)
    office = category(program, "Office support")
    data = {"name": "Office support", "is_learning": "learning"}
    response = client.post(f"{tab(program)}/items/{office.id}", data=data)
    assert response.status_code == 302
    [changed] = events("category.changed")
    assert changed.details["before"] == {"name": "Office support", "is_learning": False}
    assert changed.details["after"] == {"name": "Office support", "is_learning": True}
    act(client, program, "Office support", "up")
    act(client, program, "Office support", "up")
    assert names(program) == ["Office support", "Event planning", "Organizing software and tools"]


def test_a_category_with_hours_keeps_its_kind_so_past_learning_shares_do_not_move(
    app, client, admin, program, placement
):
    logged_in(placement, "Office support")
    sign_in(client, admin)
    office = category(program, "Office support")
    response = client.post(f"{tab(program)}/items/{office.id}", data={"name": "Office help", "is_learning": "learning"})
    assert response.status_code == 422
    page = parse(response.data)
    assert "stays learning or operational as it was" in " ".join(texts(page, "#is_learning-error"))
    assert page.query("#name").etree_element.get("value") == "Office help"  # what was typed is kept
    db.session.refresh(office)
    assert (office.name, office.is_learning) == ("Office support", False)
    assert events("category.changed") == []
    renamed = client.post(
        f"{tab(program)}/items/{office.id}", data={"name": "Office help", "is_learning": "operational"}
    )
    assert renamed.status_code == 302  # its name can still change


def test_a_category_with_hours_is_retired_not_deleted(app, client, admin, program, placement):
    logged_in(placement, "Office support")
    sign_in(client, admin)
    response = act(client, program, "Office support", "delete")
    assert response.status_code == 422
    message = "Interns have logged hours in this category; retire it instead so their hours keep it"
    assert message in " ".join(texts(parse(response.data), f"#item-{category(program, 'Office support').id}-error"))
    assert "Office support" in names(program)
    assert act(client, program, "Office support", "retire").status_code == 302
    assert names(program) == ["Event planning", "Organizing software and tools"]
    [retired] = events("category.retired")
    assert retired.details["uses"] == 1
    page = parse(client.get(tab(program)).data)
    assert texts(page, ".item-list--retired .item__name") == ["Office support Retired"]
    assert texts(page, ".item-list--retired .item__uses") == ["1 entry"]
    assert act(client, program, "Office support", "restore").status_code == 302
    assert names(program)[-1] == "Office support"


def test_an_unused_category_is_deleted(app, client, admin, program):
    sign_in(client, admin)
    assert act(client, program, "Office support", "delete").status_code == 302
    assert names(program, active_only=False) == ["Event planning", "Organizing software and tools"]
    assert [event.action for event in events("category.")] == ["category.deleted"]


@pytest.mark.program_settings(categories=(("Only one", True),))
@pytest.mark.parametrize("action", ["retire", "delete"])
def test_the_last_active_category_stays(app, client, admin, program, action):
    sign_in(client, admin)
    response = act(client, program, "Only one", action)
    assert response.status_code == 422
    assert "Interns need at least one category" in " ".join(texts(parse(response.data), ".error-summary"))
    assert names(program) == ["Only one"]


# ------------------------------------------------------------------------------------------------
# The intern's week


def category_options(html) -> list[str]:
    return [text for text in texts(parse(html), "#category option") if text != "Choose an activity"]


def test_the_week_offers_only_active_categories_and_old_hours_keep_theirs(app, client, admin, intern, placement,
                                                                         this_monday):
    entry = logged_in(placement, "Office support", week_start=this_monday)
    sign_in(client, admin)
    act(client, placement.program, "Office support", "retire")
    sign_in(client, intern)
    page = client.get(week_path(placement, this_monday)).get_data(as_text=True)
    assert category_options(page) == ["Event planning", "Organizing software and tools"]
    assert "Office support" in texts(parse(page), ".entry__category")  # the logged hours still say it
    retired = category(placement.program, "Office support")
    response = add(client, placement, "2", this_monday, cat=retired)
    assert response.status_code == 422
    assert "Choose an activity from the list" in " ".join(texts(parse(response.data), "#category-error"))
    # Changing the old entry keeps its category on offer (marked retired), so its hours can be corrected.
    editing = client.get(week_path(placement, this_monday) + f"?edit={entry.id}").get_data(as_text=True)
    assert category_options(editing)[-1] == "Office support (retired)"
    response = client.post(
        week_path(placement, this_monday) + f"/entries/{entry.id}",
        data={"work_date": this_monday.isoformat(), "hours": "1:30", "category": str(retired.id)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(TimesheetEntry, entry.id)
    assert changed.minutes == 90 and changed.category_id == retired.id
