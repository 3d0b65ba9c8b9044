"""Bench data for ``make bench`` (tests/benchmark.py), built with bulk inserts: not a test module.

One big open, not blind program (a copy of the demo program under another slug, built by the same admin
services) holds the applications: each with three submitted reviews scoring every rubric criterion and
answers to the form's required questions; its interns have 26 weeks of hours each, in mixed states. The
seeded demo program sits beside it, as in a real database. Schema from the migrations, the few ORM
rows from the services (seed_demo, build_demo_program), the rest with SQLAlchemy Core ``insert()`` of
lists of dicts in batches (executemany), then the stored figures the pages read are recomputed.
"""

from __future__ import annotations

import contextlib
import io
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, func, insert, select, text

#: The slug of the big program (the demo program keeps its own).
BENCH_SLUG = "bench-fall-internship"
#: Everyone the bench creates has an address here (the POST load uses it too).
BENCH_DOMAIN = "bench.example.org"
#: Supervisors who review and supervise the big program; each application has three of them.
REVIEWERS = 12
REVIEWS_PER_APPLICATION = 3
WEEKS = 26
BATCH = 10_000

FIRST_NAMES = (
    "Amara Diego Wei Fatima Sam Priya Jamal Hannah Kwame Rosa Tomasz Ana Lucas Mei Omar Zoe Ravi Ines Kofi Lena Mateo "
    "Aisha Jonas Nia Felix Yara Ivan Sofia Tariq Elena Hugo Leila Marco Chloe Dmitri Ayesha Pablo Greta Idris Maya"
).split()
LAST_NAMES = (
    "Okafor Delgado Chen Bello Oneill Raman Carter Kim Asante Jimenez Nowak Reyes Silva Tanaka Haddad Fischer Patel "
    "Moreau Mensah Novak Rossi Khan Berg Adeyemi Costa Sato Petrov Garcia Nasser Ivanova Dubois Rahman Conti Walsh "
    "Sokolov Malik Ortega Lund Farah Santos"
).split()
#: The queue search's name: application 0 (the newest) carries it and no other does, so the searched page
#: shows one row at every size and its growth is the index's, not that of a longer page.
SEARCHED_NAME = "Wilhelmina Zabrowski"
SCHOOLS = ("Hunter College", "Brooklyn College", "NYU", "City College of New York", "The New School", "")
STATUS_CYCLE = (
    *["submitted"] * 8,
    *["in_review"] * 5,
    *["interview"] * 2,
    "accepted",
    *["waitlisted"] * 2,
    "declined",
    "withdrawn",
)
ANSWER_TEXTS = (
    "I organise tenants in my building and want to learn how unions use online tools to win campaigns.",
    "I run my college's labor club's social media and want to learn to plan real trainings and events.",
    "After volunteering on a local council race I want to learn the digital side of organizing.",
)


@dataclass(frozen=True)
class Size:
    """How much data one row of the bench table has."""

    applications: int
    interns: int
    weeks: int = WEEKS

    @property
    def label(self) -> str:
        return f"{self.applications:,} applications / {self.interns} interns × {self.weeks} weeks"


def size_for(applications: int) -> Size:
    """The interns that go with a number of applications: 20 up to 100, 100 up to 10,000, 500 above."""
    interns = 20 if applications <= 100 else 100 if applications <= 10_000 else 500
    return Size(applications=applications, interns=interns)


@dataclass(frozen=True)
class BenchData:
    slug: str
    admin_email: str
    admin_password: str
    questions: dict[str, str]  # form field name → an answer, for the required questions
    seconds: float


def build(database_url: str, instance: str, size: Size) -> BenchData:
    """Migrate an empty database, seed the demo, add the big program and bulk-insert ``size`` of data."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db

    started = time.perf_counter()
    app = create_app(
        {"DATABASE_URL": database_url, "UPLOAD_FOLDER": instance, "MAIL_TRANSPORT": "smtp", "ENV": "testing"}
    )
    with app.app_context():
        with contextlib.redirect_stderr(io.StringIO()):  # alembic's INFO line per migration
            upgrade()
        program_id, admin_email, admin_password, questions = _programs()
        db.session.commit()
        with db.engine.begin() as connection:
            _bulk(connection, program_id, size)
        _derived_figures()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # As autovacuum leaves a database that has been running: statistics, and the visibility map that
            # lets the compliance page's weeks come from the (week, category, minutes) index alone. Without
            # it PostgreSQL read all 47,200 entries at 500 interns (6.8 ms, against 3.3 ms vacuumed).
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        db.engine.dispose()
    return BenchData(BENCH_SLUG, admin_email, admin_password, questions, time.perf_counter() - started)


def _programs() -> tuple[int, str, str, dict[str, str]]:
    """The big program (the demo program's copy under BENCH_SLUG) and the seeded demo: (id, admin login, answers)."""
    from portal.extensions import db
    from portal.models import Role, User
    from portal.services.demo import DEMO_SLUG, build_demo_program, seed_demo

    builder = User(email=f"bench-admin@{BENCH_DOMAIN}", role=Role.ADMIN, full_name="Bench Builder")
    db.session.add(builder)
    db.session.flush()
    program = build_demo_program(date.today(), builder)
    program.slug = BENCH_SLUG  # the demo's own program is seeded next, under DEMO_SLUG
    program.title = f"{program.title} (bench)"
    db.session.flush()
    seed = seed_demo()
    assert seed is not None and seed.program.slug == DEMO_SLUG
    role, admin_email, admin_password = next(login for login in seed.logins if login[0] == Role.ADMIN.value)
    answers = {f"q_{q.id}": ANSWER_TEXTS[0] for q in program.active_questions() if q.required}
    return program.id, admin_email, admin_password, answers


def _derived_figures() -> None:
    """What the services keep up to date row by row, rebuilt once for the bulk-inserted rows."""
    from portal.services import queue_search, review_statistics

    # The compliance page needs nothing here: it reads the weeks through an index.
    review_statistics.recompute_all()
    queue_search.reindex_all()


def _next_id(connection: Connection, table) -> int:
    return (connection.scalar(select(func.max(table.c.id))) or 0) + 1


def _insert(connection: Connection, table, rows: list[dict]) -> None:
    """executemany in batches of BATCH rows; COPY on PostgreSQL (several times faster there)."""
    if connection.dialect.name == "postgresql":
        _copy(connection, table, rows)
        return
    for start in range(0, len(rows), BATCH):
        connection.execute(insert(table), rows[start : start + BATCH])


def _copy(connection: Connection, table, rows: list[dict]) -> None:
    """``COPY … FROM STDIN`` in the connection's transaction, with the Python-side defaults and type
    conversions (UTC datetimes, enums, JSON) that ``insert()`` would apply."""
    if not rows:
        return
    given = [table.c[key] for key in rows[0]]
    defaulted = [column for column in table.columns if column.key not in rows[0] and column.default is not None]
    if any(not (column.default.is_scalar or column.default.is_callable) for column in defaulted):
        raise ValueError(f"{table.name}: a column default COPY cannot compute")
    columns = given + defaulted
    processors = [column.type.bind_processor(connection.dialect) for column in columns]
    names = ", ".join(connection.dialect.identifier_preparer.quote(column.name) for column in columns)
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:  # noqa: S608 (names from the models)
        for row in rows:
            values = [row[column.key] for column in given] + [
                column.default.arg(None) if column.default.is_callable else column.default.arg for column in defaulted
            ]
            copy.write_row([process(value) if process else value for process, value in zip(processors, values)])


def _bulk(connection: Connection, program_id: int, size: Size) -> None:
    from portal.models import (
        ActivityCategory,
        Application,
        ApplicationAnswer,
        ApplicationQuestion,
        Review,
        RubricCriterion,
        Score,
        User,
        program_reviewers,
        program_supervisors,
    )

    rng = random.Random(14)
    now = datetime.now(UTC)
    today = now.date()
    users = User.__table__
    criteria = connection.scalars(
        select(RubricCriterion.id).where(RubricCriterion.program_id == program_id, RubricCriterion.retired_at.is_(None))
    ).all()
    required = connection.scalars(
        select(ApplicationQuestion.id).where(
            ApplicationQuestion.program_id == program_id,
            ApplicationQuestion.required.is_(True),
            ApplicationQuestion.retired_at.is_(None),
        )
    ).all()
    categories = connection.scalars(select(ActivityCategory.id).where(ActivityCategory.program_id == program_id)).all()

    first_user = _next_id(connection, users)
    reviewers = list(range(first_user, first_user + REVIEWERS))
    _insert(
        connection,
        users,
        [
            {"id": uid, "email": f"reviewer{n}@{BENCH_DOMAIN}", "full_name": f"Reviewer {n}", "role": "supervisor"}
            for n, uid in enumerate(reviewers)
        ],
    )
    _insert(connection, program_reviewers, [{"program_id": program_id, "user_id": uid} for uid in reviewers])
    _insert(connection, program_supervisors, [{"program_id": program_id, "user_id": uid} for uid in reviewers])

    first_application = _next_id(connection, Application.__table__)
    first_review = _next_id(connection, Review.__table__)
    bias = {uid: (n % 3) - 1 for n, uid in enumerate(reviewers)}  # lenient, neutral and strict reviewers
    span = timedelta(days=30) / max(size.applications, 1)
    for chunk in range(0, size.applications, BATCH):  # a batch at a time: memory stays small at 100,000
        applications, answers, reviews, scores = [], [], [], []
        for i in range(chunk, min(chunk + BATCH, size.applications)):
            application_id = first_application + i
            first, last = FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[(i // len(FIRST_NAMES)) % len(LAST_NAMES)]
            if i == 0:
                first, last = SEARCHED_NAME.split()
            status = STATUS_CYCLE[i % len(STATUS_CYCLE)]
            submitted = now - span * i - timedelta(minutes=1)
            school = SCHOOLS[i % len(SCHOOLS)]
            applications.append(
                {
                    "id": application_id,
                    "program_id": program_id,
                    "status": status,
                    "full_name": f"{first} {last}",
                    "email": f"{first}.{last}.{i}@{BENCH_DOMAIN}".lower(),
                    "city": "New York",
                    "school": school,
                    "not_student": not school,
                    "wants_credit": bool(school) and i % 2 == 0,
                    "hours_per_week": 15 + i % 26,
                    "earliest_start": today + timedelta(days=7 + i % 30),
                    "weeks_available": 12 + i % 9,
                    "seeks_stipend": i % 3 == 0,
                    "submitted_at": submitted,
                    "updated_at": submitted,
                    "decided_at": submitted + timedelta(days=5) if status in ("accepted", "declined") else None,
                }
            )
            answers.extend(
                {"application_id": application_id, "question_id": qid, "text": ANSWER_TEXTS[(i + k) % 3], "choices": []}
                for k, qid in enumerate(required)
            )
            quality = rng.randint(1, 5)
            for j in range(REVIEWS_PER_APPLICATION):
                reviewer = reviewers[(i + j * (REVIEWERS // REVIEWS_PER_APPLICATION)) % REVIEWERS]
                review_id = first_review + i * REVIEWS_PER_APPLICATION + j
                reviewed = submitted + timedelta(days=1 + j)
                reviews.append(
                    {
                        "id": review_id,
                        "application_id": application_id,
                        "reviewer_id": reviewer,
                        "comment": "",
                        "created_at": reviewed,
                        "submitted_at": reviewed,
                    }
                )
                scores.extend(
                    {
                        "review_id": review_id,
                        "criterion_id": cid,
                        "value": min(5, max(1, quality + bias[reviewer] + rng.choice((-1, 0, 0, 1)))),
                        "note": "",
                    }
                    for cid in criteria
                )
        _insert(connection, Application.__table__, applications)
        _insert(connection, ApplicationAnswer.__table__, answers)
        _insert(connection, Review.__table__, reviews)
        _insert(connection, Score.__table__, scores)
    _interns(connection, program_id, size, reviewers, categories, now)
    if connection.dialect.name == "postgresql":
        for table in ("users", "applications", "reviews", "placements", "timesheet_weeks"):
            connection.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
            )


def _interns(
    connection: Connection, program_id: int, size: Size, supervisors: list[int], categories: list[int], now: datetime
) -> None:
    """``size.interns`` interns, each with a placement and ``size.weeks`` weeks: most approved, some waiting,
    returned, draft or missing, some short, a tenth of the placements already ended."""
    from portal.models import Placement, TimesheetEntry, TimesheetWeek, User
    from portal.rules.weeks import week_monday

    first_user = _next_id(connection, User.__table__)
    first_placement = _next_id(connection, Placement.__table__)
    first_week = _next_id(connection, TimesheetWeek.__table__)
    first_monday = week_monday(now.date()) - timedelta(weeks=size.weeks)
    users, placements, weeks, entries = [], [], [], []
    for n in range(size.interns):
        user_id, placement_id = first_user + n, first_placement + n
        first, last = FIRST_NAMES[(n * 7) % len(FIRST_NAMES)], LAST_NAMES[n % len(LAST_NAMES)]
        users.append(
            {"id": user_id, "email": f"intern{n}@{BENCH_DOMAIN}", "full_name": f"{first} {last}", "role": "intern"}
        )
        ended = n % 10 == 9
        placements.append(
            {
                "id": placement_id,
                "program_id": program_id,
                "intern_id": user_id,
                "supervisor_id": supervisors[n % len(supervisors)],
                "start_date": first_monday,
                "end_date": first_monday + timedelta(weeks=size.weeks - 4) if ended else None,
                "committed_minutes_per_week": (15 + 5 * (n % 4)) * 60,
                "stipend_eligible": n % 2 == 0,
            }
        )
        for w in range(size.weeks - 4 if ended else size.weeks):
            if (n * 31 + w * 17) % 41 == 0:
                continue  # a week never started: a gap the compliance page flags
            monday = first_monday + timedelta(weeks=w)
            latest = w >= size.weeks - 2
            if (n + w) % 37 == 0:
                status = "returned"
            elif latest:  # the last two weeks: waiting for approval, or not sent yet
                status = "submitted" if n % 3 else "draft"
            else:
                status = "approved"
            submitted = datetime.combine(monday + timedelta(days=6), datetime.min.time(), tzinfo=UTC)
            week_id = first_week + len(weeks)
            weeks.append(
                {
                    "id": week_id,
                    "placement_id": placement_id,
                    "week_start": monday,
                    "status": status,
                    "submitted_at": submitted if status != "draft" else None,
                    "decided_at": submitted + timedelta(days=2) if status in ("approved", "returned") else None,
                    "decided_by_id": supervisors[n % len(supervisors)] if status in ("approved", "returned") else None,
                    "return_note": "Please split the Friday entry." if status == "returned" else "",
                }
            )
            days = 2 if (n + w) % 9 == 0 else 4  # a short week now and then
            entries.extend(
                {
                    "week_id": week_id,
                    "work_date": monday + timedelta(days=d),
                    "minutes": 300 + 30 * ((n + w + d) % 5),
                    "category_id": categories[(n + w + d) % len(categories)],
                    "note": "",
                    "created_at": submitted,
                    "updated_at": submitted,
                }
                for d in range(days)
            )
    _insert(connection, User.__table__, users)
    _insert(connection, Placement.__table__, placements)
    _insert(connection, TimesheetWeek.__table__, weeks)
    _insert(connection, TimesheetEntry.__table__, entries)
