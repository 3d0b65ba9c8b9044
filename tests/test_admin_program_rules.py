"""The Rules tab: hours rules and stipend tiers checked together, saved, audited; and the pages apply them."""

from __future__ import annotations

import pytest
from session_support import sign_in
from sqlalchemy import select
from test_compliance import row
from test_hours_statement import pdf_text
from test_progress import H, add_week, parse, texts, weeks_ago

from portal.extensions import db
from portal.models import AuditEvent, StipendTierSetting

DEFAULT_FORM = {
    "weekly_min": "15",
    "weekly_max": "40",
    "daily_max": "12",
    "min_weeks": "12",
    "stipend_threshold": "25",
    "tiers-0-from_hours": "0",
    "tiers-0-amount": "0",
    "tiers-1-from_hours": "25",
    "tiers-1-amount": "500",
    "tiers-2-from_hours": "30",
    "tiers-2-amount": "750",
    "tiers-3-from_hours": "35",
    "tiers-3-amount": "1,000",
    "tiers-4-from_hours": "",
    "tiers-4-amount": "",
}


def rules_url(program) -> str:
    return f"/admin/programs/{program.id}/rules"


def post_rules(client, program, **changes):
    return client.post(rules_url(program), data={**DEFAULT_FORM, **changes})


def stored_tiers(program) -> list[tuple[int, int]]:
    rows = db.session.scalars(
        select(StipendTierSetting)
        .where(StipendTierSetting.program_id == program.id)
        .order_by(StipendTierSetting.min_average_minutes)
    )
    return [(tier.min_average_minutes, tier.monthly_cents) for tier in rows]


def pay_cells(page) -> dict[str, str]:
    return dict(zip(texts(page, "#pay-table tbody th"), texts(page, "#pay-table tbody td"), strict=True))


def test_the_tab_shows_the_stored_rules_and_what_each_average_pays(app, client, admin, program):
    sign_in(client, admin)
    response = client.get(rules_url(program))
    assert response.status_code == 200
    page = parse(response.data)
    assert page.query("#weekly_min").etree_element.get("value") == "15"
    assert page.query("#tiers-3-amount").etree_element.get("value") == "1000"
    assert page.query("#tiers-4-amount") is not None  # empty rows to add tiers
    assert pay_cells(page) == {
        "15 h": "$0.00",
        "20 h": "$0.00",
        "25 h": "$500.00",
        "30 h": "$750.00",
        "35 h": "$1,000.00",
        "40 h": "$1,000.00",
    }


def test_only_admins_reach_the_tab(app, client, supervisor, program):
    sign_in(client, supervisor)
    assert client.get(rules_url(program)).status_code in (403, 404)
    assert post_rules(client, program, weekly_min="1").status_code in (403, 404)
    assert db.session.get(type(program), program.id).min_week_minutes == 15 * H


def test_saving_replaces_the_tiers_sorted_in_cents_and_audits_before_and_after(app, client, admin, program):
    sign_in(client, admin)
    response = post_rules(
        client,
        program,
        **{
            "tiers-0-from_hours": "20",
            "tiers-0-amount": "250.50",
            "tiers-1-from_hours": "0",
            "tiers-1-amount": "0",
            "tiers-3-remove": "y",
            "weekly_min": "12.5",
        },
    )
    assert response.status_code == 302, response.data
    assert stored_tiers(program) == [(0, 0), (20 * H, 25_050), (30 * H, 75_000)]
    db.session.refresh(program)
    assert program.min_week_minutes == 12 * H + 30
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "program.rules_changed"))
    assert event.actor_label == admin.email and event.target_id == program.id
    assert event.details["before"]["weekly_min_hours"] == "15"
    assert event.details["after"]["weekly_min_hours"] == "12.5"
    assert event.details["before"]["tiers"][3] == {"from_hours": "35", "monthly": "1000"}
    assert event.details["after"]["tiers"] == [
        {"from_hours": "0", "monthly": "0"},
        {"from_hours": "20", "monthly": "250.50"},
        {"from_hours": "30", "monthly": "750"},
    ]
    assert event.details["interns_affected"] == 0
    page = parse(client.get(rules_url(program)).data)
    assert "No intern's figures change" in " ".join(texts(page, "main"))
    assert pay_cells(page)["20 h"] == "$250.50"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"weekly_min": "45"}, "weekly_min", "The weekly minimum (45 h) is above the weekly maximum (40 h)"),
        ({"weekly_max": "200"}, "weekly_max", "cannot be more than 168 h"),
        ({"daily_max": "25"}, "daily_max", "at most 24 h"),
        ({"daily_max": "12", "weekly_max": "10", "weekly_min": "5"}, "daily_max", "above the weekly maximum (10 h)"),
        ({"min_weeks": "0"}, "min_weeks", "at least 1"),
        ({"weekly_min": "15.25"}, "weekly_min", "whole or half number"),
        ({"stipend_threshold": "lots"}, "stipend_threshold", "whole or half number"),
        ({"tiers-2-from_hours": "25"}, "tiers-2-from_hours", "two tiers cannot start at the same hours"),
        ({"tiers-0-from_hours": "10"}, "tiers", "Averages under 10 h pay nothing: add a tier from 0 h"),
        ({"tiers-1-amount": "500.555"}, "tiers-1-amount", "dollars and cents"),
        ({"tiers-1-amount": "-5"}, "tiers-1-amount", "dollars and cents"),
        ({"tiers-3-amount": "600"}, "tiers-3-amount", "pays less than the tier below it"),
        ({"min_weeks": "²"}, "min_weeks", "at least 1"),  # a digit to str.isdigit, not to int()
        ({"tiers-3-amount": "30000000"}, "tiers-3-amount", "at most $100,000 a month"),
        ({"tiers-3-amount": "9" * 30}, "tiers-3-amount", "at most $100,000 a month"),
    ],
)
def test_bad_rules_are_refused_beside_the_field_and_nothing_is_lost(
    app, client, admin, program, changes, field, message
):
    sign_in(client, admin)
    response = post_rules(client, program, **changes)
    assert response.status_code == 422
    page = parse(response.data)
    summary = " ".join(texts(page, ".error-summary"))
    assert message in summary
    assert page.query(f'.error-summary a[href="#{field}"]') is not None
    beside = " ".join(texts(page, f"#{field}-error"))
    assert message in beside
    for name, value in changes.items():  # what was typed is still there
        assert page.query(f"#{name}").etree_element.get("value") == value
    db.session.refresh(program)
    assert stored_tiers(program) == []  # the factory's program keeps the default tiers, none stored
    assert program.min_week_minutes == 15 * H and program.max_week_minutes == 40 * H
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "program.rules_changed")).first() is None


def test_saving_the_rules_as_they_are_changes_and_audits_nothing(app, client, admin, program):
    sign_in(client, admin)
    response = post_rules(client, program)
    assert response.status_code == 302
    assert "Nothing changed." in " ".join(texts(parse(client.get(rules_url(program)).data), ".flash"))
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "program.rules_changed")).first() is None


def test_no_tiers_at_all_is_refused(app, client, admin, program):
    sign_in(client, admin)
    empty = {f"tiers-{n}-{part}": "" for n in range(5) for part in ("from_hours", "amount")}
    response = post_rules(client, program, **empty)
    assert response.status_code == 422
    assert "Add at least one tier" in response.get_data(as_text=True)


def test_the_pay_table_shows_the_tiers_as_typed_when_refused(app, client, admin, program):
    sign_in(client, admin)
    response = post_rules(client, program, weekly_min="99", **{"tiers-1-amount": "600"})
    assert response.status_code == 422
    assert pay_cells(parse(response.data))["25 h"] == "$600.00"


def test_a_change_says_how_many_interns_figures_change(app, client, admin, program, placement):
    sign_in(client, admin)
    add_week(placement, weeks_ago(2), (12 * H, program.categories[0]))
    add_week(placement, weeks_ago(1), (20 * H, program.categories[0]))
    response = post_rules(client, program, weekly_min="10")
    assert response.status_code == 302
    page = parse(client.get(rules_url(program)).data)
    assert "Rules saved. 1 intern's figures change: 1 week now counts." in " ".join(texts(page, "main"))
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "program.rules_changed"))
    assert event.details["interns_affected"] == 1
    assert event.details["before"]["weekly_min_hours"] == "15" and event.details["after"]["weekly_min_hours"] == "10"


def test_a_weekly_minimum_of_10_h_makes_a_12_h_week_qualify_everywhere(app, client, admin, program, placement):
    """The acceptance test: the dashboard, the compliance page and the hours statement apply the stored rule."""
    add_week(placement, weeks_ago(2), (12 * H, program.categories[0]))

    def figures():
        sign_in(client, placement.intern)
        dashboard = texts(parse(client.get("/hours/").data), ".qualifying-weeks")
        statement = pdf_text(client.get(f"/hours/placements/{placement.id}/statement.pdf"))
        sign_in(client, admin)
        compliance = row(parse(client.get("/hours/compliance").data), placement)["qualifying"]
        return dashboard, compliance, statement

    dashboard, compliance, statement = figures()
    assert dashboard == ["0"] and compliance == "0 of 12" and "Qualifying weeks 0 of 12" in statement

    sign_in(client, admin)
    assert post_rules(client, program, weekly_min="10").status_code == 302
    db.session.expire_all()

    dashboard, compliance, statement = figures()
    assert dashboard == ["1"]
    assert compliance == "1 of 12"
    assert "Qualifying weeks 1 of 12" in statement
