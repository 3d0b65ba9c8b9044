"""The weekly reflection ("What did you learn this week?"): the intern writes it on the week page, the
supervisor reads it there, the dashboard counts it; it never moves the week's version and goes with the
week."""

from __future__ import annotations

from datetime import timedelta

import pytest
from factories import AdminFactory, InternFactory
from session_support import sign_in
from sqlalchemy import delete, func, select
from test_timesheets_week import fill_week, the_week, week_path

from portal.extensions import db
from portal.models import TimesheetWeek, WeekReflection, WeekStatus
from portal.services.reflections import MAX_REFLECTION_LENGTH

TEXT = "How to run a phone bank: the script, the tracking sheet,\nand what to say when people hang up."


@pytest.fixture
def past_monday(this_monday):
    return this_monday - timedelta(weeks=2)


def write(client, placement, monday, text):
    return client.post(week_path(placement, monday) + "/reflection", data={"reflection": text})


def kept_texts(placement) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(WeekReflection.text)
            .join(TimesheetWeek, TimesheetWeek.id == WeekReflection.week_id)
            .where(TimesheetWeek.placement_id == placement.id)
        )
    )


def test_the_intern_writes_a_reflection_and_finds_it_on_the_week_page(client, placement, intern, past_monday):
    sign_in(client, intern)
    page = client.get(week_path(placement, past_monday)).get_data(as_text=True)
    assert "What did you learn this week?" in page and 'name="reflection"' in page
    assert '<label for="reflection">' in page and page.count('id="reflection"') == 1  # the label names the box
    response = write(client, placement, past_monday, TEXT)
    assert response.status_code == 302 and response.headers["Location"].endswith("#week-reflection")
    assert kept_texts(placement) == [TEXT]
    page = client.get(week_path(placement, past_monday)).get_data(as_text=True)
    assert "Your reflection is saved." in page
    assert "what to say when people hang up.</textarea>" in page  # the form shows what is kept


def test_the_supervisor_reads_it_beside_the_weeks_hours_and_cannot_write_one(
    client, placement, intern, supervisor, past_monday
):
    sign_in(client, intern)
    write(client, placement, past_monday, TEXT)
    for staff in (supervisor, AdminFactory()):
        sign_in(client, staff)
        page = client.get(week_path(placement, past_monday)).get_data(as_text=True)
        assert "How to run a phone bank: the script, the tracking sheet,<br>" in page
        assert 'name="reflection"' not in page
        assert write(client, placement, past_monday, "Written by staff").status_code == 403
    assert kept_texts(placement) == [TEXT]


def test_a_reflection_too_long_is_refused_beside_the_field_and_the_text_is_kept(client, placement, intern, past_monday):
    sign_in(client, intern)
    too_long = "word " * (MAX_REFLECTION_LENGTH // 5 + 1)
    response = write(client, placement, past_monday, too_long)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"Keep the reflection under {MAX_REFLECTION_LENGTH:,} characters" in page
    assert 'aria-invalid="true"' in page and too_long.strip() in page
    assert kept_texts(placement) == []


def test_an_empty_reflection_removes_it_and_another_week_has_its_own(client, placement, intern, past_monday):
    sign_in(client, intern)
    write(client, placement, past_monday, TEXT)
    write(client, placement, past_monday - timedelta(weeks=1), "Canvassing in Queens.")
    assert sorted(kept_texts(placement)) == sorted([TEXT, "Canvassing in Queens."])
    write(client, placement, past_monday, "   ")
    assert kept_texts(placement) == ["Canvassing in Queens."]


def test_no_reflection_for_a_week_not_begun_nor_for_someone_elses_placement(client, placement, intern, this_monday):
    sign_in(client, intern)
    next_week = this_monday + timedelta(weeks=1)
    assert write(client, placement, next_week, TEXT).status_code == 404
    sign_in(client, InternFactory())
    assert write(client, placement, this_monday, TEXT).status_code == 404
    assert kept_texts(placement) == []


def test_writing_a_reflection_does_not_move_the_weeks_version_so_a_decision_meanwhile_stands(
    client, placement, intern, past_monday
):
    week = fill_week(placement, {0: 16 * 60}, past_monday, status=WeekStatus.SUBMITTED)
    version = week.version
    sign_in(client, intern)
    assert write(client, placement, past_monday, TEXT).status_code == 302  # a submitted week takes one too
    assert the_week(placement, past_monday).version == version


def test_the_dashboard_counts_the_reflections_and_they_go_with_their_week(client, placement, intern, past_monday):
    sign_in(client, intern)
    write(client, placement, past_monday, TEXT)
    write(client, placement, past_monday - timedelta(weeks=1), "Canvassing in Queens.")
    page = " ".join(client.get("/hours/").get_data(as_text=True).split())
    assert "2 weekly reflections written in" in page
    db.session.execute(delete(TimesheetWeek).where(TimesheetWeek.placement_id == placement.id))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(WeekReflection)) == 0



def test_the_same_reflection_sent_twice_at_the_same_moment_keeps_one_and_answers_both(
    app, placement, intern, past_monday
):
    """A real race (a double click): two clients post the first reflection of a week at once."""
    import threading

    path = week_path(placement, past_monday) + "/reflection"
    clients = [app.test_client(), app.test_client()]
    for client in clients:
        sign_in(client, intern)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post(client) -> None:
        barrier.wait()
        statuses.append(client.post(path, data={"reflection": TEXT}).status_code)

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [302, 302]
    assert kept_texts(placement) == [TEXT]
