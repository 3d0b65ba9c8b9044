"""The demo posting's dates agree with each other whatever day it is seeded on."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.formatting import MONTH_NAMES, long_date
from portal.models import Program, ProgramState
from portal.services.demo import DEMO_SLUG, seed_demo

SEEDED_ON = [
    date(2026, 8, 10),  # in the real posting's August
    date(2026, 9, 1),  # the window runs from August into October
    date(2026, 12, 2),  # the window closes in January
    date(2027, 3, 15),  # nowhere near August or September
    date(2028, 2, 29),  # a leap day
]
MONTH = "|".join(MONTH_NAMES)
A_DATE = re.compile(rf"\b\d{{1,2}} (?:{MONTH}) \d{{4}}\b")


def posting_text(program: Program) -> str:
    return "\n".join((program.title, program.summary, program.body))


@pytest.mark.parametrize("today", SEEDED_ON, ids=str)
def test_the_posting_names_exactly_the_seeded_application_window(app, today):
    seed_demo(today)
    program = db.session.scalar(select(Program).where(Program.slug == DEMO_SLUG))
    opens, closes = program.applications_open, program.applications_close
    assert opens <= today <= closes
    text = posting_text(program)

    expected = f"rolling admission – we accept applications from {long_date(opens)} until {long_date(closes)}."
    commitment = program.body.split("## The commitment", 1)[1].split("\n## ", 1)[0]
    assert expected in commitment
    assert A_DATE.findall(text) == [long_date(opens), long_date(closes)]  # no other date anywhere
    window_months = {MONTH_NAMES[opens.month - 1], MONTH_NAMES[closes.month - 1]}
    assert set(re.findall(rf"\b(?:{MONTH})\b", text)) == window_months  # no month that contradicts them
    if window_months != {"August", "September"}:
        assert "August and September" not in text


def test_the_posting_page_shows_the_same_window_it_states(app, client):
    seed_demo(date.today())
    db.session.commit()
    program = db.session.scalar(select(Program).where(Program.slug == DEMO_SLUG))
    assert program.state is ProgramState.PUBLISHED and program.slug_is_fixed
    assert program.title in client.get("/").get_data(as_text=True)  # listed: published and open
    page = " ".join(re.sub(r"<[^>]+>", " ", client.get(f"/programs/{DEMO_SLUG}").get_data(as_text=True)).split())
    assert f"we accept applications from {long_date(program.applications_open)} until" in page
    assert set(A_DATE.findall(page)) >= {long_date(program.applications_open), long_date(program.applications_close)}
    assert "during August and September" not in page
