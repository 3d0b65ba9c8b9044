"""The review queue's search (portal.services.queue_search) on the index each database keeps: what a term
finds and what it never finds, rows the index must follow (edits, erasure, bulk inserts, a migrated
database), and that the query is one the index can answer."""

from __future__ import annotations

import pytest
from factories import ApplicationFactory, ProgramFactory
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, insert, select, text

from portal.database import utcnow
from portal.extensions import db
from portal.models import Application, ApplicationStatus, Program
from portal.services.applications import delete_applicant_data
from portal.services.queue_search import reindex_all, search_condition


def found(term: str, blind_program_ids: tuple[int, ...] = ()) -> set[str]:
    """The full names the search finds, as the queue would list them."""
    statement = select(Application.full_name).where(search_condition(term, blind_program_ids))
    return set(db.session.scalars(statement))


@pytest.fixture
def applicants(app, program):
    ApplicationFactory(program=program, full_name="Maria Delgado", email="maria.delgado@example.org")
    ApplicationFactory(program=program, full_name="Mariam Okafor", preferred_name="Miri", email="mo@uni.edu")
    ApplicationFactory(program=program, full_name="Wei Zhang", email="wei@example.org")
    ApplicationFactory(program=program, full_name="Émile Zoë O'Brien", email="emile@example.net")


def test_a_part_of_a_name_anywhere_in_it_is_found_in_any_case(applicants):
    assert found("maria") == {"Maria Delgado", "Mariam Okafor"}
    assert found("DELG") == {"Maria Delgado"}
    assert found("ria d") == {"Maria Delgado"}  # across the space, in order
    assert found("  Zhang ") == {"Wei Zhang"}
    assert found("gado mar") == set()  # the words in the other order are not a part of the name


def test_the_preferred_name_is_searched(applicants):
    assert found("miri") == {"Mariam Okafor"}


def test_accented_capitals_match_their_small_letters_but_accents_still_count(applicants):
    assert found("ÉMILE") == {"Émile Zoë O'Brien"}
    assert found("zoë") == {"Émile Zoë O'Brien"}
    assert found("zoe o") == set()  # no accent folding: "zoe" is not "zoë"


def test_any_part_of_an_email_address_is_found(applicants):
    assert found("maria.delgado@") == {"Maria Delgado"}
    assert found("@uni.edu") == {"Mariam Okafor"}
    assert found("example.org") == {"Maria Delgado", "Wei Zhang"}
    assert found("@example.com") == set()


def test_terms_of_one_or_two_letters_still_find_parts_of_names(applicants):
    assert found("wE") == {"Wei Zhang"}
    assert found("z") == {"Wei Zhang", "Émile Zoë O'Brien"}


def test_wildcards_and_quotes_are_plain_characters(applicants):
    assert found("%") == set()
    assert found("m_ria") == set()
    assert found('ria"') == set()
    assert found('"maria"') == set()
    assert found("o'bri") == {"Émile Zoë O'Brien"}
    assert found("maria OR wei") == set()  # no query syntax


def test_a_blind_programs_applicant_is_never_found_by_name_or_email_but_is_by_reference(applicants, app):
    blind = ProgramFactory(blind_review=True)
    hidden = ApplicationFactory(program=blind, full_name="Maria Hidden", email="hidden@example.org")
    assert found("maria", (blind.id,)) == {"Maria Delgado", "Mariam Okafor"}
    assert found("hidden@example.org", (blind.id,)) == set()
    assert found(hidden.reference.lower(), (blind.id,)) == {"Maria Hidden"}
    assert found("maria") == {"Maria Delgado", "Mariam Okafor", "Maria Hidden"}  # the program is what hides her


def test_a_changed_name_is_found_by_the_new_name_only(applicants):
    application = db.session.scalars(select(Application).where(Application.full_name == "Wei Zhang")).one()
    application.full_name = "Wei Chen"
    db.session.commit()
    assert found("zhang") == set()
    assert found("chen") == {"Wei Chen"}


def test_an_erased_applicant_is_never_found_again(applicants, app):
    application = db.session.scalars(select(Application).where(Application.full_name == "Maria Delgado")).one()
    application.status = ApplicationStatus.DECLINED
    db.session.commit()
    with app.test_request_context():
        delete_applicant_data(application)
    db.session.commit()
    assert found("delgado") == set()
    assert found("maria.delgado@example.org") == set()
    assert found("maria") == {"Mariam Okafor"}


def _index_blocks() -> bytes:
    return b"".join(db.session.scalars(text("SELECT block FROM applications_search_data")))


# Only SQLite's FTS5 table stores the text in blocks of its own: PostgreSQL's index goes with VACUUM, as the
# row's old version does, so there is no PostgreSQL case to skip.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_on_sqlite_an_erased_name_leaves_the_index_itself_not_only_its_results(app, program, backend):
    application = ApplicationFactory(
        program=program, full_name="Qzxjvk Wombat", email="qzxjvk@example.org", status=ApplicationStatus.DECLINED
    )
    # The index stores each three letters of "qzxjvk wombat" once, most in full (some share a start with the
    # term before them and are cut): while she applies some are there, afterwards none may be.
    trigrams = [b"qzx", b"zxj", b"xjv", b"jvk", b"wom", b"omb", b"mba", b"bat"]
    assert len([trigram for trigram in trigrams if trigram in _index_blocks()]) >= 4
    with app.test_request_context():
        delete_applicant_data(application)
    db.session.commit()
    assert not [trigram for trigram in trigrams if trigram in _index_blocks()]  # not just marked deleted


def test_rows_inserted_in_bulk_are_found_at_once_and_after_a_reindex(app, program):
    now = utcnow()
    rows = [
        {
            "program_id": program.id,
            "full_name": f"Bulk Person{n:03d}",
            "email": f"bulk{n:03d}@example.org",
            "status_token_hash": f"{n:064x}",
            "submitted_at": now,
            "updated_at": now,
            "version": 1,
        }
        for n in range(200)
    ]
    db.session.execute(insert(Application), rows)
    db.session.commit()
    assert found("person042") == {"Bulk Person042"}
    assert reindex_all() == 200
    db.session.commit()
    assert found("person042") == {"Bulk Person042"}
    assert found("bulk1") and len(found("bulk1")) == 100


# ---- the index is what answers ---------------------------------------------------------------------


def _plan(term: str) -> str:
    statement = select(func.count()).select_from(Application).where(search_condition(term, ()))
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    rows = db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}" if _sqlite() else f"EXPLAIN {compiled}"))
    return "\n".join(str(row[-1]) if _sqlite() else row[0] for row in rows)


def _sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def test_the_search_is_a_query_the_index_answers(applicants):
    if _sqlite():
        assert "applications_search VIRTUAL TABLE" in _plan("delgado")
    else:
        db.session.execute(text("SET LOCAL enable_seqscan = off"))  # four rows: show the index can be used
        assert "ix_applications_search_trgm" in _plan("delgado")
    db.session.rollback()


# ---- a migrated database ---------------------------------------------------------------------------


def test_a_migrated_database_indexes_the_rows_it_had_and_the_rows_that_come(migrated_app):
    program_id = ApplicationFactory(full_name="Before Upgrade").program_id
    db.session.remove()
    downgrade(revision="0011")
    upgrade()  # 0012 again, over a row it must index
    ApplicationFactory(program=db.session.get(Program, program_id), full_name="After Upgrade")
    assert found("before upg") == {"Before Upgrade"}
    assert found("after upg") == {"After Upgrade"}
    assert found("upgrade") == {"Before Upgrade", "After Upgrade"}
