"""The data requests page for admins: deletions, downloads and purges newest first, counts per kind,
filters by kind and dates, pages, a formula-safe CSV, and no personal data anywhere on it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from factories import ApplicationFactory, ProgramFactory
from session_support import sign_in
from test_progress import count_queries, parse, texts

from portal.admin.data_requests import REQUESTS_PER_PAGE
from portal.extensions import db
from portal.models import ApplicationStatus, DataRequest, DataRequestKind

DELETION, DOWNLOAD, PURGE = DataRequestKind.DELETION, DataRequestKind.DOWNLOAD, DataRequestKind.PURGE


def logged(kind: DataRequestKind, day: int, program=None, count: int = 1, actor: str = "applicant") -> DataRequest:
    row = DataRequest(
        kind=kind,
        at=datetime(2026, 9, day, 12, 0, tzinfo=UTC),
        program_id=program.id if program is not None else None,
        application_count=count,
        actor_label=actor,
    )
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def fall(app):
    return ProgramFactory(title="Fall Organizing", slug="fall")


@pytest.fixture
def signed_in(client, admin):
    sign_in(client, admin)
    return client


def page(client, **params):
    response = client.get("/admin/data-requests", query_string=params)
    return response, parse(response.data)


def listed(tree) -> list[str]:
    return [el.etree_element.get("data-kind") for el in tree.query_all("#data-requests tbody tr")]


def counts(tree) -> dict[str, list[str]]:
    return {el.etree_element.get("data-kind"): texts(el, "td") for el in tree.query_all("#counts-per-kind tbody tr")}


def test_the_log_lists_each_request_newest_first_with_date_kind_program_count_and_who_ran_it(signed_in, fall):
    logged(DELETION, 3, fall)
    logged(PURGE, 20, fall, count=14, actor="system")
    logged(DOWNLOAD, 10, fall)

    response, tree = page(signed_in)

    assert response.status_code == 200
    assert listed(tree) == ["purge", "download", "deletion"]
    first = texts(tree, "#data-requests tbody tr:first-child td")
    assert first == ["20 September 2026, 12:00 UTC", "Purge", "Fall Organizing", "14", "system"]
    assert counts(tree) == {"deletion": ["1", "1"], "download": ["1", "1"], "purge": ["1", "14"]}
    assert response.headers["Cache-Control"].startswith("no-store")


def test_the_kind_and_date_filters_narrow_the_list_and_the_counts_follow_the_dates(signed_in, fall):
    logged(DELETION, 3, fall)
    logged(DELETION, 12, fall)
    logged(PURGE, 15, fall, count=5, actor="system")
    logged(DOWNLOAD, 28, fall)

    _, by_kind = page(signed_in, kind="deletion")
    assert listed(by_kind) == ["deletion", "deletion"]
    options = [
        (el.etree_element.get("value"), el.etree_element.get("selected")) for el in by_kind.query_all("#kind option")
    ]
    # (value, selected): a present boolean attribute reads as ""
    assert options == [("", None), ("deletion", ""), ("download", None), ("purge", None)]

    _, by_dates = page(signed_in, date_from="2026-09-10", date_to="2026-09-15")
    assert listed(by_dates) == ["purge", "deletion"]
    assert counts(by_dates) == {"deletion": ["1", "1"], "download": ["0", "0"], "purge": ["1", "5"]}

    _, both = page(signed_in, kind="purge", date_to="2026-09-14")
    assert listed(both) == []
    assert "No request matches these filters." in texts(both, ".empty-state")


def test_a_bad_filter_is_shown_beside_its_field_and_not_applied(signed_in, fall):
    logged(DELETION, 3, fall)

    response, tree = page(signed_in, kind="everything", date_from="2026-09-02", date_to="2026-09-01")

    assert response.status_code == 422
    assert texts(tree, "#kind-error") == ["Error: Choose one of the options in the list"]
    assert texts(tree, "#date_to-error") == ["Error: Enter an end date on or after the start date"]
    assert listed(tree) == ["deletion"]


def test_the_log_pages_at_fifty_in_a_fixed_number_of_queries(signed_in, fall):
    for day in range(1, REQUESTS_PER_PAGE + 6):
        db.session.add(
            DataRequest(
                kind=DELETION, at=datetime(2026, 7, 1, tzinfo=UTC).replace(day=1 + day % 28), program_id=fall.id
            )
        )
    db.session.commit()

    with count_queries() as statements:
        _, first = page(signed_in)
    _, second = page(signed_in, page=2)

    assert len(listed(first)) == REQUESTS_PER_PAGE and len(listed(second)) == 5
    assert "Page 1 of 2" in texts(first, ".pagination")[0]
    assert len(statements) <= 8


def test_the_csv_holds_every_matching_row_with_formula_cells_made_text(signed_in, app):
    sneaky = ProgramFactory(title='=HYPERLINK("http://evil.example")', slug="sneaky")
    logged(PURGE, 20, sneaky, count=3, actor="system")
    logged(DELETION, 21, sneaky)
    logged(DOWNLOAD, 22, None)

    response = signed_in.get("/admin/data-requests/export.csv", query_string={"kind": "purge"})

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode())))
    assert rows == [
        ["Date (UTC)", "Kind", "Program", "Applications", "Run by"],
        ["2026-09-20 12:00", "Purge", '\'=HYPERLINK("http://evil.example")', "3", "system"],
    ]


def test_after_an_applicant_deletes_their_data_the_page_and_csv_show_the_request_and_nothing_about_them(
    signed_in, client, admin, fall
):
    application = ApplicationFactory(
        program=fall, status=ApplicationStatus.DECLINED, full_name="Marisol Quintero", email="marisol@example.org"
    )
    token = application.issue_status_token()
    db.session.commit()
    assert client.post(f"/status/{token}/delete").status_code in (302, 303)
    sign_in(client, admin)

    response, tree = page(client)
    export = client.get("/admin/data-requests/export.csv").data.decode()

    assert listed(tree) == ["deletion"]
    assert texts(tree, "#data-requests tbody td")[1:] == ["Deletion", "Fall Organizing", "1", "applicant"]
    for text in (response.data.decode(), export):
        assert "Marisol" not in text and "marisol@example.org" not in text
