"""The queue's counts by status come from a tally the database keeps (portal/models/application_tally.py):
whatever changes an application (the form, a decision, an erasure, a purge, a bulk insert, a migration), the
tally says what counting the applications says, on both databases, and the queue shows those counts."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from factories import ApplicationFactory, ProgramFactory, UserFactory
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, func, insert, select, update

from portal.database import utcnow
from portal.extensions import db
from portal.models import Application, ApplicationStatus, ApplicationTally, Program
from portal.services.application_tallies import recount_all
from portal.services.applications import erase_personal_data
from portal.services.queue import QueueFilters, status_counts

KEY = ("program_id", "status", "hours_per_week", "wants_credit", "seeks_stipend")


def tallied() -> Counter:
    rows = db.session.execute(select(ApplicationTally)).scalars()
    return Counter({tuple(getattr(row, column) for column in KEY): row.applications for row in rows}) + Counter()


def counted() -> Counter:
    """What the tally must say: the kept applications counted one by one."""
    columns = [getattr(Application, column) for column in KEY]
    rows = db.session.execute(
        select(*columns, func.count()).where(Application.data_deleted_at.is_(None)).group_by(*columns)
    )
    return Counter({tuple(row[:-1]): row[-1] for row in rows})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_tally_follows_every_kind_of_change(app, seed):
    """Random inserts, decisions, edits of the counted answers, erasures, deletes and a bulk insert, each
    committed as a request would; after each the tally equals the applications counted."""
    chance = random.Random(seed)  # noqa: S311 - test data, not a secret
    programs = [ProgramFactory(slug=f"p{seed}-{n}") for n in range(2)]
    applications: list[Application] = []
    for step in range(40):
        action = chance.choice(["add", "add", "decide", "edit", "erase", "delete", "bulk"])
        live = [a for a in applications if a.data_deleted_at is None]
        if action == "add" or not applications:
            applications.append(
                ApplicationFactory(
                    program=chance.choice(programs),
                    hours_per_week=chance.choice([15, 20, 25]),
                    wants_credit=chance.random() < 0.5,
                    seeks_stipend=chance.random() < 0.5,
                    status=chance.choice(list(ApplicationStatus)),
                )
            )
        elif action == "decide" and live:
            chance.choice(live).status = chance.choice(list(ApplicationStatus))
        elif action == "edit" and live:
            application = chance.choice(live)
            application.hours_per_week = chance.choice([15, 20, 25, 30])
            application.wants_credit = not application.wants_credit
            application.program = chance.choice(programs)
        elif action == "erase" and live:
            erase_personal_data(chance.choice(live))
        elif action == "delete":
            gone = applications.pop(chance.randrange(len(applications)))
            db.session.execute(delete(Application).where(Application.id == gone.id))
        elif action == "bulk":
            db.session.execute(
                insert(Application),
                [
                    {
                        "program_id": chance.choice(programs).id,
                        "email": f"bulk{seed}-{step}-{n}@example.org",
                        "full_name": f"Bulk {n}",
                        "hours_per_week": 20,
                        "status": ApplicationStatus.IN_REVIEW,
                        "version": 1,
                        "submitted_at": utcnow(),
                        "updated_at": utcnow(),
                    }
                    for n in range(3)
                ],
            )
        db.session.commit()  # PostgreSQL counts at the commit (a deferred trigger)
        db.session.expire_all()
        assert tallied() == counted(), f"after step {step}: {action}"


def test_the_queue_shows_the_tallied_counts_with_the_filters_it_holds(app):
    program, other = ProgramFactory(slug="counted"), ProgramFactory(slug="other")
    supervisor = UserFactory()  # a supervisor
    program.reviewers.append(supervisor)
    for hours, credit, status in [(15, False, "submitted"), (20, True, "submitted"), (25, True, "in_review")]:
        ApplicationFactory(program=program, hours_per_week=hours, wants_credit=credit, status=ApplicationStatus(status))
    ApplicationFactory(program=other, hours_per_week=20, status=ApplicationStatus.SUBMITTED)
    erase_personal_data(ApplicationFactory(program=program, hours_per_week=20))
    db.session.commit()

    def counts(**filters) -> dict[str, int]:
        found = status_counts(supervisor, [program], QueueFilters(**filters))
        return {status.value: n for status, n in found.items() if n}

    assert counts() == {"submitted": 2, "in_review": 1}  # not the other program's, not the erased one
    assert counts(hours_min=20) == {"submitted": 1, "in_review": 1}
    assert counts(hours_min=16, hours_max=24) == {"submitted": 1}
    assert counts(wants_credit=True) == {"submitted": 1, "in_review": 1}
    assert counts(program_id=other.id) == {}  # a program they do not review counts nothing
    assert counts(search="zzz-nobody") == {}  # a search counts the applications themselves


def test_the_recount_repairs_a_tally_that_missed_changes(app):
    ApplicationFactory(hours_per_week=20)
    db.session.execute(update(ApplicationTally).values(applications=99))  # as if a restore had loaded it so
    db.session.commit()
    assert tallied() != counted()
    recount_all()
    db.session.commit()
    assert tallied() == counted()


def test_a_migrated_database_counts_the_applications_it_had_and_those_that_come(migrated_app):
    program_id = ApplicationFactory(hours_per_week=20).program_id
    ApplicationFactory(program=db.session.get(Program, program_id), hours_per_week=20)
    db.session.remove()
    downgrade(revision="0013")
    upgrade()  # 0014 again, over rows it must count
    ApplicationFactory(program=db.session.get(Program, program_id), hours_per_week=30)
    assert tallied() == counted()
    assert sum(tallied().values()) == 3
